"""The generic kinds an admin configures without code: ``feed`` (RSS/Atom) and ``html`` (list + details)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import feedparser
from scrapy.http import Request, Response, TextResponse

from crawler import parsing
from crawler.spiders import SourceSpider, register
from foerderradar.configuration import Selectors
from foerderradar.models import Call, call_id_for

# Linked PDFs worth reading: the guideline or announcement often alone states the deadline.
PDF_LINKS = "a[href$='.pdf'], a[href$='.PDF'], a[href*='.pdf?'], a[href*='blob=publicationFile']"
PDF_WORDS = re.compile(r"richtlinie|bekanntmachung|f(?:ö|oe)rderaufruf|aufruf|guideline|call", re.I)
MAX_PDFS = 2
MAX_PDF_CHARS = 200_000


class PdfMixin(SourceSpider):
    """Reads linked guideline PDFs into a call: the deadline often stands only in the Richtlinie."""

    def with_pdfs(self, call: Call, response: TextResponse) -> Any:
        """The call itself, or the request for its first PDF (which yields the call when done)."""
        pdfs = self._pdf_links(response)
        return self._pdf_request(call, pdfs) if pdfs else call

    def _pdf_links(self, response: TextResponse) -> list[str]:
        chosen = self.source.selectors.pdf if self.source.selectors else None
        if chosen == "":
            return []
        if chosen:
            found = parsing.links(response, chosen)
        else:
            found = [
                a.attrib.get("href", "")
                for a in response.css(PDF_LINKS)
                if PDF_WORDS.search(a.attrib.get("href", "") + " " + parsing.element_text(a))
            ]
        return [response.urljoin(u) for u in dict.fromkeys(found) if u][:MAX_PDFS]

    def _pdf_request(self, call: Call, pdfs: list[str]) -> Request:
        return self.request(
            pdfs[0],
            self.parse_pdf,
            meta={
                "pending_call": call,
                "more_pdfs": pdfs[1:],
                "download_maxsize": self._pdf_limit(),
                "optional": True,
            },
        )

    def _pdf_limit(self) -> int:
        return min(self.crawl_settings.max_pdf_bytes, self.crawl_settings.max_response_bytes)

    def parse_pdf(self, response: Response) -> Iterator[Any]:
        call: Call = response.meta["pending_call"]
        try:
            extra = parsing.pdf_text(response.body, MAX_PDF_CHARS)
        except ValueError as exc:  # the call stands without it: noted, not an error of the source
            self.run.note(response.url, f"PDF skipped: {exc}")
            extra = ""
        if extra:
            # file names only: the host may differ between runs (mirrors, the demo's port)
            name = response.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            documents = " ".join(filter(None, [call.fields.get("documents"), name]))
            call = replace(
                call, text=f"{call.text}\n\n{extra}", fields={**call.fields, "documents": documents}
            )
        more = response.meta.get("more_pdfs") or []
        yield self._pdf_request(call, more) if more else call


@register("feed")
class FeedSpider(PdfMixin):
    """An RSS or Atom feed: one call per entry, parsed by feedparser from the downloaded body.

    With ``follow_links`` each entry's own page is fetched too and its main content added.
    """

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        feed = feedparser.parse(response.body, response_headers=_headers(response))
        if feed.bozo and not feed.entries:
            self.record_error(response.url, f"not a readable feed ({_bozo(feed)})")
            return
        if feed.bozo:  # malformed but readable: keep the entries, tell the admin
            self.run.note(response.url, f"malformed feed, entries read anyway ({_bozo(feed)})")
        publisher = feed.feed.get("author")  # an Atom feed names its author once for all entries
        for entry in feed.entries:
            call = self.entry_call(entry, response.url, publisher)
            if call is not None and self.source.follow_links:
                meta = {"pending_call": call, "optional": True}
                yield self.request(call.url, self.parse_entry_page, meta=meta)
            elif call is not None:
                yield call

    def parse_entry_page(self, response: Response) -> Iterator[Any]:
        """Add the entry page's main content to the feed's teaser (a failed page keeps the teaser)."""
        call: Call = response.meta["pending_call"]
        if not isinstance(response, TextResponse):
            yield call
            return
        page = parsing.main_text(response.text, response.url)
        if page and page not in call.text:
            call = replace(call, text=f"{call.text}\n\n{page}".strip())
        yield self.with_pdfs(call, response)

    def entry_call(self, entry: Any, feed_url: str, publisher: str | None = None) -> Call | None:
        link = urljoin(feed_url, entry.get("link") or "")
        guid = entry.get("id") or ""
        permalink = guid if guid.startswith(("http://", "https://")) else None
        if not (link or permalink):
            return None
        content = entry.get("content") or []
        body = content[0].get("value") if content else entry.get("summary")
        published = parsing.date_from_struct(entry.get("published_parsed")) or parsing.parse_date(
            entry.get("published") or entry.get("updated")
        )
        call = self.make_call(
            url=link or permalink or feed_url,
            title=parsing.html_to_text(entry.get("title")),
            text=parsing.html_to_text(body),
            published=published,
            funder=(entry.get("author") or publisher) if self.source.funder is None else None,
        )
        # the publisher's guid survives a changed link spelling (and the demo's changing port)
        if permalink and guid != call.url:
            call = replace(call, id=call_id_for(self.source.id, permalink))
        elif guid and not permalink:
            call = replace(call, id=call_id_for(self.source.id, call.url, guid.strip()))
        return call


def _headers(response: Response) -> dict[str, str]:
    ctype = response.headers.get("Content-Type")
    return {"content-type": ctype.decode("latin-1")} if ctype else {}


def _bozo(feed: Any) -> str:
    return str(feed.get("bozo_exception", "malformed"))[:200]


@register("html")
class HtmlSpider(PdfMixin):
    """A list page with links to detail pages (CSS or XPath selectors), paginated, plus linked PDFs."""

    @property
    def selectors(self) -> Selectors:
        assert self.source.selectors is not None, "kind html needs selectors (checked by the config)"
        return self.source.selectors

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        return self.parse_list(response)

    def parse_saved(self, response: Response) -> Iterator[Any]:
        """A saved list page yields its follows; any other page is read as a detail page."""
        if self._item_links(response):
            return self.parse_list(response)
        return self.parse_detail(response)

    def parse_list(self, response: Response, page: int = 1) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.record_error(response.url, "list page is not HTML")
            return
        found = self._item_links(response)
        if not found and page == 1:
            self.record_error(response.url, f"no item links matched selectors.item {self.selectors.item!r}")
        for link in found:
            yield self.request(response.urljoin(link), self.parse_detail)
        nxt = parsing.links(response, self.selectors.next_page) if self.selectors.next_page else []
        if nxt and page < self.max_pages:
            yield self.request(response.urljoin(nxt[0]), self.parse_list, cb_kwargs={"page": page + 1})

    def _item_links(self, response: Response) -> list[str]:
        if not isinstance(response, TextResponse):
            return []
        return parsing.links(response, self.selectors.item)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.record_error(response.url, "detail page is not HTML")
            return
        call = self.detail_call(response)
        if call is not None:
            yield self.with_pdfs(call, response)

    def detail_call(self, response: TextResponse) -> Call | None:
        sel = self.selectors
        title = parsing.first_text(response, sel.title)
        if not title:
            self.record_error(response.url, f"no title matched selectors.title {sel.title!r}")
            return None
        if sel.text:
            text = "\n\n".join(parsing.texts(response, sel.text))
        else:
            text = parsing.main_text(response.text, response.url)
        canonical = parsing.canonical_link(response)
        return self.make_call(
            url=response.urljoin(canonical) if canonical else response.url,
            title=title,
            text=text,
            published=parsing.parse_date(parsing.first_text(response, sel.published))
            if sel.published
            else parsing.page_date(response),
            funder=parsing.first_text(response, sel.funder),
            language=self.source.language or parsing.page_language(response),
        )
