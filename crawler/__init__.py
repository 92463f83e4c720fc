"""The crawler stage: Scrapy spiders per source kind that write funding calls into the store.

Start a crawl with ``crawler.run.crawl()`` (one child process, ``python -m crawler``); check a parser
on a saved page with ``crawler.run.test_source()``; read source health with ``crawler.health``.
"""
