"""Literal gates derived from regex patterns: a cheap necessary condition before a costly search (pure).

Python's ``re`` tries every branch of a long alternation at every position; a plain substring test
(``"frist" in text``) runs in C at memchr speed. ``gate(pattern)`` reads the pattern's own parse tree and
returns literal strings of which every match must contain at least one, so ``passes(gate, text)`` false means
the pattern cannot match. Nothing is written by hand: a changed pattern changes its gate. A pattern without
such literals (a branch of only classes or wildcards) gets no gate (``None``) and is always searched.
"""

from __future__ import annotations

import re
from typing import Any

from classifier.fold import Pattern

try:  # Python 3.11+
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse  # type: ignore[no-redef]

MIN_LITERAL = 2  # shorter literals gate nothing


def gate(pattern: Pattern | str) -> tuple[str, ...] | None:
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
