"""The spider registry (``SPIDERS``, keyed by ``Source.kind``) and the base class every kind shares.

A new kind is a ``SourceSpider`` subclass decorated with ``@register("kind")``: it implements
``parse`` (and, for ``source test``, optionally ``parse_saved``) and yields ``models.Call`` objects
built with ``make_call`` and requests built with ``request``. The base class does the rest: the
run's counters, error recording, the blocked-page hook and the conditional-request header.
Kinds living in other modules are listed in ``KIND_MODULES`` and imported on first lookup.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler import CrawlError, parsing
from foerderradar.configuration import CrawlSettings, Source
from foerderradar.models import Call, call_id_for

SPIDERS: dict[str, type[SourceSpider]] = {}
KIND_MODULES = ("crawler.generic", "crawler.fdb", "crawler.eu")

MAX_ERROR_MESSAGES = 50


class Blocked(IgnoreRequest):
    """Raised for a response that looks like a bot-protection page; the source is marked blocked."""


def register(kind: str) -> Callable[[type[SourceSpider]], type[SourceSpider]]:
    """Class decorator: make a spider class the handler of ``Source.kind == kind``."""

    def add(cls: type[SourceSpider]) -> type[SourceSpider]:
        cls.kind = kind
        SPIDERS[kind] = cls
        return cls

    return add


def spider_class(kind: str) -> type[SourceSpider]:
    """The spider class for a source kind, importing the modules that define kinds first."""
    for module in KIND_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a missing dependency inside the module is a real error
                raise
    if kind not in SPIDERS:
        raise CrawlError(f"no spider for source kind '{kind}' (known: {', '.join(sorted(SPIDERS))})")
    return SPIDERS[kind]


@dataclass
class RunStats:
    """What one source's run did; becomes its ``crawl_runs`` row when the spider closes."""

    requests: int = 0
    bytes: int = 0
    responses: Counter[str] = field(default_factory=Counter)
    items: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    dropped: int = 0
    errors: int = 0
    blocked: int = 0
    error_messages: list[dict[str, str]] = field(default_factory=list)

    def note(self, url: str, message: str, level: str = "note") -> None:
        """Keep a message for the run record; ``level`` is error, blocked or note (not a failure)."""
        if len(self.error_messages) < MAX_ERROR_MESSAGES:
            self.error_messages.append({"url": url, "message": message, "level": level})


class SourceSpider(scrapy.Spider):
    """One configured source. Subclasses implement ``parse``; ``name`` is the source id."""

    kind: ClassVar[str] = ""

    def __init__(
        self,
        source: Source,
        crawl: CrawlSettings | None = None,
        run_id: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(name=source.id, **kwargs)
        self.source = source
        self.crawl_settings = crawl or CrawlSettings()
        self.run_id = run_id
        self.run = RunStats()
        self.crawl_delay: float = 0.0  # raised by robots.txt Crawl-delay (see crawler.middlewares)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider._on_item_error, signal=signals.item_error)
        return spider  # type: ignore[return-value]

    @property
    def max_pages(self) -> int:
        return self.source.max_pages or self.crawl_settings.max_pages

    # --- what subclasses use and override ----------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.first_requests():
            yield request

    def first_requests(self) -> Iterable[Request]:
        """The requests a run starts with; by default the source's URL, parsed by ``parse``."""
        return [self.request(self.source.url, self.parse)]

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement parse()")

    def parse_saved(self, response: Response, as_: str | None = None) -> Iterator[Any]:
        """Parse one saved response for ``source test``; override when the entry point differs.

        ``as_`` (``list`` or ``detail``) matters only to kinds that read both (``html``)."""
        return self.parse(response)

    def request(self, url: str, callback: Callable[..., Any], **kwargs: Any) -> Request:
        """A request that revalidates against the HTTP cache and reports failures on this run.

        ``meta["pending_call"]``: a call the errback yields when the request fails;
        ``meta["optional"]``: a failure is noted on the run but is not an error of the source.
        """
        headers = {"Cache-Control": "max-age=0", **kwargs.pop("headers", {})}
        kwargs.setdefault("errback", self.on_error)
        return Request(url, callback=callback, headers=headers, **kwargs)

    def make_call(
        self,
        *,
        url: str,
        title: str,
        text: str,
        published: str | None = None,
        funder: str | None = None,
        language: str | None = None,
        external_id: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> Call:
        """A ``Call`` of this source with its stable id; source defaults fill funder and language."""
        return Call(
            id=call_id_for(self.source.id, url, external_id),
            source_id=self.source.id,
            url=url,
            title=title,
            text=text,
            published=published,
            funder=funder or self.source.funder,
            language=language or self.source.language,
            external_id=external_id,
            fields=fields or {},
        )

    def is_blocked(self, response: Response) -> str | None:
        """Why this response is a bot-protection page, or None. Kinds may add their own signs."""
        if response.status == 429:
            return "HTTP 429 Too Many Requests"
        return parsing.blocked_reason(response.body)

    # --- run bookkeeping ---------------------------------------------------------------------

    def record_error(self, url: str, message: str) -> None:
        self.run.errors += 1
        self.run.note(url, message, "error")
        self.logger.warning("%s (%s)", message, url)  # the logger is named after the source

    def mark_blocked(self, url: str, reason: str) -> None:
        self.run.blocked = 1
        self.run.note(url, f"blocked: {reason}", "blocked")
        self.logger.warning("blocked: %s (%s)", reason, url)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Errback of every request: record what went wrong; yield a call a failed extra still owes."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.source.url
        message = describe_failure(failure, self.crawl_settings.timeout)
        if failure.check(Blocked):
            pass  # already marked by the middleware that caught it
        elif request is not None and request.meta.get("optional"):
            self.run.note(url, f"skipped (the call is kept without it): {message}")
        else:
            self.record_error(url, message)
        pending = request.meta.get("pending_call") if request is not None else None
        if pending is not None:
            yield pending

    def _on_item_error(
        self, item: Any, response: Response | None, spider: scrapy.Spider, failure: Failure
    ) -> None:
        if spider is self:
            url = getattr(item, "url", None) or (response.url if response is not None else self.source.url)
            self.record_error(url, f"could not store the call: {failure.getErrorMessage()}")

    def _on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        if spider is self:
            self.record_error(response.url, f"parser error: {failure.getErrorMessage()}")


def describe_failure(failure: Failure, timeout: float) -> str:
    """One line for the run record: an HTTP status, a timeout, a size limit, robots.txt, …"""
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import DNSLookupError, TimeoutError
    from twisted.web._newclient import ResponseNeverReceived

    exc = failure.value
    if failure.check(HttpError):
        return f"HTTP {exc.response.status}"
    if failure.check(TimeoutError) or "timeout" in type(exc).__name__.lower():
        return f"timeout (no answer within {timeout:g} s)"
    if failure.check(DNSLookupError) or "resolvehost" in type(exc).__name__.lower():
        return f"host not found ({failure.getErrorMessage()})"
    if "connectionrefused" in type(exc).__name__.lower():
        return "connection refused (is the site down?)"
    if failure.check(ResponseNeverReceived):
        return f"connection failed ({failure.getErrorMessage()})"
    message = failure.getErrorMessage() or type(exc).__name__
    if "robots.txt" in message:
        return "forbidden by robots.txt (the site asks crawlers to stay away from this page)"
    if "maxsize" in message.lower() or "max size" in message.lower():
        return f"response too large ({message})"
    return f"{type(exc).__name__}: {message}"
