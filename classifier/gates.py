"""Literal gates derived from regex patterns: a cheap necessary condition before a costly search (pure).

Python's ``re`` tries every branch of a long alternation at every position; a plain substring test
(``"frist" in text``) runs in C at memchr speed. ``gate(pattern)`` reads the pattern's own parse tree and
returns literal strings of which every match must contain at least one, so ``passes(gate, text)`` false means
the pattern cannot match. Nothing is written by hand: a changed pattern changes its gate. A pattern without
such literals (a branch of only classes or wildcards) gets no gate (``None``) and is always searched.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

try:  # Python 3.11+
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse  # type: ignore[no-redef]

MIN_LITERAL = 2  # shorter literals gate nothing
MAX_LEADING = 64  # more start literals than this: the regex engine's own scan is the better one


class Compiled(Protocol):
    """A compiled pattern: ``re.Pattern`` or ``fold.Folded``."""

    @property
    def pattern(self) -> str: ...

    @property
    def flags(self) -> int: ...


def gate(pattern: Compiled | str) -> tuple[str, ...] | None:
    """Literals one of which every match contains (lower-case when the pattern ignores case), or None."""
    source = pattern if isinstance(pattern, str) else pattern.pattern
    flags = 0 if isinstance(pattern, str) else pattern.flags
    try:
        tree = sre_parse.parse(source, flags)
    except re.error:
        return None
    found = _required(list(tree))
    if not found:
        return None
    if flags & re.IGNORECASE:
        found = {literal.lower() for literal in found}
    return tuple(sorted(found))


def passes(literals: tuple[str, ...] | None, text: str) -> bool:
    """Whether the text can match the pattern whose gate is ``literals`` (texts must be lower-case for an
    ignore-case pattern)."""
    return literals is None or any(map(text.__contains__, literals))  # map: no Python frame per literal


def _required(items: list[Any]) -> set[str] | None:
    """The best set of literals, one of which a match of this sequence of parse items must contain."""
    best: set[str] | None = None
    run: list[str] = []
    for op, av in items + [(None, None)]:
        if op is sre_parse.LITERAL:
            run.append(chr(av))
            continue
        if len(run) >= MIN_LITERAL:
            best = _better(best, {"".join(run)})
        run = []
        options = _element(op, av)
        if options is not None:
            best = _better(best, options)
    return best


def _element(op: Any, av: Any) -> set[str] | None:
    if op is sre_parse.SUBPATTERN:
        return _required(list(av[-1]))
    if op is sre_parse.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _required(list(branch))
            if not found:
                return None  # one branch without a literal: the alternation gates nothing
            union |= found
        return union
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and av[0] >= 1:
        return _required(list(av[2]))
    return None


def _better(current: set[str] | None, candidate: set[str]) -> set[str]:
    """Fewer and longer literals gate better."""
    if current is None:
        return candidate
    score = min(len(x) for x in candidate) - len(candidate) / 4
    return candidate if score > min(len(x) for x in current) - len(current) / 4 else current


def windows(literals: tuple[str, ...], text: str, before: int, after: int) -> list[tuple[int, int]]:
    """The stretches of ``text`` around every occurrence of a gate literal, ``before`` characters ahead of it
    and ``after`` past it, merged where they overlap, in text order: where the gated pattern can match,
    when no match reaches further from its literal than that."""
    spans = []
    for literal in literals:
        at = text.find(literal)
        while at >= 0:
            spans.append((max(0, at - before), min(len(text), at + len(literal) + after)))
            at = text.find(literal, at + len(literal) + after)  # inside that window already
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def leading(source: str, flags: int = 0) -> tuple[str, ...] | None:
    """Literals one of which every match *starts* with (after zero-width assertions such as ``\\b``), or
    None. A search can then jump from one occurrence of them to the next (``str.find``) and try the
    pattern only there: ``re`` has no such scan for an alternation or a pattern opening with ``\\b``."""
    try:
        tree = sre_parse.parse(source, flags)
    except re.error:
        return None
    found = _leading(list(tree), 0)
    if not found or len(found) > MAX_LEADING or min(map(len, found)) < MIN_LITERAL:
        return None
    # "bis" covers "bis zum": a literal that starts with another one adds no start position
    kept = {x for x in found if not any(x != y and x.startswith(y) for y in found)}
    return tuple(sorted(kept))


_ZERO_WIDTH = (sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT)


def _leading(items: list[Any], depth: int) -> set[str] | None:
    """The literals a match of this sequence of parse items starts with; None when unknown or empty."""
    if depth > 12:
        return None
    union: set[str]
    for index, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            continue  # checked by the pattern itself at the start position
        rest = items[index + 1 :]
        if op is sre_parse.LITERAL:
            run = ""
            for next_op, next_av in items[index:]:
                if next_op is not sre_parse.LITERAL:
                    break
                run += chr(next_av)
            return {run}
        if op is sre_parse.SUBPATTERN:
            return _leading(list(av[-1]) + rest, depth + 1)
        if op is sre_parse.IN and len(av) <= 4 and all(o is sre_parse.LITERAL for o, _ in av):
            union = set()  # "[kk]lein" (a case pair, lower-cased): each character leads in turn
            for _, char in av:
                found = _leading([(sre_parse.LITERAL, char), *rest], depth + 1)
                if not found:
                    return None
                union |= found
            return union
        if op is sre_parse.BRANCH:
            union = set()
            for branch in av[1]:
                found = _leading(list(branch) + rest, depth + 1)
                if not found:
                    return None
                union |= found
            return union
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            low, _, item = av
            first = _leading(list(item), depth + 1)
            if first is None:
                return None
            if low >= 1:
                return first
            after = _leading(rest, depth + 1)  # the item may be absent: the rest may start the match
            return None if after is None else first | after
        return None  # a class, a wildcard, a group reference: no literal to look for
    return None
