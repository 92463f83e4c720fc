"""Spider for the EU Funding & Tenders portal (kind ``eu-sedia``): paged multipart POSTs to the SEDIA API.

Rows of one topic can be spread over pages (one row per cut-off), so rows are gathered per topic
over all pages and the calls are yielded once, after the last page (or when a page fails, so what
was read is still stored). The parsing is pure and lives in ``crawler.eu_sedia``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.eu_sedia import collect, search_request, topic_call
from crawler.parsed import ParseError
from crawler.spiders import SourceSpider, register
from foerderradar.configuration import SediaOptions


@register("eu-sedia")
class EuSediaSpider(SourceSpider):
    """Grants and cascade calls of the configured programmes, open and forthcoming."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = self.source.sedia or SediaOptions()
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.flushed = False

    def first_requests(self) -> Iterable[Request]:
        return [self.page_request(1)]

    def page_request(self, number: int) -> Request:
        search = search_request(self.options, number, endpoint=self.source.url)
        return self.request(
            search.url,
            self.parse,
            method="POST",
            body=search.body,
            headers={"Content-Type": search.content_type, "Accept": "application/json"},
            cb_kwargs={"number": number},
        )

    def parse(self, response: Response, number: int = 1, **kwargs: Any) -> Iterator[Any]:
        try:
            page, groups = collect(response.body, response.url, self.source.id, self.options)
        except ParseError as exc:
            self.record_error(response.url, str(exc))
            yield from self.flush()
            return
        self.run.dropped += len(page.dropped)  # stale SEDIA_PRD_CENTRICITY copies, other types
        for key, rows in groups.items():
            self.rows.setdefault(key, []).extend(rows)
        if page.more and number < self.max_pages:
            yield self.page_request(number + 1)
        else:
            yield from self.flush()

    def parse_saved(self, response: Response, as_: str | None = None) -> Iterator[Any]:
        self.rows.clear()
        return self.parse(response, number=self.max_pages)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        yield from super().on_error(failure)
        yield from self.flush()

    def flush(self) -> Iterator[Any]:
        """Yield one call per topic gathered so far (once per run)."""
        if self.flushed:
            return
        self.flushed = True
        for key, rows in self.rows.items():
            yield topic_call(key, rows, self.source.id)
