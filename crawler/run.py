"""Entry points the scheduler calls: ``crawl`` (one child process per run) and ``test_source``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.links import link_duplicates
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


EXIT_STORE_FAILED = 3  # the crawl process's exit code when the database could not be written


def crawl(config: Config, run_id: str, source_ids: list[str] | None = None) -> list[dict[str, Any]]:
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
def _store(config: Config) -> Iterator[Any]:
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


def test_source(source: Source, path: Path, url: str | None = None) -> Iterator[dict[str, Any]]:
    """Parse one saved response with the source's parser, no network.

    Yields ``{"item": {...}}`` per call (as the pipeline would store it), ``{"follow": url}`` per
    link the spider would request, then ``{"dropped": …}``, ``{"error": …}``, ``{"note": …}`` and
    ``{"blocked": …}`` for what the run record would show.
    """
    from scrapy.http import Request
    from scrapy.responsetypes import responsetypes

    from crawler.pipelines import normalise_call, problem
    from foerderradar.models import Call

    spider = spider_class(source.kind)(source=source)
    body = Path(path).read_bytes()
    where = url or source.url
    response_class = responsetypes.from_args(url=where, body=body, filename=str(path))
    # saved_file lets a kind read linked files beside the saved one (an unpacked export)
    response = response_class(url=where, body=body, request=Request(where, meta={"saved_file": str(path)}))
    reason = spider.is_blocked(response)
    if reason:
        yield {"blocked": reason, "url": where}
        return
    for output in spider.parse_saved(response) or ():
        if isinstance(output, Request):
            pending = output.meta.get("pending_call")
            if isinstance(pending, Call):
                yield _item_record(normalise_call(pending), problem)
            yield {"follow": output.url}
        elif isinstance(output, Call):
            yield _item_record(normalise_call(output), problem)
    for note in spider.run.error_messages:
        yield {note.get("level", "error"): note["message"], "url": note["url"]}


def _item_record(call: Any, problem: Any) -> dict[str, Any]:
    why = problem(call)
    return {"dropped": why, "item": asdict(call)} if why else {"item": asdict(call)}


__all__ = ["CrawlError", "crawl", "select_sources", "test_source"]
