"""Checking a source's parser on a saved page before enabling it: source test, source probe."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from foerderradar.cli.base import EXIT_FAILURE, Context, UserError, cli, friendly, pass_context


@cli.group()
def source() -> None:
    """Check a source's parser on a saved response before enabling it."""


@source.command("test")
@click.argument("source_id")
@click.option("--file", "file_path", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--url", help="URL the file was fetched from (default: the source's url).")
@click.option("--as", "as_", type=click.Choice(["list", "detail"]), help="Read the page as this kind (html).")
@pass_context
@friendly
def source_test(ctx: Context, source_id: str, file_path: str, url: str | None, as_: str | None) -> None:
    """Parse one saved response with SOURCE_ID's parser; print one JSON object per line.

    Exits 1 when nothing usable came out (no call with title and text, no link to follow).
    """
    source = ctx.config.source(source_id)
    if as_ and source.kind != "html":
        raise UserError(f"--as applies to kind html; source '{source_id}' is kind {source.kind}")
    _print_probe(source, Path(file_path), url, as_)


@source.command("probe")
@click.option("--file", "file_path", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--url", required=True, help="URL the file was fetched from (links are resolved against it).")
@click.option("--as", "as_", type=click.Choice(["list", "detail"]), help="Read the page as this kind.")
@friendly
def source_probe(file_path: str, url: str, as_: str | None) -> None:
    """Run the generic reader on a saved page (or feed), no config entry needed; JSON lines as `source test`."""
    from crawler.probe import probe_source

    if not url.startswith(("http://", "https://")):
        raise UserError(f"--url {url!r}: give the page's http(s) address")
    source = probe_source(url, Path(file_path).read_bytes()[:1000])
    if as_ and source.kind != "html":
        raise UserError(f"--as applies to HTML pages; {file_path} is a feed")
    _print_probe(source, Path(file_path), url, as_)


def _print_probe(source: Any, path: Path, url: str | None, as_: str | None) -> None:
    from crawler.probe import test_source, usable

    records = list(test_source(source, path, url, as_))
    for record in records:
        click.echo(json.dumps(record, ensure_ascii=False))
    if not usable(records):
        click.echo(f"error: nothing usable in {path} (no call with title and text, no link)", err=True)
        sys.exit(EXIT_FAILURE)
