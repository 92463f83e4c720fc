"""Scrapy components for politeness and health: wire counts, blocked pages, backoff, Crawl-delay."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Request, Response
from scrapy.logformatter import LogFormatter
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import LoopingCall, deferLater

from crawler.spiders import Blocked, SourceSpider

MAX_BACKOFF = 120.0
# Progress lines (retries, long waits): shown whatever Scrapy's log level, see crawler.__main__
PROGRESS = logging.getLogger("foerderradar.progress")


class WireStats:
    """Downloader middleware next to the network: counts what really went over the wire.

    It sits after the HTTP cache (priority 950 > 900), so it sees a revalidation's real 304
    before the cache turns it into the stored 200, and it never sees requests the cache answered.
    It is also where a bot-protection page is caught, before it could be cached or retried.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> WireStats:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        source = self._source_spider()
        if source is not None:
            source.run.requests += 1

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        source = self._source_spider()
        if source is None:
            return response
        source.run.responses[str(response.status)] += 1
        # headers count too: a 304 has no body, but it is not free
        source.run.bytes += len(response.body) + len(response.headers.to_string()) + 4
        if response.status != 304 and not request.url.endswith("/robots.txt"):
            reason = source.is_blocked(response)
            if reason:
                source.mark_blocked(request.url, reason)
                raise Blocked(reason)
        return response

    def _source_spider(self) -> SourceSpider | None:
        spider = self.crawler.spider
        return spider if isinstance(spider, SourceSpider) else None


class BackoffRetry(RetryMiddleware):
    """Scrapy's retry with exponential backoff: the n-th retry waits ``RETRY_BACKOFF_BASE * 2**(n-1)``."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        return await self._wait(result, f"HTTP {response.status}")

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        return await self._wait(result, type(exception).__name__)

    async def _wait(self, result: Any, why: str) -> Any:
        if isinstance(result, Request):
            tries = result.meta.get("retry_times", 1)
            delay = min(MAX_BACKOFF, self.backoff_base * 2 ** (tries - 1)) if self.backoff_base > 0 else 0.0
            PROGRESS.info(
                "%s: %s failed (%s); retry %d of %d in %g s",
                self.crawler.spider.name, result.url, why, tries,
                result.meta.get("max_retry_times", self.max_retry_times), delay,
            )  # fmt: skip
            if delay:
                await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return result


class Progress:
    """Extension: a line every ``PROGRESS_EVERY`` seconds while the source is still crawling.

    A source with a long Crawl-delay (the Förderdatenbank asks for 30 s) or waiting out retries
    would otherwise keep ``run`` silent for minutes, which looks like a hang.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.every = crawler.settings.getfloat("PROGRESS_EVERY", 30.0)
        self.task: LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        return cls(crawler)

    def opened(self, spider: Spider | None = None) -> None:
        if self.every > 0:
            self.task = LoopingCall(self.report)
            self.task.start(self.every, now=False)

    def report(self) -> None:
        spider = self.crawler.spider
        if not isinstance(spider, SourceSpider):
            return
        run = spider.run
        delay = max(self.crawler.settings.getfloat("DOWNLOAD_DELAY"), spider.crawl_delay)
        PROGRESS.info(
            "%s: still crawling — %d requests, %d calls so far%s",
            spider.name, run.requests, run.items, f"; waits {delay:g} s between requests" if delay >= 1 else "",
        )  # fmt: skip

    def closed(self, spider: Spider | None = None) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()


class CrawlDelay:
    """Extension: honour robots.txt ``Crawl-delay`` (Scrapy reads robots.txt but ignores the delay)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlDelay:
        return cls(crawler)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        reader = getattr(robotparser, "crawl_delay", None)
        delay = reader(self.crawler.settings.get("USER_AGENT", "*")) if reader else None
        spider = self.crawler.spider
        if not delay or not isinstance(spider, SourceSpider):
            return
        spider.crawl_delay = max(spider.crawl_delay, float(delay))
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            slot.delay = max(slot.delay, spider.crawl_delay)
        spider.logger.info("%s: robots.txt asks for Crawl-delay %s s", spider.name, delay)


class PoliteThrottle(AutoThrottle):
    """AutoThrottle that never goes below the robots.txt Crawl-delay of the source's site."""

    def _adjust_delay(self, slot: Any, latency: float, response: Response) -> None:
        super()._adjust_delay(slot, latency, response)
        spider = self.crawler.spider
        floor = spider.crawl_delay if isinstance(spider, SourceSpider) else 0.0
        slot.delay = max(slot.delay, floor)


class ShortLogFormatter(LogFormatter):
    """A dropped call is logged as one line with its URL (Scrapy prints the whole item, text and all)."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        return {
            "level": logging.INFO,
            "msg": "Dropped %(url)s: %(exception)s",
            "args": {"url": getattr(item, "url", "?"), "exception": exception},
        }


class LoopAwareDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, but a redirect back to a page already asked for is a recorded error.

    Otherwise a redirect loop ends silently: the request is dropped as a duplicate, no errback runs.
    A request a call waits for (``meta["pending_call"]``) is never dropped as a mere duplicate:
    the call would be lost with it.
    """

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        hops = request.meta.get("redirect_urls") or []
        if seen and request.meta.get("pending_call") is not None and request.url not in hops:
            return False  # a call waits on this page (two feed entries, one page): read it again
        return seen

    def log(self, request: Request, spider: Spider) -> None:
        super().log(request, spider)
        hops = request.meta.get("redirect_urls")
        if not hops or not isinstance(spider, SourceSpider):
            return
        chain = " → ".join([*hops, request.url])
        if request.url in hops:
            spider.record_error(hops[0], f"redirect loop ({chain})")
        else:  # two links that lead to one page: not a fault of the source
            spider.run.note(hops[0], f"redirects to a page already read in this run ({chain})")
