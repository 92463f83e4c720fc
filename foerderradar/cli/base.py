"""What every command shares: the click group, the ``Context`` (config and store) and the error handling.

The project's own errors (a bad config, an unknown id, a damaged database) become one line and an exit
code, never a traceback; the config and the store are opened only when a command asks for them.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click

from foerderradar.configuration import CONFIG_ENV, Config, ConfigError, load_config
from foerderradar.store import Store, StoreError, describe_sqlite_error

# Exit codes: 0 fine, 1 a run-time failure with a clear message, 2 bad config or usage.
EXIT_FAILURE = 1
EXIT_CONFIG = 2


class UserError(Exception):
    """A problem the user can fix (a bad file, an unknown id); shown as one line, exit 1."""


def _known_errors() -> tuple[type[Exception], ...]:
    from classifier.model import ModelError  # only imported when something failed
    from crawler import CrawlError  # light: the package's __init__ imports no Scrapy

    return (UserError, StoreError, CrawlError, ModelError)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's own errors into one clear line and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"config error: {problem}", err=True)
            sys.exit(EXIT_CONFIG)
        except _known_errors() as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILURE)
        except (sqlite3.Error, OSError) as exc:
            click.echo(f"error: {_environment_error(exc, args)}", err=True)
            sys.exit(EXIT_FAILURE)

    return wrapper


def _environment_error(exc: sqlite3.Error | OSError, args: tuple[Any, ...]) -> str:
    """A failure of the machine rather than the code (disk full, read-only file, damaged database)."""
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    context = next((a for a in args if isinstance(a, Context)), None)
    path = context.database_path if context is not None else Path("database")
    return describe_sqlite_error(exc, path)


@dataclass
class Context:
    """What every command needs: the config folder, loaded lazily, and the store."""

    config_dir: str | None
    _config: Config | None = None
    _store: Store | None = None
    opened: list[Store] = field(default_factory=list)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_dir)
        return self._config

    @property
    def database_path(self) -> Path:
        return self._config.database_path if self._config is not None else Path("database")

    @property
    def store(self) -> Store:
        """The database for a command that writes: refused when read-only, damaged or empty."""
        if self._store is None or self._store.readonly:
            self._store = Store(self.config.database_path)
            self._store.sync_sources(self.config.sources)
        return self._store

    @property
    def reader(self) -> Store:
        """The database for a command that only reads: a read-only file is opened read-only."""
        if self._store is None:
            self._store = Store(self.config.database_path, reading_only=True)
            if not self._store.readonly:
                self._store.sync_sources(self.config.sources)
        return self._store


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date of the form YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_dir",
    envvar=CONFIG_ENV,
    type=click.Path(file_okay=False),
    help=f"Config folder (default ./config, or ${CONFIG_ENV}).",
)
@click.pass_context
def cli(ctx: click.Context, config_dir: str | None) -> None:
    """Förderradar: monitors funding calls, classifies them and mails weekly digests."""
    ctx.obj = Context(config_dir)


pass_context = click.make_pass_decorator(Context)
