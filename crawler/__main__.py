"""``python -m crawler --config DIR --run-id ID [--source ID …]``: one crawl process, all sources in it.

Twisted's reactor cannot be restarted, so each crawl runs in a fresh process started by
``crawler.run.crawl``; every source is one Scrapy crawler inside the one reactor. Sources on
different sites run side by side; sources on the same site (the Förderdatenbank's pages and its
export) run one after the other, so the site never gets more than one source's requests at a time.

With ``--stop-with-parent`` the process watches its stdin, a pipe the parent holds: when the parent
dies the pipe closes and the crawl stops as on SIGTERM (each source's row is finished as interrupted).
Exit codes: 0 done, 2 bad config, 3 the database could not be written (the one message is on stdout).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Generator
from typing import Any

from crawler.pipelines import STORE_FAILED
from crawler.run import EXIT_STORE_FAILED, by_site, select_sources
from crawler.settings import process_settings, source_settings
from crawler.spiders import CrawlError, spider_class
from foerderradar.configuration import Config, ConfigError, Source, load_config

logger = logging.getLogger("crawler")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    parser.add_argument("--config", required=True, help="config folder")
    parser.add_argument("--run-id", required=True, help="id shared by this run's crawl_runs rows")
    parser.add_argument("--source", action="append", default=[], help="only this source (repeatable)")
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (default WARNING)")
    parser.add_argument("--stop-with-parent", action="store_true", help="stop when stdin (a pipe) closes")
    args = parser.parse_args(argv)
    if args.stop_with_parent:
        watch_parent()
    try:
        config = load_config(args.config)
        sources = select_sources(config, args.source or None)
        for source in sources:
            spider_class(source.kind)
    except (ConfigError, CrawlError) as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 2
    failure = run_all(config, sources, args.run_id, args.log_level)
    if failure:
        print(failure, flush=True)  # stdout: the parent shows it as the crawl's one error line
        return EXIT_STORE_FAILED
    return 0


def watch_parent(grace: float = 30.0) -> None:
    """Stop the crawl when the parent's end of stdin closes (the parent died): SIGTERM, as Scrapy
    expects, then a second one after ``grace`` seconds if in-flight downloads hold it up."""

    def watch() -> None:
        while os.read(0, 1):  # the raw fd: a buffered reader would block interpreter shutdown
            pass
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(grace)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def show_progress() -> None:
    """Progress lines (retries, "still crawling") go to stderr at any Scrapy log level, once each."""
    progress = logging.getLogger("foerderradar.progress")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s progress: %(message)s", "%H:%M:%S"))
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False  # Scrapy's root handler would filter it out at WARNING, or print it twice


def run_all(config: Config, sources: list[Source], run_id: str, log_level: str) -> str | None:
    """Run every source's crawler in one reactor; the store failure that stopped them, if any."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.defer import deferred_from_coro

    process = CrawlerProcess(process_settings(config, log_level))
    show_progress()
    # A robots.txt that cannot be fetched is logged by Scrapy with two tracebacks per source; the
    # request itself then fails the same way and is recorded on the run with its URL, so say it once.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    crawlers = {}
    for source in sources:  # creating the first crawler installs the configured reactor
        crawler = process.create_crawler(spider_class(source.kind))
        crawler.settings.setdict(source_settings(config, source), priority="spider")
        crawlers[source.id] = crawler
    from twisted.internet import defer, reactor

    failures: list[str] = []
    shutting_down: list[bool] = []

    def stop_all(spider: Any, reason: str) -> None:  # the disk is full for every source alike
        if reason == "shutdown":  # SIGTERM or the parent gone: the sources still queued never start
            shutting_down.append(True)
        if reason == STORE_FAILED and not failures:
            failures.append(str(crawlers[spider.name].stats.get_value(STORE_FAILED)))
            for crawler in crawlers.values():
                if crawler.crawling:
                    deferred_from_coro(crawler.stop_async())

    for crawler in crawlers.values():
        crawler.signals.connect(stop_all, signal=signals.spider_closed)

    @defer.inlineCallbacks
    def one_after_another(group: list[Source]) -> Generator[Any, Any, None]:
        for source in group:
            if failures or shutting_down:
                return
            try:
                yield process.crawl(
                    crawlers[source.id], source=source, crawl=config.settings.crawl, run_id=run_id
                )
            except Exception:  # a spider that cannot even start must not keep its site's others out
                logger.exception("%s: the crawl failed", source.id)

    def stop(_: Any) -> None:
        if reactor.running:  # type: ignore[attr-defined]
            reactor.stop()  # type: ignore[attr-defined]

    chains = [one_after_another(group) for group in by_site(sources)]
    defer.DeferredList(chains, consumeErrors=True).addBoth(stop)
    process.start(stop_after_crawl=False)
    return failures[0] if failures else None


if __name__ == "__main__":
    sys.exit(main())
