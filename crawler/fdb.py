"""Spiders for the Förderdatenbank des Bundes: the XML export (``fdb-export``) and its HTML pages (``fdb``).

The parsing is pure and lives in ``crawler.fdb_export`` and ``crawler.fdb_html``; these classes only
turn responses into requests, calls and run records. The site's robots.txt asks for a 30-second
Crawl-delay: the config entries say ``delay: 30`` and ``crawler.middlewares.CrawlDelay`` enforces it too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response

from crawler import fdb_html
from crawler.fdb_export import iter_zip, parse_export, parse_export_path
from crawler.parsed import Parsed, ParseError
from crawler.spiders import SourceSpider, register


@register("fdb-export")
class FdbExportSpider(SourceSpider):
    """One GET of ``/FDB/WS/export``: a ZIP read member by member; anything else is an error."""

    def first_requests(self) -> Iterable[Request]:
        meta = {"download_maxsize": self.source.max_bytes} if self.source.max_bytes else {}
        return [self.request(self.source.url, self.parse, meta=meta)]

    def is_blocked(self, response: Response) -> str | None:
        if response.body[:4] == b"PK\x03\x04":  # a ZIP is never a captcha page
            return None
        return super().is_blocked(response)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        body = response.body
        if body[:4] != b"PK\x03\x04":
            # The export sometimes redirects to the home page: an error, and nothing is deleted.
            try:
                parsed = parse_export(body, response.url, self.source.id, self.source.funder)
            except ParseError as exc:
                self.record_error(response.url, str(exc))
                return
            yield from self._emit(parsed, response.url)
            return
        errors: list[str] = []
        try:
            yield from iter_zip(io.BytesIO(body), self.source.id, self.source.funder, errors)
        except ParseError as exc:
            self.record_error(response.url, str(exc))
        for message in errors:
            self.record_error(response.url, message)

    def parse_saved(self, response: Response, as_: str | None = None) -> Iterator[Any]:
        """A saved ZIP, or one programme's XML; inside an unpacked export its links are resolved."""
        saved = response.meta.get("saved_file")
        if not saved:
            return self.parse(response)
        try:
            parsed = parse_export_path(Path(saved), self.source.id, self.source.funder)
        except ParseError as exc:
            self.record_error(response.url, str(exc))
            return iter(())
        return self._emit(parsed, response.url)

    def _emit(self, parsed: Parsed, url: str) -> Iterator[Any]:
        for message in parsed.errors:
            self.record_error(url, message)
        yield from parsed.calls


@register("fdb")
class FdbSpider(SourceSpider):
    """List pages (cards, token pagination followed as given) and programme detail pages."""

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        return self.parse_page(response, page=1)

    def parse_page(self, response: Response, page: int = 1) -> Iterator[Any]:
        parsed = fdb_html.parse_page(response.body, response.url, self.source.id, self.source.funder)
        if parsed.blocked:
            self.mark_blocked(response.url, "Radware bot-protection page")
            return
        for message in parsed.errors:
            self.record_error(response.url, message)
        yield from parsed.calls
        for url in parsed.follow:
            if fdb_html.programme_key(url):
                yield self.request(url, self.parse_detail)
            elif page < self.max_pages:
                yield self.request(url, self.parse_page, cb_kwargs={"page": page + 1})

    def parse_detail(self, response: Response) -> Iterator[Any]:
        return self.parse_page(response, page=self.max_pages)
