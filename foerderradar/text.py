"""Text normalised once for every stage: HTML → paragraphs, Unicode NFC, invisible characters removed.

The crawler and the classifier both call ``html_to_text`` and ``normalise``; nothing else in the
project converts HTML to text or decides what whitespace means. Everything here is linear in the
input: HTML goes through lxml's parser (never a backtracking pattern), and input is capped before
any pattern sees it.
"""

from __future__ import annotations

import re
import unicodedata

import lxml.etree
import lxml.html

# A real call page is well under this; a larger input is cut before any parsing or pattern.
MAX_HTML_CHARS = 3_000_000

# Elements that stand as paragraphs of their own (a blank line before and after) …
PARAGRAPH_TAGS = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr main nav ol p pre section summary table ul".split()
)
# … elements that start a line of their own (a list item, a definition, a table row, a line break) …
LINE_TAGS = frozenset("br dd dt li tr caption option".split())
# … and table cells, set apart by a space.
CELL_TAGS = frozenset("td th".split())
BLOCK_TAGS = PARAGRAPH_TAGS | LINE_TAGS
# Elements whose content is never visible text.
INVISIBLE_TAGS = frozenset("script style noscript template head title svg iframe object".split())

# Soft hyphen, zero-width space/joiners, word joiner, BOM: invisible, and they break word matches.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
# C0/C1 control bytes: removed, never a reason to stop reading (lxml and SQLite tools stop at a NUL).
# Those that are whitespace to Python (vertical tab, form feed, separators, NEL) are left to
# ``str.split``, which reads them as spaces.
_CONTROL = r"\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
_DROP = re.compile(f"[{_INVISIBLE}{_CONTROL}]")
_CONTROL_SPACE = re.compile(r"[\x0b\x0c\x1c-\x1f\x85]")
_BLANK_LINES = re.compile(r"\n\n\n+")  # a literal start: re jumps to it (``\n{3,}`` tries every position)
_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]{0,20}|!--|/[a-zA-Z])[\s>/]")


def normalise(text: str | None) -> str:
    """Unicode NFC, invisible and control characters gone, spaces collapsed per line, paragraphs kept.

    Lines stay lines; two or more empty lines become one (a paragraph break). CR/LF become LF.
    """
    if not text:
        return ""
    text = _visible(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # per line, whitespace runs (no-break and thin spaces, control separators) become one space and
    # the line loses its edges: str.split is C code, 2.5× faster than a pattern over every space
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _visible(text: str) -> str:
    """The text without invisible and control characters. Most texts have none: a search for one costs less
    than half of a substitution that finds nothing."""
    return _DROP.sub("", text) if _DROP.search(text) else text


def one_line(text: str | None) -> str:
    """``normalise`` and then every line break as a space: for titles, names and field values."""
    return " ".join(normalise(text).split())


def looks_like_html(text: str) -> bool:
    """Whether a string holds markup (a tag or comment), not just a stray ``<``."""
    return "<" in text and bool(_LOOKS_LIKE_HTML.search(text[:MAX_HTML_CHARS]))


def html_to_text(markup: str | bytes | None, max_chars: int = MAX_HTML_CHARS) -> str:
    """Visible text of an HTML page or fragment: one line per block element, entities decoded.

    Scripts, styles and comments are dropped; source line breaks inside running text are spaces.
    Plain text without markup is only normalised; markup beyond ``max_chars`` is cut before parsing.
    """
    if not markup:
        return ""
    if isinstance(markup, bytes):
        markup = markup.decode("utf-8", "replace")
    if not looks_like_html(markup):  # plain text is only normalised (linear), never cut
        return normalise(_unescape_plain(markup))
    markup = _CONTROL_SPACE.sub(" ", _visible(markup[:max_chars]))
    root = parse_html(markup)
    return element_text(root) if root is not None else normalise(markup)


def parse_html(markup: str) -> lxml.html.HtmlElement | None:
    """lxml's tree of a page or fragment (HTML parser, recovering), or None when nothing parses."""
    try:
        return lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        try:
            return lxml.html.fragment_fromstring(markup, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            return None


def element_text(element: lxml.etree._Element) -> str:
    """Visible text of an element: paragraphs apart by a blank line, list items and rows on lines."""
    parts: list[str] = []
    walker = lxml.etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, node in walker:  # iterative: no recursion limit on deeply nested markup
        if event in ("comment", "pi"):
            if node.tail:
                parts.append(_inline(node.tail))
            continue
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in INVISIBLE_TAGS:
                walker.skip_subtree()
                continue
            parts.append(_opening(tag))
            if node.text:
                parts.append(node.text if tag == "pre" else _inline(node.text))
            continue
        if tag in PARAGRAPH_TAGS:
            parts.append("\n\n")
        if node.tail and node is not element:
            parts.append(_inline(node.tail))
    return normalise("".join(parts))


def _opening(tag: str) -> str:
    if tag in PARAGRAPH_TAGS:
        return "\n\n"
    if tag in LINE_TAGS:
        return "\n"
    return " " if tag in CELL_TAGS else ""


def _inline(text: str) -> str:
    """Source line breaks inside running text are layout, not structure: one space."""
    inner = " ".join(text.split())
    if not inner:
        return " "
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


def _unescape_plain(text: str) -> str:
    if "&" not in text:
        return text
    import html

    return html.unescape(text)
