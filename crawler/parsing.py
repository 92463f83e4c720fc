"""Pure helpers the spiders share: selectors, dates, PDF text and the one bot-page detector."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from parsel import Selector, SelectorList
from scrapy.http import TextResponse

from foerderradar import text
from foerderradar.models import MONTHS

Node = Selector | SelectorList | TextResponse  # anything with .css() and .xpath()

_NUMERIC = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zÄäÖöÜü]{3,10})\.?,?\s+(\d{4})\b")
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


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


def is_xpath(expression: str) -> bool:
    return expression.lstrip().startswith(("/", "("))


def select(node: Node, expression: str) -> SelectorList:
    """CSS, or XPath when the expression starts with ``/`` or ``(``."""
    return node.xpath(expression) if is_xpath(expression) else node.css(expression)


def texts(node: Node, expression: str) -> list[str]:
    """The text of each match: attribute and text results as they are, elements as their text."""
    out = []
    for match in select(node, expression):
        value = text.normalise(match.root) if isinstance(match.root, str) else element_text(match)
        if value:
            out.append(value)
    return out


def first_text(node: Node, expression: str | None) -> str | None:
    if not expression:
        return None
    found = texts(node, expression)
    return found[0] if found else None


def links(node: Node, expression: str) -> list[str]:
    """Link targets of the matches: attribute/text results as they are, elements by their href."""
    out = []
    for match in select(node, expression):
        value = match.root if isinstance(match.root, str) else match.attrib.get("href")
        if value and value.strip() and not value.strip().startswith(("javascript:", "mailto:", "#")):
            out.append(value.strip())
    return list(dict.fromkeys(out))


def element_text(match: Selector) -> str:
    """Visible text of a selected element, paragraphs kept (``foerderradar.text``)."""
    return text.element_text(match.root)


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
    return text.normalise("\n".join(chunks))[:max_chars]


# Bot-protection pages are small and say so in their title or first words (Radware, Cloudflare, …).
BLOCKED_PATTERN = re.compile(
    r"captcha|radware|are you a robot|are you human|bot.?protection|access denied|zugriff verweigert|"
    r"request blocked|ddos protection|just a moment|sicherheitsüberprüfung|ungewöhnlich viele anfragen",
    re.IGNORECASE,
)
BLOCKED_MAX_BYTES = 20_000
_TITLE = re.compile(r"<title[^>]{0,200}>([^<]{0,500})", re.IGNORECASE)


def blocked_reason(body: bytes | str) -> str | None:
    """Why a response is a bot-protection page instead of content, or None (the one detector)."""
    if len(body) > BLOCKED_MAX_BYTES:
        return None
    head = body[:4000].decode("utf-8", "replace") if isinstance(body, bytes) else body[:4000]
    title = _TITLE.search(head)
    sample = " ".join((title.group(1) if title else head[:600]).split())
    if BLOCKED_PATTERN.search(sample):
        return f"bot-protection page ({sample[:80]!r})"
    if len(body) < 2048 and "captcha" in head.lower():  # a tiny page that only loads a captcha
        return "bot-protection page (a captcha script and no content)"
    return None
