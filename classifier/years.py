"""Years for year-less deadlines, only from the same text: its sentence, else the publication (pure).

A date without a year gets its year only from the text (spec §1): a year stated in the same sentence, else
the first occurrence on or after the anchor — the publication date the text states, else the record's
``published`` date, else the earliest dated mention. A recurring cut-off ("jeweils der 15. April",
"31. Januar eines Jahres") takes no year from the anchor: without a year in its sentence it stays ``None``.
The reference date never supplies a year.
"""

from __future__ import annotations

import re
from datetime import date

from classifier.dates import DateMention, Reading
from classifier.text import Sentences


def infer_years(readings: list[Reading], sentences: Sentences, published: date | None) -> list[DateMention]:
    """For each reading, its mention with the year the text gives (unchanged when none can be read). A
    recurring cut-off stays year-less even when the text also names one dated instance of it ("jeweils zum
    31. Januar, letztmals zum 31.01.2026"): both are reported. The readings are not changed."""
    anchor = _anchor(readings, published)
    stated = [r.mention for r in readings if r.mention.year is not None]  # years the text gives
    recurring = _recurring(readings, sentences)
    out: list[DateMention] = []
    for reading in readings:
        m = reading.mention
        if reading.role != "deadline" or m.year is not None or m.vague:
            out.append(m)
            continue
        # once the text calls "1. Februar" a yearly cut-off, "bis zum 1. Februar" elsewhere is the same one
        annual = (m.month, m.day) in recurring or bool(
            _ANNUAL.search(sentences.text, *sentences.span(m.start))
        )
        year = _sentence_year(stated, sentences, m)
        if year is None and anchor is not None and not annual:
            year = anchor.year + (
                date(anchor.year, m.month, min(m.day, 28 if m.month == 2 else m.day)) < anchor
            )
        out.append(m.with_year(year) if year is not None and _exists(year, m.month, m.day) else m)
    return out


_ANNUAL = re.compile(
    r"\bjeweils\b|eines (?:jeden )?(?:kalender)?jahres|jedes jahres|(?:all)?jährlich|\b(?:each|every) year|"
    r"\bannual(?:ly)?\b|\byearly\b|\bdes (?:laufenden |jeweiligen |folgenden )?(?:\w+)?jahres\b|"
    r"\b(?:vor|folge)jahres\b|of the (?:current|following|previous) year",
    re.I,
)


def is_annual(sentences: Sentences, mention: DateMention) -> bool:
    """Whether the sentence of a date says it recurs every year ("jeweils", "eines Jahres", "each year")."""
    return bool(_ANNUAL.search(sentences.text, *sentences.span(mention.start)))


def _recurring(readings: list[Reading], sentences: Sentences) -> set[tuple[int, int]]:
    """Day and month of the year-less deadlines that the text says recur every year."""
    return {
        (r.mention.month, r.mention.day)
        for r in readings
        if r.role == "deadline"
        and r.mention.year is None
        and _ANNUAL.search(sentences.text, *sentences.span(r.mention.start))
    }


def _anchor(readings: list[Reading], published: date | None) -> date | None:
    for reading in readings:
        day = reading.mention.as_date()
        if reading.role == "publication" and day is not None:
            return day
    if published is not None:
        return published
    dated = [d for r in readings for d in [r.mention.as_date()] if d is not None]
    return min(dated) if dated else None


def _sentence_year(stated: list[DateMention], sentences: Sentences, m: DateMention) -> int | None:
    index = sentences.index(m.start)
    same = [x for x in stated if sentences.index(x.start) == index]
    later = [x for x in same if x.start > m.start]
    earlier = [x for x in same if x.start < m.start]
    if later:
        return later[0].year
    if earlier:
        return earlier[-1].year
    return _bare_year(sentences, m)


_YEAR = re.compile(r"(?<![\d.,/–-])(?:19|20)\d\d(?![\d.,/–-])")


def _bare_year(sentences: Sentences, m: DateMention) -> int | None:
    """A year written alone in the sentence: "Im Förderaufruf 2027 sind Skizzen bis zum 15. April …",
    "The 2027 round closes on March 13th". The nearest one before the date wins, else the first after."""
    start, end = sentences.span(m.start)
    before = _YEAR.findall(sentences.text, start, m.start)
    if before:
        return int(before[-1])
    after = _YEAR.findall(sentences.text, m.end, end)
    return int(after[0]) if after else None


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
