"""Ignore-case patterns searched at full speed: a lower-case twin on the lower-cased text (pure).

``re.IGNORECASE`` defeats the regex engine's fast scan: every position of a long text is tried against
every branch with case folding, 3–6× slower than the same pattern without the flag. ``fold(source)``
compiles both: the original (with ``re.I``) and a twin whose literals are lower-case, compiled without
it. Searches run the twin over ``lower(text)`` (computed once per text and kept for the next pattern),
and every hit is read again by the original at the same place, so the ``Match`` a caller gets is the
original's: same span, same groups, the text's own letters. Where the twins could disagree (a text
whose lower case changes its length) the original alone runs.

When every match starts with one of a few literals (``\\b(?:bis|by|until)\\s…``, read off the pattern by
``gates.leading``), the twin is only tried where one of them occurs, found by ``str.find``: ``re`` scans
an alternation, or a pattern opening with ``\\b``, position by position.
"""

from __future__ import annotations

import functools
import heapq
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from classifier.gates import leading

KEEP_FROM, KEEP = 300, 4  # texts from 300 characters on: the last four lowered are kept
SCAN_FROM = 300  # characters: a shorter stretch is scanned by the engine, no start literals looked up
DENSE_TRIES, DENSE_GAP = 16, 40  # more than one start literal per 40 characters: the engine scans on
_kept: list[tuple[str, str]] = []  # (text, text.lower()), the latest used first


def lowered(text: str) -> str:
    """``text.lower()``. The last few long texts' are kept: the stages of the classifier each lower the
    call's text (and patterns search it in turn), and lowering is a pass over every character."""
    if len(text) < KEEP_FROM:
        return text.lower()  # a sentence or a title: lowering it is cheaper than looking it up
    for i, (kept, low) in enumerate(_kept):
        if kept is text:
            if i:
                _kept.insert(0, _kept.pop(i))  # the latest used first
            return low
    low = text.lower()
    _kept.insert(0, (text, low))
    del _kept[KEEP:]
    return low


def lower(text: str) -> str:
    """``text.lower()`` with every character keeping its offset (a few letters grow when lowered)."""
    low = lowered(text)
    return low if len(low) == len(text) else _keeping_offsets(text)


@functools.lru_cache(maxsize=KEEP)
def _keeping_offsets(text: str) -> str:
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def lower_source(source: str) -> str:
    """The pattern's literals in lower case; escapes (``\\W``, ``\\S``, ``\\B``) and group names unchanged."""
    out: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            out.append(source[i : i + 2])
            i += 2
        elif source.startswith(("(?P<", "(?P="), i):
            close = source.index(">" if source[i + 3] == "<" else ")", i)
            out.append(source[i : close + 1])
            i = close + 1
        else:
            out.append(char.lower())
            i += 1
    return "".join(out)


def _findall(matches: Iterator[re.Match[str]], groups: int) -> list[Any]:
    """``re.findall``'s result from the matches: the whole match, the one group, or the tuple of groups."""
    if groups == 0:
        return [m.group() for m in matches]
    if groups == 1:
        return [m.group(1) or "" for m in matches]
    return [m.groups("") for m in matches]


class Lower:
    """A pattern of lower-case literals for lower-cased text, with the interface of ``re.Pattern`` for the
    methods the classifier uses. Where every match starts with one of a few literals (``gates.leading``),
    a scan jumps from one occurrence of them to the next (``str.find``) and tries the pattern only there;
    where they are dense (common short words), the engine's own scan takes over."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self.compiled = re.compile(source, flags)
        self.pattern = source
        self.flags = self.compiled.flags
        self.groups = self.compiled.groups
        # str.find is case-sensitive: an ignore-case pattern (use ``fold``) gets no start literals
        self.starts = None if self.flags & re.IGNORECASE else leading(source, self.flags)

    def finditer(self, low: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        end = min(endpos, len(low))
        if self.starts is None or end - pos < SCAN_FROM:
            yield from self.compiled.finditer(low, pos, endpos)
            return
        heap = [(at, word) for word in self.starts if (at := low.find(word, pos, end)) >= 0]
        heapq.heapify(heap)
        cursor, tries = pos, 0
        while heap:
            at, word = heap[0]
            if at >= cursor:
                tries += 1
                if tries > DENSE_TRIES and (at - pos) < tries * DENSE_GAP:
                    yield from self.compiled.finditer(low, at, endpos)  # nothing before ``at`` can match
                    return
                hit = self.compiled.match(low, at, endpos)
                if hit is not None:
                    yield hit
                    cursor = hit.end()
                    continue
            following = low.find(word, max(at + 1, cursor), end)
            if following < 0:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (following, word))

    def search(self, low: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self.starts is None or min(endpos, len(low)) - pos < SCAN_FROM:
            return self.compiled.search(low, pos, endpos)
        return next(self.finditer(low, pos, endpos), None)

    def findall(self, low: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return _findall(self.finditer(low, pos, endpos), self.groups)

    def match(self, low: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(low, pos, endpos)

    def fullmatch(self, low: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.fullmatch(low, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], low: str, count: int = 0) -> str:
        return self.compiled.sub(repl, low, count) if self.search(low) is not None else low

    def split(self, low: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled.split(low, maxsplit)

    def __repr__(self) -> str:
        return f"Lower({self.pattern!r})"


class Folded:
    """An ignore-case pattern with the interface of ``re.Pattern`` for the methods the classifier uses."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self.original = re.compile(source, flags | re.IGNORECASE)
        self.twin = Lower(lower_source(source), flags & ~re.IGNORECASE)
        self.pattern = source
        self.flags = self.original.flags
        self.groups = self.original.groups

    @property
    def starts(self) -> tuple[str, ...] | None:
        """The literals every match starts with, in lower case (the twin's), or None."""
        return self.twin.starts

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        hit = self.twin.search(lower(text), pos, endpos)
        if hit is None:
            return None
        # no match starts before the twin's: the original's first match from there is that one
        return self.original.search(text, hit.start(), endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.original.match(text, pos, endpos)  # one position: nothing to scan

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.original.fullmatch(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        for hit in self.twin.finditer(lower(text), pos, endpos):
            found = self.original.match(text, hit.start(), endpos)
            if found is None or found.end() != hit.end():  # the twins disagree: the original from here
                yield from self.original.finditer(text, hit.start(), endpos)
                return
            yield found

    def findall(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return _findall(self.finditer(text, pos, endpos), self.groups)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        if self.twin.search(lower(text)) is None:
            return text
        return self.original.sub(repl, text, count)

    def scan_lower(self, low: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """The twin's matches in text already lower-cased (``lower``): the same spans, no second reading."""
        return self.twin.finditer(low, pos, endpos)

    def split(self, text: str, maxsplit: int = 0) -> list[str | Any]:
        return self.original.split(text, maxsplit)

    def __repr__(self) -> str:
        return f"fold({self.pattern!r})"


Pattern = re.Pattern[str] | Folded | Lower


def fold(source: str, flags: int = 0) -> Folded:
    """``re.compile(source, flags | re.I)``, searched by its lower-case twin."""
    return Folded(source, flags)
