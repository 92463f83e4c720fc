"""Entry points the scheduler calls: ``crawl`` (one child process per run); ``test_source`` lives in probe."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.links import link_duplicates
from crawler.probe import test_source
from crawler.spiders import CrawlError, spider_class
from foerderradar.configuration import Config, Source

if TYPE_CHECKING:
    from foerderradar.store import CrawlRun, Store


def select_sources(config: Config, source_ids: list[str] | None) -> list[Source]:
    """The named sources (even when disabled: asked for by name), else every enabled one.

    An unknown id raises ``configuration.ConfigError`` naming the known ids.
    """
    if source_ids:
        return [config.source(source_id) for source_id in dict.fromkeys(source_ids)]
    return [source for source in config.sources if source.enabled]


def by_site(sources: list[Source]) -> list[list[Source]]:
    """Sources grouped by the site they fetch from (host and port, ``www.`` ignored), in order."""
    groups: dict[str, list[Source]] = {}
    for source in sources:
        site = urlsplit(source.url).netloc.lower().removeprefix("www.")
        groups.setdefault(site, []).append(source)
    return list(groups.values())


EXIT_STORE_FAILED = 3  # the crawl process's exit code when the database could not be written


def crawl(config: Config, run_id: str, source_ids: list[str] | None = None) -> list[CrawlRun]:
    """Crawl the sources in one child process and return this run's ``crawl_runs`` rows.

    The child stops when this process dies (it watches a pipe from us). Rows an earlier crawl left
    ``running`` (its process killed) are marked interrupted first, and so are this run's own when
    the child dies. Raises ``ConfigError`` for an unknown source id and ``CrawlError`` when the
    process fails, with the child's own one-line message for a database it could not write.
    """
    sources = select_sources(config, source_ids)
    for source in sources:
        spider_class(source.kind)  # an unknown kind fails here, before a process starts
    if not sources:
        return []
    with _store(config) as store:
        store.sync_sources(config.sources)  # calls refer to their source row
        store.interrupt_crawl_runs(process_gone)
    command = [sys.executable, "-m", "crawler", "--config", str(config.directory), "--run-id", run_id]
    command += ["--stop-with-parent", *[arg for source in sources for arg in ("--source", source.id)]]
    # the installed environment, as for the parent; stderr (warnings, progress) goes straight through
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    message = child.stdout.read().decode("utf-8", "replace").strip() if child.stdout else ""
    returncode = child.wait()
    if child.stdin:
        child.stdin.close()
    if returncode == EXIT_STORE_FAILED and message:
        raise CrawlError(message.splitlines()[-1])
    with _store(config) as store:
        store.interrupt_crawl_runs(lambda pid: True, run_id)  # the child is gone: nothing still runs
        runs = store.crawl_runs(run_id)
        link_duplicates(store)  # the same call from two sources → one canonical call
    if returncode != 0:
        raise CrawlError(
            f"crawl process of run {run_id} exited with code {returncode} "
            f"after {len(runs)} of {len(sources)} sources; see the messages above"
        )
    return runs


@contextmanager
def _store(config: Config) -> Iterator[Store]:
    from foerderradar.store import Store

    store = Store(config.database_path)
    try:
        yield store
    finally:
        store.close()


def process_gone(pid: int) -> bool:
    """Whether no crawl process ``pid`` runs any more (the owner of a ``running`` row).

    On Linux the pid must still be a crawl (``python -m crawler``): after a reboot the number may
    belong to another program, and the row would otherwise stay "running" for ever.
    """
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, under another user
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return b"-m\x00crawler\x00" not in cmdline.read_bytes()
    except OSError:
        return not Path("/proc/self").exists()  # no /proc (macOS): trust os.kill


__all__ = ["CrawlError", "crawl", "select_sources", "test_source"]
