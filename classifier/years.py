"""Years for year-less deadlines, only from the same text: its sentence, else the publication (pure).

A date without a year gets its year only from the text (spec §1): a year stated in the same sentence, else
the first occurrence on or after the anchor — the publication date the text states, else the record's
``published`` date, else the earliest dated mention. A recurring cut-off ("jeweils der 15. April",
"31. Januar eines Jahres") takes no year from the anchor: without a year in its sentence it stays ``None``.
The reference date never supplies a year.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

from classifier.dates import DateMention, Reading
from classifier.fold import fold
from classifier.text import Sentences


def infer_years(readings: list[Reading], sentences: Sentences, published: date | None) -> list[DateMention]:
    """For each reading, its mention with the year the text gives (unchanged when none can be read). A
    recurring cut-off stays year-less even when the text also names one dated instance of it ("jeweils zum
    31. Januar, letztmals zum 31.01.2026"): both are reported. The readings are not changed.

    Linear in the text: each sentence is searched once (a text without sentence ends is one sentence)."""
    anchor = _anchor(readings, published)
    context = _Sentencewise(sentences, readings)
    annual_days = {(readings[i].mention.month, readings[i].mention.day) for i in context.annual_deadlines}
    out: list[DateMention] = []
    for reading in readings:
        m = reading.mention
        if reading.role != "deadline" or m.year is not None or m.vague:
            out.append(m)
            continue
        # once the text calls "1. Februar" a yearly cut-off, "bis zum 1. Februar" elsewhere is the same one
        annual = (m.month, m.day) in annual_days
        # A recurring cut-off takes no year from a dated instance beside it ("jeweils zum 15. September eines
        # Jahres, erstmalig zum 15. September 2022"): both are reported. Unless that instance is the last one
        # ("bis zum 15.11. eines Jahres (letztmalig bis zum 15.11.2025)"): the series ends there. A bare
        # year still dates it.
        year = context.year_near(m, dated=not annual or context.names_last(m.start))
        if year is None and anchor is not None and not annual:
            year = anchor.year + (
                date(anchor.year, m.month, min(m.day, 28 if m.month == 2 else m.day)) < anchor
            )
        out.append(m.with_year(year) if year is not None and _exists(year, m.month, m.day) else m)
    return out


def annual_deadlines(readings: list[Reading], sentences: Sentences) -> set[int]:
    """Indices of the year-less deadlines whose sentence says they recur every year."""
    return _Sentencewise(sentences, readings).annual_deadlines


_ANNUAL = fold(
    r"\bjeweils\b|eines (?:jeden )?(?:kalender)?jahres|jed(?:es|en) (?:kalender)?jahres|\bjede[ms] (?:kalender)?jahr\b|"
    r"(?:all)?jährlich|\b(?:each|every) year|\b(?:ein|zwei|drei|vier)mal (?:im|pro) jahr\b|"
    r"\b(?:once|twice|two times|three times) (?:a|per|each) year\b|"
    r"\bannual(?:ly)?\b|\byearly\b|\bdes (?:laufenden |jeweiligen |folgenden )?(?:\w+)?jahres\b|"
    r"\b(?:vor|folge)jahres\b|of the (?:current|following|previous) year",
)

_LAST = fold(
    r"letztmal\w*|zum letzten mal|\bzuletzt\b|\b(?:last|final) (?:cut-?off|deadline|call|round)\b|\bfor the last time\b"
)


class _Sentencewise:
    """What each sentence says about years, computed once per sentence."""

    def __init__(self, sentences: Sentences, readings: list[Reading]) -> None:
        self.sentences = sentences
        self.annual: dict[int, bool] = {}
        self.stated: dict[int, list[DateMention]] = {}  # dated mentions per sentence, in text order
        self.bare: dict[int, list[tuple[int, int]]] = {}  # (offset, year) of bare years per sentence
        for r in readings:
            if r.mention.year is not None and not r.mention.vague:
                self.stated.setdefault(sentences.index(r.mention.start), []).append(r.mention)
        self.annual_deadlines = {
            i
            for i, r in enumerate(readings)
            if r.role == "deadline" and r.mention.year is None and self.is_annual(r.mention.start)
        }

    def is_annual(self, offset: int) -> bool:
        index = self.sentences.index(offset)
        if index not in self.annual:
            self.annual[index] = bool(_ANNUAL.search(self.sentences.text, *self.sentences.span(offset)))
        return self.annual[index]

    def names_last(self, offset: int) -> bool:
        """The sentence names the last instance of a series ("letztmalig", "zum letzten Mal", "last")."""
        return bool(_LAST.search(self.sentences.text, *self.sentences.span(offset)))

    def year_near(self, m: DateMention, dated: bool = True) -> int | None:
        """The year of the next dated mention in the sentence, else of the previous one (when ``dated``),
        else a bare year."""
        index = self.sentences.index(m.start)
        same = self.stated.get(index, []) if dated else []
        i = _bisect(same, m.start)
        if i < len(same):
            return same[i].year
        if i:
            return same[i - 1].year
        return self._bare_year(index, m)

    def _bare_year(self, index: int, m: DateMention) -> int | None:
        """A year written alone in the sentence: "Im Förderaufruf 2027 sind Skizzen bis zum 15. April …",
        "The 2027 round closes on March 13th". The nearest one before the date wins, else the first after."""
        if index not in self.bare:
            start, end = (
                self.sentences.spans[index] if self.sentences.spans else (0, len(self.sentences.text))
            )
            found = _YEAR.finditer(self.sentences.text, start, end)
            self.bare[index] = [(x.start(), int(x.group())) for x in found]
        years = self.bare[index]
        i = _bisect_pairs(years, m.start)
        if i:
            return years[i - 1][1]
        after = [y for pos, y in years[i:] if pos >= m.end][:1]
        return after[0] if after else None


def _bisect(mentions: list[DateMention], offset: int) -> int:
    lo, hi = 0, len(mentions)
    while lo < hi:
        mid = (lo + hi) // 2
        if mentions[mid].start < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _bisect_pairs(pairs: list[tuple[int, int]], offset: int) -> int:
    return bisect_left(pairs, (offset, -1))


def _anchor(readings: list[Reading], published: date | None) -> date | None:
    for reading in readings:
        day = reading.mention.as_date()
        if reading.role == "publication" and day is not None:
            return day
    if published is not None:
        return published
    dated = [d for r in readings for d in [r.mention.as_date()] if d is not None]
    return min(dated) if dated else None


_YEAR = re.compile(r"(?<![\d.,/–-])(?:19|20)\d\d(?![\d.,/–-])")


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
