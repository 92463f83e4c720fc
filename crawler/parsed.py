"""What a pure source parser returns (calls, links to follow, blocked, errors) and its text helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html

from foerderradar.models import Call

_BLOCK_TAGS = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dd", "dt", "ul", "ol")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ParseError(Exception):
    """A response cannot be read as what the source promised; the message names source and URL."""


@dataclass
class Parsed:
    """The result of parsing one response: calls, URLs to follow, and what went wrong.

    blocked: the site answered with a bot-protection page instead of content. A blocked source is
    reported as blocked, never as "no new calls".
    dropped: rows the parser skipped on purpose (stale duplicates, out-of-scope types), with reasons.
    """

    calls: list[Call] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)
    blocked: bool = False
    errors: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def clean(value: str | None) -> str:
    """Collapse whitespace (including no-break spaces) to single spaces."""
    return " ".join((value or "").split())


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: one line per block element, whitespace collapsed."""
    # Source newlines inside running text are layout, not structure: collapse them first.
    markup = re.sub(r"\s+", " ", _CONTROL.sub("", markup or "")).strip()
    if not markup:
        return ""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return clean(re.sub(r"<[^>]+>", " ", markup))
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() != "br":
                element.text = "\n" + (element.text or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
