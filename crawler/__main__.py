"""``python -m crawler --config DIR --run-id ID [--source ID …]``: one crawl process, all sources in it.

Twisted's reactor cannot be restarted, so each crawl runs in a fresh process started by
``crawler.run.crawl``; every source is one Scrapy crawler inside the one reactor. Sources on
different sites run side by side; sources on the same site (the Förderdatenbank's pages and its
export) run one after the other, so the site never gets more than one source's requests at a time.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Generator
from typing import Any

from crawler.run import by_site, select_sources
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
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        sources = select_sources(config, args.source or None)
        for source in sources:
            spider_class(source.kind)
    except (ConfigError, CrawlError) as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 2
    run_all(config, sources, args.run_id, args.log_level)
    return 0


def run_all(config: Config, sources: list[Source], run_id: str, log_level: str) -> None:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(process_settings(config, log_level))
    # A robots.txt that cannot be fetched is logged by Scrapy with two tracebacks per source; the
    # request itself then fails the same way and is recorded on the run with its URL, so say it once.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    crawlers = {}
    for source in sources:  # creating the first crawler installs the configured reactor
        crawler = process.create_crawler(spider_class(source.kind))
        crawler.settings.setdict(source_settings(config, source), priority="spider")
        crawlers[source.id] = crawler
    from twisted.internet import defer, reactor

    @defer.inlineCallbacks
    def one_after_another(group: list[Source]) -> Generator[Any, Any, None]:
        for source in group:
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


if __name__ == "__main__":
    sys.exit(main())
