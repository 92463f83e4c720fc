"""What a pure source parser returns: calls, links to follow, blocked, errors (text helpers: foerderradar.text)."""

from __future__ import annotations

from dataclasses import dataclass, field

from foerderradar.models import Call


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
