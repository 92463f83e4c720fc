"""The generic reader of a detail page, no selectors needed: title, main text, date, canonical URL, PDFs.

Pure: markup and URL in, a ``Page`` out. How it decides (README, "The generic reader"):
- main content: ``<main>`` (or ``[role=main]``, ``#main``, ``#content``, ``<article>``, the body) with
  navigation, header, footer, cookie banners, share and contact boxes cut away; its text comes from
  trafilatura when trafilatura keeps most of it, else from the region itself (trafilatura alone picks
  a contact block or a cookie dialog on some real funding pages);
- title: the first ``h1`` unless it is a slogan (no word in common with ``og:title``/``<title>``) or
  runs fields together (``Kredit Nr.067ERP-…``); then ``og:title``, then ``<title>`` minus the site name;
- published: htmldate over the page's metadata and visible page date ("Stand 11/2025"), never the
  first ``<time>`` of the page (it often belongs to a news teaser), never a bare copyright year;
- canonical: ``<link rel=canonical>`` or ``<meta name=canonical>``;
- PDFs: linked documents whose name or link text reads like a guideline or call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler.parsing import parse_date
from foerderradar.models import MONTHS
from foerderradar.text import MAX_HTML_CHARS, element_text, html_to_text, one_line, parse_html

# Regions that are never the content: their tag, role or class/id says navigation or chrome.
CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "dialog", "noscript", "template")
CHROME_ROLES = ("navigation", "banner", "contentinfo", "dialog", "search", "complementary")
CHROME_WORDS = re.compile(
    r"(?:^|[\s_-])(?:cookie|consent|banner|nav|navbar|navigation|menu|breadcrumbs?|footer|header|share|"
    r"sharing|social|skip|sidebar|modal|newsletter|language|lang|langswitch|print|toolbar|"
    r"pagination|pager|related|contact|kontakt|ansprechpartner)(?:$|[\s_-])",
    re.I,
)
MAIN_XPATHS = (
    "//main",
    "//*[@role='main']",
    "//*[@id='main' or @id='main-content' or @id='content' or @id='maincontent']",
    "//article",
    "//body",
)
SITE_SEPARATORS = re.compile(r"\s+[|–—:-]\s+|\s*\|\s*")
PDF_WORDS = re.compile(
    r"richtlinie|bekanntmachung|f(?:ö|oe)rderaufruf|aufruf|merkblatt|guideline|call|work.?programme|"
    r"ausschreibung|f(?:ö|oe)rderbedingungen|programmbeschreibung",
    re.I,
)
MAX_PDFS = 3
_DATE = r"\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s+[A-Za-zäÄ]{3,9}\.?\s+\d{4}|\d{1,2}\s*/\s*\d{4}|[A-Za-zä]{3,9}\s+\d{4}"
PAGE_DATE = re.compile(
    r"^(?:Stand|Zuletzt aktualisiert|Letzte Aktualisierung|Aktualisiert|Ver(?:ö|oe)ffentlicht|Datum|"
    r"Published|Last updated?|Page last updated|Updated)(?:\s+(?:am|on|vom))?\s*:?\s*(" + _DATE + r")",
    re.I,
)
DOCUMENT_LINE = re.compile(r"\b(?:PDF|DOCX?|XLSX?|ZIP|KB|MB)\b")
_WORD = re.compile(r"[^\W_]{4,}")
_RUN_TOGETHER = re.compile(r"[.\d][A-ZÄÖÜ]|[a-zäöüß]\d|\d[A-Za-zÄÖÜäöü]{2}")


@dataclass(frozen=True)
class Page:
    """What the generic reader found on one detail page (``url`` is the canonical URL when declared)."""

    url: str
    title: str
    text: str
    published: str | None = None
    language: str | None = None
    pdfs: list[str] = field(default_factory=list)
    title_from: str = ""  # h1, og:title or title: for `source probe` and the README's examples


def read_page(markup: str, url: str, today: date | None = None) -> Page:
    """Read one detail page; ``today`` bounds the publication date (a later date is a typo)."""
    markup = markup[:MAX_HTML_CHARS]
    root = parse_html(markup)
    if root is None:
        return Page(url=url, title="", text="")
    title, source = page_title(root)
    canonical = canonical_url(root, url)
    region = main_region(root)
    text = main_text(region, url)  # before page_date, which drops the region's links
    return Page(
        url=canonical or url,
        title=title,
        text=text,
        published=page_date(root, region, url, today),
        language=page_language(root),
        pdfs=pdf_links(root, url),
        title_from=source,
    )


# --- main content --------------------------------------------------------------------------------


def main_region(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the page's main content region with the chrome inside it removed."""
    for xpath in MAIN_XPATHS:
        found = [e for e in root.xpath(xpath) if len(element_text(e)) >= 200] or root.xpath(xpath)
        if found:
            region = lxml.html.fromstring(lxml.html.tostring(found[0], encoding="unicode"))
            strip_chrome(region)
            return region
    return root


def strip_chrome(region: lxml.html.HtmlElement) -> None:
    """Drop navigation, banners, share and contact boxes (in place).

    A box that holds most of the region's text is the content itself, whatever its class says
    (the EIC wraps its whole page in an "inpage-navigation-container").
    """
    total = len(element_text(region)) or 1
    doomed = []
    walker = lxml.etree.iterwalk(region, events=("start",))
    for _event, element in walker:
        if element is region or not isinstance(element.tag, str) or not is_chrome(element):
            continue
        if len(element_text(element)) < 0.5 * total:
            doomed.append(element)
        walker.skip_subtree()
    for element in doomed:
        element.drop_tree()


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def is_chrome(element: lxml.html.HtmlElement) -> bool:
    """Navigation, banner or box by its tag, role or class/id; never a heading or a box with the h1."""
    if element.tag in HEADINGS:
        return False
    chrome = (
        element.tag in CHROME_TAGS
        or (element.get("role") or "").lower() in CHROME_ROLES
        or bool(CHROME_WORDS.search(f"{element.get('class') or ''} {element.get('id') or ''}"))
    )
    return chrome and not element.xpath(".//h1")  # some sites put the page title in a <header>


# trafilatura costs about 1 s per MB of markup: beyond this a page keeps its main region's own text,
# so one huge page stays within the 2 s per-document budget (real programme pages are under 0.5 MB)
EXTRACT_MAX_CHARS = 1_000_000


def main_text(region: lxml.html.HtmlElement, url: str) -> str:
    """The programme text: trafilatura over the main region when it keeps most of it, else the region.

    ``region`` comes from ``main_region``. trafilatura returns HTML here, turned into text by ``foerderradar.text`` like every other page,
    so paragraphs and line breaks mean the same whichever way the text was found.
    """
    import trafilatura

    own = element_text(region)
    markup = lxml.html.tostring(region, encoding="unicode")
    if len(markup) > EXTRACT_MAX_CHARS:
        return own  # over the per-page budget of boilerplate removal: the main region's own text
    extracted = trafilatura.extract(
        markup,
        url=url,
        output_format="html",
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    text = html_to_text(extracted) if extracted else ""
    # trafilatura drops teasers and link lists well, but on some pages it keeps one box only
    return text if len(text) >= 0.6 * len(own) else own


# --- title ------------------------------------------------------------------------------------------


def page_title(root: lxml.html.HtmlElement) -> tuple[str, str]:
    """The programme's name and where it came from (``h1``, ``og:title`` or ``title``)."""
    og = one_line(_first(root, "//meta[@property='og:title']/@content"))
    head = strip_site(one_line(_first(root, "//title//text()")), root)
    named = [t for t in (strip_site(og, root), head) if t]
    for h1 in root.xpath("//h1"):
        text = one_line(element_text(h1))
        if not text:
            continue
        if runs_together(h1):
            if named and _shares_words(named[0], text):
                return named[0], "og:title" if og else "title"
            return one_line(" ".join(_leaves(h1))), "h1"
        if named and not any(_shares_words(text, n) for n in named):
            break  # a slogan: nothing in common with what the page calls itself
        return text, "h1"
    if og:
        return strip_site(og, root), "og:title"
    return head, "title"


def runs_together(h1: lxml.html.HtmlElement) -> bool:
    """Whether the h1 glues separate fields (a product number and a name) into one word."""
    leaves = _leaves(h1)
    if len(leaves) < 2:
        return False
    joined = "".join(leaves)
    spaced = " ".join(leaves)
    return joined.split() != spaced.split() and bool(_RUN_TOGETHER.search(joined))


def _leaves(element: lxml.html.HtmlElement) -> list[str]:
    return [one_line(t) for t in element.xpath(".//text()") if one_line(t)]


def strip_site(title: str, root: lxml.html.HtmlElement) -> str:
    """``<title>`` without the site's name at its end ("Gründungszuschuss - NRW.BANK")."""
    site = _fold(_first(root, "//meta[@property='og:site_name']/@content"))
    host = _fold(_host(root))
    original = title
    while cuts := list(SITE_SEPARATORS.finditer(title)):
        folded = _fold(title[cuts[-1].end() :])
        if not folded or not (folded == site or (host and (folded in host or host in folded))):
            break
        title = title[: cuts[-1].start()].strip()
    if title == original and len(cuts := list(SITE_SEPARATORS.finditer(title))) == 1:
        tail = title[cuts[0].end() :]  # an unknown site name: "Name | Short Site" (one separator)
        if len(tail.split()) <= 3 and len(tail) < len(title) / 2:
            title = title[: cuts[0].start()].strip()
    return title


def _host(root: lxml.html.HtmlElement) -> str:
    url = _first(root, "//link[@rel='canonical']/@href") or _first(
        root, "//meta[@property='og:url']/@content"
    )
    return urlsplit(url or "").netloc.lower().removeprefix("www.")


def _fold(value: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (value or "").lower())


def _shares_words(a: str, b: str) -> bool:
    words = {w.lower() for w in _WORD.findall(a)}
    return bool(words & {w.lower() for w in _WORD.findall(b)}) or _fold(a) in _fold(b)


def _first(root: lxml.html.HtmlElement, xpath: str) -> str:
    found = root.xpath(xpath)
    return str(found[0]).strip() if found else ""


# --- facts of the page ------------------------------------------------------------------------------


def canonical_url(root: lxml.html.HtmlElement, url: str) -> str | None:
    """The canonical URL the page declares (``<link rel=canonical>`` or ``<meta name=canonical>``)."""
    found = _first(root, "//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href") or _first(
        root, "//meta[translate(@name,'CANONICAL','canonical')='canonical']/@content"
    )
    if not found:
        return None
    absolute = urljoin(url, found)
    return absolute if absolute.startswith(("http://", "https://")) else None


def page_date(
    root: lxml.html.HtmlElement, region: lxml.html.HtmlElement, url: str = "", today: date | None = None
) -> str | None:
    """The page's own publication date, or None: its metadata (htmldate over ``<head>``), else a
    labelled date in its main text ("Stand 11/2025", "Veröffentlicht am …", "Last update: …").

    Dates in links, teasers and document lists ("Stand: 18. April 2023 / PDF / 537 KB") belong to
    something else, and so does the first ``<time>`` of a page: none of them is read.
    """
    found = head_date(root, url) or visible_date(region)
    if found and today is not None and found > today.isoformat():
        return None
    return found


def head_date(root: lxml.html.HtmlElement, url: str) -> str | None:
    import htmldate

    head = root.find("head")
    if head is None:
        return None
    doc = f"<html>{lxml.html.tostring(head, encoding='unicode')}<body></body></html>"
    try:
        found = htmldate.find_date(doc, url=url or None, extensive_search=False, original_date=True)
    except (ValueError, TypeError):
        return None
    return str(found) if found else None


def visible_date(region: lxml.html.HtmlElement) -> str | None:
    """A labelled date line of the main region (its links are dropped in place: their dates are
    another page's)."""
    for link in region.xpath(".//a"):
        link.drop_tree()
    for line in element_text(region).split("\n"):
        found = PAGE_DATE.search(line) if len(line) <= 80 else None  # a line of its own, not a clause
        if found and not DOCUMENT_LINE.search(line):
            return parse_date(found.group(1)) or month_date(found.group(1))
    return None


def month_date(value: str) -> str | None:
    """``11/2025`` or ``November 2025`` as the first of that month."""
    found = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", value.strip())
    if found and 1 <= int(found.group(1)) <= 12:
        return f"{found.group(2)}-{int(found.group(1)):02d}-01"
    words = value.lower().split()
    if len(words) == 2 and words[0] in MONTHS and words[1].isdigit():
        return f"{words[1]}-{MONTHS[words[0]]:02d}-01"
    return None


def page_language(root: lxml.html.HtmlElement) -> str | None:
    """``de`` or ``en`` from ``<html lang>``, else None."""
    lang = (root.get("lang") or _first(root, "/html/@lang")).strip().lower()[:2]
    return lang if lang in ("de", "en") else None


def pdf_links(root: lxml.html.HtmlElement, url: str) -> list[str]:
    """Linked PDFs whose file name or link text reads like a guideline or call (at most MAX_PDFS)."""
    found = []
    for a in root.xpath("//a[@href]"):
        href = a.get("href", "").strip()
        low = href.lower()
        if not (low.split("?")[0].endswith(".pdf") or "blob=publicationfile" in low):
            continue
        if PDF_WORDS.search(f"{href} {element_text(a)} {a.get('title') or ''}"):
            found.append(urljoin(url, href))
    return list(dict.fromkeys(found))[:MAX_PDFS]


def page_text(markup: str, url: str) -> str:
    """Only the main text of a page (a feed entry's page, a page-kind guess)."""
    root = parse_html(markup[:MAX_HTML_CHARS])
    return main_text(main_region(root), url) if root is not None else ""
