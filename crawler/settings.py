"""All Scrapy settings in one place, derived from ``settings.crawl`` and the source's own options."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from foerderradar.configuration import Config, Source

# Status codes worth another try; 429 is not here: a rate limit is reported as blocked instead.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
REACTOR = (
    "twisted.internet.epollreactor.EPollReactor"
    if sys.platform.startswith("linux")
    else "twisted.internet.selectreactor.SelectReactor"
)


# The fixed parts: request headers and the project's own middlewares, extensions and pipelines
# (the numbers are Scrapy's orders; the comments say why each stands where it does).
COMPONENTS: dict[str, dict[str, Any]] = {
    "DEFAULT_REQUEST_HEADERS": {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "de,en;q=0.8",
    },
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawler.middlewares.BackoffRetry": 550,
        "crawler.guards.TextGuard": 580,  # after the cache (900): the cache keeps the raw body
        "crawler.middlewares.WireStats": 950,
        # between the HTTP cache (900) and the wire counts (950): sees every request that would
        # go out (redirects, robots.txt) and the real peer of each response before it is cached
        "crawler.guards.AddressGuard": 925,
    },
    "EXTENSIONS": {
        "scrapy.extensions.throttle.AutoThrottle": None,
        "crawler.middlewares.PoliteThrottle": 0,
        "crawler.middlewares.CrawlDelay": 0,
        "crawler.middlewares.Progress": 0,
        "scrapy.extensions.telnet.TelnetConsole": None,
    },
    "ITEM_PIPELINES": {
        "crawler.pipelines.NormalisePipeline": 100,
        "crawler.pipelines.ValidatePipeline": 200,
        "crawler.pipelines.StorePipeline": 300,
    },
}


def cache_dir(config: Config) -> Path:
    """The HTTP cache (for conditional requests) lives beside the database file."""
    return config.database_path.parent / "httpcache"


def process_settings(config: Config, log_level: str = "WARNING") -> dict[str, Any]:
    """Settings shared by every source of one crawl process."""
    crawl = config.settings.crawl
    return {
        "BOT_NAME": "foerderradar",
        # Twisted's own epoll reactor: with Scrapy's default asyncio reactor every request waited
        # tens of milliseconds in the event loop (measured 16× slower against a local server).
        "TWISTED_REACTOR": REACTOR,
        "USER_AGENT": config.settings.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots_txt,
        "CONCURRENT_REQUESTS": max(16, crawl.concurrent_requests_per_domain),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
        # Scrapy starts this many cooperative tasks per response; a page yields far fewer outputs
        "CONCURRENT_ITEMS": 10,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0,  # a randomised delay may undercut a Crawl-delay
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrent_requests_per_domain),
        "REMOTE_CONTROL_ENABLED": False,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",  # the source's own warning says it, with the URL
        "RETRY_BACKOFF_BASE": max(crawl.download_delay, 1.0),
        "REDIRECT_MAX_TIMES": 10,
        "DUPEFILTER_CLASS": "crawler.middlewares.LoopAwareDupeFilter",
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_POLICY": "crawler.cache.RevalidatePolicy",
        "HTTPCACHE_STORAGE": "crawler.cache.PageCacheStorage",
        "HTTPCACHE_DIR": str(cache_dir(config)),
        "HTTPCACHE_EXPIRATION_SECS": 0,
        **copy.deepcopy(COMPONENTS),  # a caller may change the result; the table stays
        "FOERDERRADAR_DATABASE": str(config.database_path),
        "PROGRESS_EVERY": crawl.progress_every,
        "LOG_LEVEL": log_level,
        "LOG_FORMATTER": "crawler.middlewares.ShortLogFormatter",
        "LOG_FORMAT": "%(asctime)s %(name)s %(levelname)s: %(message)s",
        "LOG_DATEFORMAT": "%H:%M:%S",
    }


def source_settings(config: Config, source: Source) -> dict[str, Any]:
    """What one source changes: its own delay (at least the global one) and size limit."""
    crawl = config.settings.crawl
    delay = max(crawl.download_delay, source.delay or 0.0)
    return {
        "DOWNLOAD_MAXSIZE": source.max_bytes or crawl.max_response_bytes,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, delay),
    }
