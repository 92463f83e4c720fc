"""Pure helpers the spiders share: selectors, text cleaning, dates, main content and PDF text."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from parsel import Selector, SelectorList

from foerderradar.models import MONTHS

_NUMERIC = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zÄäÖöÜü]{3,10})\.?,?\s+(\d{4})\b")
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def parse_date(value: str | None) -> str | None:
    """An ISO date (``YYYY-MM-DD``) from German, English, RFC 822 or ISO spellings, else None."""
    if not value:
        return None
    text = value.strip()
    for pattern, order in ((_ISO, "ymd"), (_NUMERIC, "dmy")):
        found = pattern.search(text)
        if found:
            parts = dict(zip(order, (int(g) for g in found.groups()), strict=True))
            return _iso(parts["y"], parts["m"], parts["d"])
    found = _DAY_MONTH.search(text)
    if found and found.group(2).lower() in MONTHS:
        return _iso(int(found.group(3)), MONTHS[found.group(2).lower()], int(found.group(1)))
    found = _MONTH_DAY.search(text)
    if found and found.group(1).lower() in MONTHS:
        return _iso(int(found.group(3)), MONTHS[found.group(1).lower()], int(found.group(2)))
    try:  # RFC 822 with English names ("Tue, 02 Dec 2025 10:00:00 +0100")
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def date_from_struct(value: Any) -> str | None:
    """feedparser's ``*_parsed`` time tuple as an ISO date."""
    if not value:
        return None
    try:
        return datetime(*value[:6]).date().isoformat()
    except (TypeError, ValueError):
        return None


def clean(text: str | None) -> str:
    """Collapse runs of spaces, keep paragraph breaks, trim."""
    if not text:
        return ""
    lines = [_SPACE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def is_xpath(expression: str) -> bool:
    return expression.lstrip().startswith(("/", "("))


def select(node: Selector | SelectorList, expression: str) -> SelectorList:
    """CSS, or XPath when the expression starts with ``/`` or ``(``."""
    return node.xpath(expression) if is_xpath(expression) else node.css(expression)


def texts(node: Selector | SelectorList, expression: str) -> list[str]:
    """The text of each match: attribute and text results as they are, elements as their text."""
    out = []
    for match in select(node, expression):
        if isinstance(match.root, str):
            value = match.root
        else:
            value = element_text(match)
        value = clean(value)
        if value:
            out.append(value)
    return out


def first_text(node: Selector | SelectorList, expression: str | None) -> str | None:
    if not expression:
        return None
    found = texts(node, expression)
    return found[0] if found else None


def links(node: Selector | SelectorList, expression: str) -> list[str]:
    """Link targets of the matches: attribute/text results as they are, elements by their href."""
    out = []
    for match in select(node, expression):
        value = match.root if isinstance(match.root, str) else match.attrib.get("href")
        if value and value.strip() and not value.strip().startswith(("javascript:", "mailto:", "#")):
            out.append(value.strip())
    return list(dict.fromkeys(out))


_BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dt", "dd", "section", "ul"}


def element_text(match: Selector) -> str:
    """Visible text of an element with line breaks at block boundaries (no scripts or styles)."""
    root = match.root
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in {"script", "style", "noscript", "template"}:
            if el.tail:
                parts.append(el.tail)
            return
        if tag in _BLOCKS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCKS:
            parts.append("\n")
        if el.tail and el is not root:
            parts.append(el.tail)

    walk(root)
    return clean("".join(parts))


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment (feed summaries, rich-text fields)."""
    if not html:
        return ""
    if "<" not in html:
        return clean(html)
    return element_text(Selector(text=f"<div>{html}</div>").css("div")[0])


def main_text(html: str, url: str) -> str:
    """The page's main content (trafilatura), for sources without a text selector."""
    import trafilatura

    extracted = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=True, favor_recall=True
    )
    if extracted:
        return clean(extracted)
    body = Selector(text=html).css("main, article, body")
    return element_text(body[0]) if body else ""


def canonical_link(node: Selector | SelectorList) -> str | None:
    found = node.xpath("//link[@rel='canonical']/@href").get()
    return found.strip() if found and found.strip() else None


def pdf_text(body: bytes, max_chars: int) -> str:
    """Text of a PDF (pypdf), cut at ``max_chars``; raises ValueError for a file that is not a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not body.lstrip().startswith(b"%PDF"):
        raise ValueError("not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(body))
        chunks: list[str] = []
        size = 0
        for page in reader.pages:
            chunk = page.extract_text() or ""
            chunks.append(chunk)
            size += len(chunk)
            if size >= max_chars:
                break
    except (PdfReadError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"unreadable PDF ({exc})") from None
    return clean("\n".join(chunks))[:max_chars]


_DATE_META = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='DC.date' or @name='dcterms.date' or @name='date']/@content",
    "//time[@datetime][1]/@datetime",
)


def page_date(node: Selector | SelectorList) -> str | None:
    """The publication date a page declares in its metadata, when no selector names one."""
    for expression in _DATE_META:
        found = parse_date(node.xpath(expression).get())
        if found:
            return found
    return None


def page_language(node: Selector | SelectorList) -> str | None:
    """``de`` or ``en`` from ``<html lang>``, else None."""
    lang = (node.xpath("/html/@lang").get() or "").strip().lower()[:2]
    return lang if lang in ("de", "en") else None
