"""Scrapy components for politeness and health: wire counts, blocked pages, backoff, Crawl-delay."""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Request, Response, TextResponse
from scrapy.logformatter import LogFormatter
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, threads
from twisted.internet.task import deferLater

from crawler.addresses import AddressPolicy
from crawler.spiders import Blocked, SourceSpider

MAX_BACKOFF = 120.0


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


class PrivateAddress(IgnoreRequest):
    """A request to a private, loopback, link-local or metadata address the source does not allow."""


class AddressGuard:
    """Downloader middleware: refuse requests whose host resolves to a non-public address (SSRF).

    Before the request: the host is resolved (in a thread, like Scrapy's own resolver) and every
    address it has is checked, so no packet goes to an internal service. After it: the address the
    connection really reached (``response.ip_address``) is checked again, so a name that resolves
    differently the second time (DNS rebinding) is caught before the HTTP cache stores the answer.
    Every request passes here, redirects and robots.txt included.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressGuard:
        return cls(crawler)

    def _policy(self) -> AddressPolicy | None:
        spider = self.crawler.spider
        return AddressPolicy.of(spider.source.allow_private) if isinstance(spider, SourceSpider) else None

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        policy = self._policy()
        if policy is None or policy.allow_all or request.meta.get("proxy"):
            return
        parts = urlsplit(request.url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = await maybe_deferred_to_future(threads.deferToThread(_resolve, host, port))
        reason = policy.refusal(host, port, addresses)
        if reason:
            raise PrivateAddress(f"{reason} ({request.url})")

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        policy = self._policy()
        peer = getattr(response, "ip_address", None)
        if policy is None or policy.allow_all or peer is None or request.meta.get("proxy"):
            return response
        parts = urlsplit(request.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        reason = policy.refusal(parts.hostname or "", port, [str(peer)])
        if reason:
            raise PrivateAddress(f"{reason} ({request.url})")
        return response


def _resolve(host: str, port: int) -> list[str]:
    """Every address of ``host``; none when it does not resolve (the download then fails as usual)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in found})


# C0 control bytes other than tab, line feed and carriage return, and DEL: never text, and XML
# parsers stop at them (a feed item with a NUL was cut short there).
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
XML_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]{0,200}?encoding=["'])[^"']{1,40}(["'])""")
WIDE_ENCODINGS = ("utf-16", "utf-32", "utf16", "utf32")  # where a zero byte is part of a character


class TextGuard:
    """Downloader middleware: the body of every text response is clean text in a charset that decodes.

    Control bytes are removed (noted on the run), so every parser after it sees the whole text. A
    body that does not decode in its declared charset is detected (charset_normalizer) and re-encoded
    as UTF-8, noted on the run, instead of being read with U+FFFD replacement characters. It sits
    after the HTTP cache, so the cache keeps what the server sent.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> TextGuard:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        source = self.crawler.spider
        if (
            not isinstance(response, TextResponse)
            or not response.body
            or not isinstance(source, SourceSpider)
        ):
            return response
        cleaned, notes = clean_body(response.body, response.encoding)
        for note in notes:
            source.run.note(response.url, note)
        if cleaned.body == response.body and cleaned.encoding == response.encoding:
            return response
        if cleaned.encoding == response.encoding:
            return response.replace(body=cleaned.body)
        # re-encoded as UTF-8: say so wherever a parser looks (feedparser reads header and declaration)
        headers = response.headers.copy()
        ctype = (headers.get("Content-Type") or b"text/html").decode("latin-1").split(";", 1)[0]
        headers["Content-Type"] = f"{ctype}; charset=utf-8"
        body = XML_DECLARED.sub(rb"\1utf-8\2", cleaned.body, count=1)
        return response.replace(body=body, encoding="utf-8", headers=headers)


@dataclass(frozen=True)
class Body:
    body: bytes
    encoding: str


def clean_body(body: bytes, declared: str) -> tuple[Body, list[str]]:
    """The body without control bytes, in a charset it decodes in (UTF-8 when re-encoded); notes why."""
    notes: list[str] = []
    wide = declared.lower().replace("_", "-").startswith(WIDE_ENCODINGS)
    if not wide:
        stripped = body.translate(None, CONTROL_BYTES)
        if len(stripped) != len(body):
            notes.append(
                f"removed {len(body) - len(stripped)} control bytes (NUL and the like) from the text"
            )
            body = stripped
    try:
        body.decode(declared)
        return Body(body, declared), notes
    except (UnicodeDecodeError, LookupError) as exc:
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        detected = detect_charset(body)
        if detected is None:
            notes.append(
                f"the text does not decode as its declared charset {declared}{where} and no other charset "
                "fits: undecodable bytes were replaced (U+FFFD)"
            )
            return Body(body, declared), notes
        notes.append(
            f"the text does not decode as its declared charset {declared}{where}; read as {detected}"
        )
        return Body(body.decode(detected).encode("utf-8"), "utf-8"), notes


def detect_charset(body: bytes) -> str | None:
    """The charset the body decodes in best (charset_normalizer), or None."""
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None or best.encoding is None:
        return None
    try:
        body.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return str(best.encoding)


class BackoffRetry(RetryMiddleware):
    """Scrapy's retry with exponential backoff: the n-th retry waits ``RETRY_BACKOFF_BASE * 2**(n-1)``."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        return await self._wait(result)

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        return await self._wait(result)

    async def _wait(self, result: Any) -> Any:
        if isinstance(result, Request) and self.backoff_base > 0:
            tries = result.meta.get("retry_times", 1)
            delay = min(MAX_BACKOFF, self.backoff_base * 2 ** (tries - 1))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return result


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
    """

    def log(self, request: Request, spider: Spider) -> None:
        super().log(request, spider)
        hops = request.meta.get("redirect_urls")
        if hops and isinstance(spider, SourceSpider):
            spider.record_error(hops[0], f"redirect loop ({' → '.join([*hops, request.url])})")
