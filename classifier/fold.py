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

import heapq
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from classifier.gates import leading

KEEP_FROM = 2000  # characters: shorter texts are lowered again, at no cost worth a cache
SCAN_FROM = 300  # characters: a shorter stretch is scanned by the engine, no start literals looked up
DENSE_TRIES, DENSE_GAP = 16, 40  # more than one start literal per 40 characters: the engine scans on
_last: tuple[str, str] = ("", "")  # the last text lowered and its lower case: patterns search it in turn


def lower(text: str) -> str:
    """``text.lower()`` with every character keeping its offset (a few letters grow when lowered)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _lowered(text: str) -> str:
    """The lower case of ``text``; a long text's is kept, for the next pattern that searches it (a
    sentence or a window between two searches of the whole text does not push it out)."""
    global _last
    if _last[0] is text:
        return _last[1]
    low = lower(text)
    if len(text) >= KEEP_FROM:
        _last = (text, low)
    return low


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


class Folded:
    """An ignore-case pattern with the interface of ``re.Pattern`` for the methods the classifier uses."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self.original = re.compile(source, flags | re.IGNORECASE)
        self.twin = re.compile(lower_source(source), flags & ~re.IGNORECASE)
        self.starts = leading(self.twin.pattern, self.twin.flags)
        self.pattern = source
        self.flags = self.original.flags
        self.groups = self.original.groups

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        hit = next(self._hits(_lowered(text), pos, endpos), None)
        if hit is None:
            return None
        # no match starts before the twin's: the original's first match from there is that one
        return self.original.search(text, hit.start(), endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.original.match(text, pos, endpos)  # one position: nothing to scan

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.original.fullmatch(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        for hit in self._hits(_lowered(text), pos, endpos):
            found = self.original.match(text, hit.start(), endpos)
            if found is None or found.end() != hit.end():  # the twins disagree: the original from here
                yield from self.original.finditer(text, hit.start(), endpos)
                return
            yield found

    def findall(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        if self.groups == 0:
            return [m.group() for m in self.finditer(text, pos, endpos)]
        if self.groups == 1:
            return [m.group(1) or "" for m in self.finditer(text, pos, endpos)]
        return [m.groups("") for m in self.finditer(text, pos, endpos)]

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        if next(self._hits(_lowered(text), 0, sys.maxsize), None) is None:
            return text
        return self.original.sub(repl, text, count)

    def _hits(self, low: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        """The twin's matches in the lower-cased text, left to right, without overlaps: ``finditer``, or,
        with start literals, ``match`` tried at each of their occurrences in turn. Where those are dense
        (common short words), the engine's own scan takes over from the first untried position."""
        end = min(endpos, len(low))
        if self.starts is None or end - pos < SCAN_FROM:
            yield from self.twin.finditer(low, pos, endpos)
            return
        heap = [(at, word) for word in self.starts if (at := low.find(word, pos, end)) >= 0]
        heapq.heapify(heap)
        cursor, tries = pos, 0
        while heap:
            at, word = heap[0]
            if at >= cursor:
                tries += 1
                if tries > DENSE_TRIES and (at - pos) < tries * DENSE_GAP:
                    yield from self.twin.finditer(low, at, endpos)  # nothing before ``at`` can match
                    return
                hit = self.twin.match(low, at, endpos)
                if hit is not None:
                    yield hit
                    cursor = hit.end()
                    continue
            following = low.find(word, max(at + 1, cursor), end)
            if following < 0:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (following, word))

    def split(self, text: str, maxsplit: int = 0) -> list[str | Any]:
        return self.original.split(text, maxsplit)

    def __repr__(self) -> str:
        return f"fold({self.pattern!r})"


Pattern = re.Pattern[str] | Folded


def fold(source: str, flags: int = 0) -> Folded:
    """``re.compile(source, flags | re.I)``, searched by its lower-case twin."""
    return Folded(source, flags)
