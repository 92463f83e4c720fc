"""Where a date stands among the lines of a text: in a list that one sentence runs over, as a list entry
that names only its stage, or alone on its line (pure).

Real guidelines break one sentence over a list of dates ("… sind dem Projektträger bis spätestens" ·
one date per line · "zunächst Projektskizzen … vorzulegen."), and pages put a date on a line of its own with
the words about it on the next. ``date_rules`` reads the words these functions point to as the date's own.
"""

from __future__ import annotations

import re

from classifier.dates import DateMention

LIST_LINES = 12  # date lines one sentence can run over
ITEM_LETTERS = 80  # a list line holds its date and at most this many letters besides
NEXT_LINE_CHARS = 150  # of the line after a date alone on its line

_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_INSIDE = re.compile(r"[^\W\d_]{2}[.!?]\s+[A-ZÄÖÜ]")  # "… vorzulegen. Die Einreichung …"
# a list entry that names only what the date is for ("* Phase 1: bis spätestens …")
_ENTRY_HEAD = re.compile(r"\s*(?:[*•–-]|\d{1,2}[.)])\s[^\n]{0,40}$")
_NEXT_LINE = re.compile(r"[^\S\n]*[*_]*[^\S\n]*\n\s*([^\n]+)")
_DIGIT_START = re.compile(r"[\s*•|-]*\d")  # the next line is another date or a number: no words for this one


def list_frames(text: str, mentions: list[DateMention]) -> dict[int, tuple[str, str]]:
    """Dates listed one per line inside a sentence that leads into the list and ends after it: "… sind dem
    Projektträger bis spätestens\n\n* 31. Oktober 2023\n* 30. September 2024\n\nzunächst Projektskizzen …
    vorzulegen." For the index of each date of such a list, (the lead-in line, the line that ends the
    sentence). ``text`` in its own letter case: the sentence goes on after the list in lower case."""
    lines: dict[int, tuple[int, list[int]]] = {}  # line start → (line end, indexes of its dates)
    for i, m in enumerate(mentions):
        start = text.rfind("\n", 0, m.start) + 1
        end = text.find("\n", m.end)
        lines.setdefault(start, (end if end >= 0 else len(text), []))[1].append(i)
    items = {start for start, (end, found) in lines.items() if _is_entry(text, start, end, mentions, found)}
    frames: dict[int, tuple[str, str]] = {}
    done: set[int] = set()
    for start in sorted(items):
        if start in done:
            continue
        run, following = _run(text, start, lines, items)
        done.update(run)
        lead = _line_before(text, start)
        tail = following.lstrip(" \t*•–-")
        if lead and lead[-1:] not in ".!?:" and tail[:1].islower():
            for line in run:
                for i in lines[line][1]:
                    frames[i] = (lead, tail)
    return frames


def _run(
    text: str, start: int, lines: dict[int, tuple[int, list[int]]], items: set[int]
) -> tuple[list[int], str]:
    """The list's date lines from ``start`` down, over blank lines, and the first other line after them."""
    run, pos = [start], lines[start][0]
    for _ in range(LIST_LINES):
        nxt = pos + 1
        while nxt < len(text) and text[nxt] == "\n":
            nxt += 1
        if nxt >= len(text):
            break
        if nxt not in items:
            end = text.find("\n", nxt)
            return run, text[nxt : end if end >= 0 else len(text)]
        run.append(nxt)
        pos = lines[nxt][0]
    return run, ""


def _line_before(text: str, start: int) -> str:
    """The last non-blank line before the line that starts at ``start``."""
    end = start - 1
    while end > 0 and text[end - 1] == "\n":
        end -= 1
    end = max(end, 0)
    return text[text.rfind("\n", 0, end) + 1 : end].rstrip()


def _is_entry(text: str, start: int, end: int, mentions: list[DateMention], found: list[int]) -> bool:
    """A line that is one entry of a list of dates: short, besides its dates, and one sentence at most."""
    if end - start > 200 or _SENTENCE_INSIDE.search(text, start, end):
        return False
    letters = len(_LETTER.findall(text, start, end)) - sum(
        len(_LETTER.findall(text, mentions[i].start, mentions[i].end)) for i in found
    )
    return letters <= ITEM_LETTERS


def names_only_its_stage(text: str, start: int, end: int) -> bool:
    """The sentence ``text[start:end]`` before a date is a short list entry: "* Phase 1: bis spätestens "."""
    return _ENTRY_HEAD.match(text, start, end) is not None


def next_line(text: str, mention: DateMention) -> str:
    """For a date that opens its line with no words after it ("Call #1.4\n\n04.11.2021\n\nThe fourth call
    closes …"; the caller knows the words after it), the next line with words: it says what the date is."""
    if _LETTER.search(text, text.rfind("\n", 0, mention.start) + 1, mention.start):
        return ""
    following = _NEXT_LINE.match(text, mention.end)
    if following is None or _DIGIT_START.match(following.group(1)):
        return ""
    return following.group(1)[:NEXT_LINE_CHARS]
