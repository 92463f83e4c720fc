"""Entry points the scheduler calls: ``crawl`` (one child process per run); ``test_source`` lives in probe."""

from __future__ import annotations

import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

from crawler.links import link_duplicates
from crawler.probe import test_source
from crawler.spiders import CrawlError, spider_class
from foerderradar.configuration import Config, Source


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


def crawl(config: Config, run_id: str, source_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Crawl the sources in one child process and return this run's ``crawl_runs`` rows.

    Raises ``ConfigError`` for an unknown source id and ``CrawlError`` when the process fails.
    """
    from foerderradar.store import Store

    sources = select_sources(config, source_ids)
    for source in sources:
        spider_class(source.kind)  # an unknown kind fails here, before a process starts
    if not sources:
        return []
    store = Store(config.database_path)
    try:
        store.sync_sources(config.sources)  # calls refer to their source row
    finally:
        store.close()
    command = [sys.executable, "-m", "crawler", "--config", str(config.directory), "--run-id", run_id]
    for source in sources:
        command += ["--source", source.id]
    result = subprocess.run(command, check=False)  # the installed environment, as for the parent
    store = Store(config.database_path)
    try:
        runs = store.crawl_runs(run_id)
        link_duplicates(store)  # the same call from two sources → one canonical call
    finally:
        store.close()
    if result.returncode != 0:
        raise CrawlError(
            f"crawl process of run {run_id} exited with code {result.returncode} "
            f"after {len(runs)} of {len(sources)} sources; see the messages above"
        )
    return runs


__all__ = ["CrawlError", "crawl", "select_sources", "test_source"]
