"""The crawler stage: Scrapy spiders per source kind that write funding calls into the store.

Start a crawl with ``crawler.run.crawl()`` (one child process, ``python -m crawler``); check a parser
on a saved page with ``crawler.probe.test_source()``; read source health with ``crawler.health``.
"""


class CrawlError(Exception):
    """A crawl could not run (the crawl process failed, a source kind is unknown); one line for the CLI."""
