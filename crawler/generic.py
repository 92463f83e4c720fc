"""The generic kinds an admin configures without code: ``feed`` (RSS/Atom) and ``html`` (list + details)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import feedparser
from scrapy.http import Request, Response, TextResponse

from crawler import listing, parsing, reader
from crawler.spiders import SourceSpider, register
from foerderradar.configuration import Selectors
from foerderradar.models import Call, call_id_for
from foerderradar.text import MAX_HTML_CHARS, html_to_text, one_line, parse_html

# Linked PDFs worth reading (found by crawler.reader.pdf_links): the guideline often alone states the deadline.
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
            found = [response.urljoin(u) for u in parsing.links(response, chosen)]
        else:
            root = parse_html(response.text[:MAX_HTML_CHARS])
            found = reader.pdf_links(root, response.url) if root is not None else []
        return list(dict.fromkeys(u for u in found if u))[:MAX_PDFS]

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
        page = reader.page_text(response.text, response.url)
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
            title=one_line(html_to_text(entry.get("title"))),
            text=html_to_text(body),
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
    """A list page and its detail pages, read by the generic reader (``crawler.listing``,
    ``crawler.reader``); each configured selector overrides the reader for its one field."""

    @property
    def selectors(self) -> Selectors:
        return self.source.selectors or Selectors()

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        return self.parse_list(response)

    def parse_saved(self, response: Response, as_: str | None = None) -> Iterator[Any]:
        """A saved page read as a list or a detail page (``as_``), or as what it looks like."""
        kind = as_ or self.page_kind(response)
        return self.parse_list(response) if kind == "list" else self.parse_detail(response)

    def page_kind(self, response: Response) -> str:
        """``list`` or ``detail`` for a saved page: a product page that links five related products
        is a detail page, even when an item selector matches those links."""
        if not isinstance(response, TextResponse):
            return "detail"
        if not self.selectors.item:
            return "list" if listing.looks_like_list(response.text, response.url) else "detail"
        found = parsing.links(response, self.selectors.item)
        if not found:
            return "detail"
        text = reader.page_text(response.text, response.url)
        return "list" if len(found) >= 8 or len(text) < 300 * len(found) else "detail"

    def parse_list(self, response: Response, page: int = 1) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.record_error(response.url, "list page is not HTML")
            return
        found = self.item_links(response)
        if not found and page == 1:
            self.record_error(response.url, self._no_items())
        for link in found:
            yield self.request(response.urljoin(link), self.parse_detail)
        nxt = self.next_link(response)
        if nxt and page < self.max_pages:
            yield self.request(response.urljoin(nxt), self.parse_list, cb_kwargs={"page": page + 1})

    def item_links(self, response: TextResponse) -> list[str]:
        if self.selectors.item:
            return parsing.links(response, self.selectors.item)
        return [link.url for link in listing.call_links(response.text, response.url)]

    def next_link(self, response: TextResponse) -> str | None:
        if self.selectors.next_page:
            found = parsing.links(response, self.selectors.next_page)
            return found[0] if found else None
        return listing.next_page(response.text, response.url)

    def _no_items(self) -> str:
        if self.selectors.item:
            return f"selectors.item {self.selectors.item!r} matched no links"
        return "the generic reader found no links to calls on the list page; set selectors.item"

    def parse_detail(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.record_error(response.url, "detail page is not HTML")
            return
        call = self.detail_call(response)
        if call is not None:
            yield self.with_pdfs(call, response)

    def detail_call(self, response: TextResponse) -> Call | None:
        """The generic reader's call, each field replaced by its selector's match where one is set."""
        sel = self.selectors
        page = reader.read_page(response.text, response.url)
        title = self.override(response, "title", sel.title, lambda v: one_line(v[0]))
        if title is None:
            title = page.title
            if not title:
                self.record_error(response.url, "no title found on the detail page; set selectors.title")
        if not title:
            return None
        text = self.override(response, "text", sel.text, "\n\n".join)
        published = self.override(response, "published", sel.published, lambda v: v[0])
        return self.make_call(
            url=page.url,
            title=title,
            text=page.text if text is None else text,
            published=page.published if published is None else parsing.parse_date(published),
            funder=parsing.first_text(response, sel.funder),
            language=self.source.language or page.language,
        )

    def override(self, response: TextResponse, name: str, expression: str | None, join: Any) -> Any:
        """The selector's matches joined, or None. A set selector overrides the generic reader: when
        it matches nothing the field stays empty (the run names the selector), it does not fall back."""
        if not expression:
            return None
        found = parsing.texts(response, expression)
        if found:
            return join(found)
        message = f"selectors.{name} {expression!r} matched nothing"
        if name == "title":
            self.record_error(response.url, message)
        else:  # the call may stand without it; the note names the selector all the same
            self.run.note(response.url, message)
        return ""
