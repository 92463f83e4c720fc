"""``python -m crawler --config DIR --run-id ID [--source ID …]``: one crawl process, all sources in it.

Twisted's reactor cannot be restarted, so each crawl runs in a fresh process started by
``crawler.run.crawl``; every source is one Scrapy crawler inside the one reactor.
"""

from __future__ import annotations

import argparse
import sys

from configuration import ConfigError, load_config
from crawler.run import select_sources
from crawler.settings import process_settings, source_settings
from crawler.spiders import CrawlError, spider_class


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
        classes = {s.id: spider_class(s.kind) for s in sources}
    except (ConfigError, CrawlError) as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 2
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(process_settings(config, args.log_level))
    for source in sources:
        crawler = process.create_crawler(classes[source.id])
        crawler.settings.setdict(source_settings(config, source), priority="spider")
        process.crawl(crawler, source=source, crawl=config.settings.crawl, run_id=args.run_id)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
