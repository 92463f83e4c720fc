"""The generic reader of a list page, no selectors needed: the links that lead to calls, the next page.

Pure: markup and URL in, links out. A link leads to a call when it sits in the page's main content
(navigation, header, footer, share and language boxes cut away, as for detail pages), stays on the
same site, is not an in-page anchor, a file, a login or share link, does not point back up the
site's tree (a breadcrumb, "Alle Förderprogramme"), and its text — or the heading of the card it
sits in, for "Mehr erfahren" links — reads like the title of a programme or call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

from crawler.reader import HEADINGS, main_region
from foerderradar.text import MAX_HTML_CHARS, element_text, one_line, parse_html

# Link texts that are no title: the card's heading names the call instead.
GENERIC_TEXT = re.compile(
    r"^(?:mehr|weiter|weiterlesen|mehr erfahren|mehr lesen|mehr informationen|details?|zum (?:programm|"
    r"produkt|artikel|angebot|beitrag)|zur (?:bekanntmachung|förderung|seite)|hier|link|read more|"
    r"learn more|more|more information|find out more|see more|view|open|öffnen|zurück|back|"
    r"alle anzeigen|show all|top|nach oben|\W*)$",
    re.I,
)
# In a link target: whole words only ("print" is not "blueprint", "share" not "shareholder").
NOT_A_CALL = re.compile(
    r"^(?:mailto|tel|javascript):|(?<![a-z])(?:login|logout|anmelden|abmelden|registrier\w*|sign-?in|"
    r"sign-?up|share|teilen|drucken|print|rss|newsletter|impressum|imprint|datenschutz\w*|privacy|"
    r"cookies?|barrierefreiheit|accessibility|kontakt|contact|sitemap|leichte-sprache|"
    r"gebaerdensprache)(?![a-z])",
    re.I,
)
FILES = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|jpe?g|png|gif|svg|mp4|mp3|ics|xml)$", re.I)
NEXT_TEXT = re.compile(r"^(?:weiter|nächste(?: seite)?|next(?: page)?|vor|›|»|>|>>|→)$", re.I)
NEXT_CLASS = re.compile(
    r"(?:^|[\s_-])(?:next|forward|weiter)(?:$|[\s_-])", re.I
)  # "--next", not "weiterlesen"
LANGUAGE_LINK = re.compile(r"^/?(?:de|en|fr|it|es|pl)(?:/|$)|[?&](?:lang|language|sprache)=", re.I)
MIN_TITLE_CHARS = 10


@dataclass(frozen=True)
class Link:
    """A link to a call: its absolute URL (no fragment) and the title it was found under."""

    url: str
    title: str


def call_links(markup: str, url: str) -> list[Link]:
    """The links of a list page that lead to calls, in page order, each URL once."""
    root = parse_html(markup[:MAX_HTML_CHARS])
    if root is None:
        return []
    base = _base(root, url)
    here = _page_key(url)
    found: dict[str, Link] = {}
    for anchor in main_region(root).xpath(".//a[@href]"):
        target = call_target(anchor, base, url)
        if target is None or _page_key(target) == here or target in found:
            continue
        title = link_title(anchor)
        if reads_like_title(title):
            found[target] = Link(target, title)
    return list(found.values())


def call_target(anchor: lxml.html.HtmlElement, base: str, page_url: str) -> str | None:
    """The absolute URL an anchor leads to when it may be a call, else None."""
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith("#") or NOT_A_CALL.search(href):
        return None
    if anchor.get("hreflang") or anchor.get("lang") or (anchor.get("rel") or "").lower() in ("alternate",):
        return None  # a language switch
    target, _fragment = urldefrag(urljoin(base, href))
    parts, page = urlsplit(target), urlsplit(page_url)
    if parts.scheme not in ("http", "https") or _site(parts.netloc) != _site(page.netloc):
        return None
    if FILES.search(parts.path) or _up_the_tree(parts.path, page.path):
        return None
    if _other_language(parts.path, page.path):
        return None
    return target


def link_title(anchor: lxml.html.HtmlElement) -> str:
    """The anchor's own text (or title/aria-label); for "Mehr erfahren" the heading of its card."""
    own = one_line(element_text(anchor)) or one_line(anchor.get("title") or anchor.get("aria-label"))
    heading = [h for h in anchor.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")]
    if heading:
        return one_line(element_text(heading[0]))
    if own and not GENERIC_TEXT.match(own):
        return own
    for ancestor in list(anchor.iterancestors())[:4]:  # the card around an overlay or "more" link
        headings = [h for h in ancestor.iter(*HEADINGS)]
        if headings:
            return one_line(element_text(headings[0]))
    return own


def reads_like_title(text: str) -> bool:
    """A programme or call title: a few words or one long compound, not "mehr", a date or a number."""
    if len(text) < MIN_TITLE_CHARS or len(text) > 400 or GENERIC_TEXT.match(text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 0.6 * len(text.replace(" ", ""))


def next_page(markup: str, url: str) -> str | None:
    """The next list page: ``rel=next``, a pagination link named "weiter"/"next", or its class."""
    root = parse_html(markup[:MAX_HTML_CHARS])
    if root is None:
        return None
    base = _base(root, url)
    for href in root.xpath("//link[@rel='next']/@href|//a[@rel='next']/@href"):
        return urljoin(base, str(href).strip())
    for anchor in root.xpath("//a[@href]"):
        href = anchor.get("href", "").strip()
        if not href or href.startswith("#"):
            continue
        label = one_line(element_text(anchor)) or one_line(anchor.get("title") or anchor.get("aria-label"))
        if NEXT_TEXT.match(label) or (
            NEXT_CLASS.search(anchor.get("class") or "") and not label[:1].isdigit()
        ):
            return urljoin(base, href)
    return None


def _base(root: lxml.html.HtmlElement, url: str) -> str:
    found = root.xpath("//base/@href")
    return urljoin(url, str(found[0]).strip()) if found else url


def _site(netloc: str) -> str:
    return netloc.lower().removeprefix("www.")


def _page_key(url: str) -> str:
    parts = urlsplit(urldefrag(url)[0])
    return f"{_site(parts.netloc)}{parts.path.rstrip('/')}?{parts.query}"


def _up_the_tree(path: str, page_path: str) -> bool:
    """A link to the site root or to a folder above the list page (breadcrumb, "all programmes")."""
    target = path.rstrip("/")
    return not target or page_path.rstrip("/").startswith(target + "/")


def _other_language(path: str, page_path: str) -> bool:
    mine = LANGUAGE_LINK.match(page_path)
    theirs = LANGUAGE_LINK.match(path)
    return bool(mine and theirs and mine.group(0).strip("/") != theirs.group(0).strip("/"))


def looks_like_list(markup: str, url: str, links: list[Link] | None = None) -> bool:
    """Whether a page is a list of calls rather than one call: many call links whose titles make up
    much of its main text. A detail page that links five related products stays a detail page."""
    links = call_links(markup, url) if links is None else links
    if len(links) < 2:
        return False
    root = parse_html(markup[:MAX_HTML_CHARS])
    text = element_text(main_region(root)) if root is not None else ""
    linked = sum(len(link.title) for link in links)
    return linked >= 0.1 * max(len(text), 1)
