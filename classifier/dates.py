"""Finds date expressions in German and English text and normalises them (pure, no spaCy).

Every shape the spec lists: ``31.03.2026``, ``1.6.2026``, ``15. April 2026``, ``15. April``,
``Montag, den 10. Mai 2021``, ``29 March 2026 17:00:00 Brussels time``, ``September 23, 2026``,
``12th of May 2026``, ``March 13th``, ``13/05/2026 at 17:00``, ``2026/10/22``, ``2026-10-22``, with a
time and time zone before or after the date. Day-first unless the page is clearly US-style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from classifier.fold import fold
from foerderradar.models import MONTHS

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAYS = "montag dienstag mittwoch donnerstag freitag samstag sonntag monday tuesday wednesday thursday friday saturday sunday"
_DAYS_DE, _DAYS_EN = "mo di mi do fr sa so", "mon tue wed thu fri sat sun"
_WEEKDAY = (
    rf"(?:(?:{'|'.join(_DAYS.split())}),?|(?:{'|'.join(_DAYS_DE.split())})\.,?|(?:{'|'.join(_DAYS_EN.split())})\.?,?)\s+"
    r"(?:den\s+|dem\s+|the\s+)?"
)
# What a date can start with: a digit, a weekday or a month name. The engine checks this one character
# at every position before it tries the long alternation (three times faster on letters).
_FIRST = "".join(sorted({word[0] for word in (*MONTHS, *_DAYS.split(), *_DAYS_DE.split())}))
_ORD = r"(?:st|nd|rd|th)"
_YEAR = r"(?:19|20)\d\d"

# One alternation so that every position is read by the first shape that fits.
_DATE = fold(
    rf"(?=[\d{_FIRST}])\b(?:{_WEEKDAY})?(?:"
    rf"(?P<iy>{_YEAR})-(?P<im>\d\d)-(?P<id>\d\d)(?:T(?P<ith>\d\d):(?P<itm>\d\d)(?::\d\d)?)?"
    rf"|(?P<sy>{_YEAR})/(?P<sm>\d{{1,2}})/(?P<sd>\d{{1,2}})(?![\d/])"
    # year first with full stops ("2026. 03. 19.", Hungarian and some EU national texts)
    rf"|(?P<py>{_YEAR})\.\s?(?P<pm>\d{{1,2}})\.\s?(?P<pd>\d{{1,2}})\.(?!\d)"
    rf"|(?P<sa>\d{{1,2}})/(?P<sb>\d{{1,2}})/(?P<sz>{_YEAR})(?!\d)"
    rf"|(?P<ha>\d{{1,2}})-(?P<hb>\d{{1,2}})-(?P<hy>{_YEAR})(?!\d)"
    rf"|(?P<nd>\d{{1,2}})\\?\.\s?(?P<nm>\d{{1,2}})\\?\.\s?(?P<ny>{_YEAR})(?!\d)"
    rf"|(?P<nd2>\d\d)\.(?P<nm2>\d\d)\.(?P<ny2>\d\d)(?!\d|\.\d)"
    rf"|(?P<bd>\d\d)\.(?P<bm>\d\d)\.(?![\d])"
    # a year-less "15.2." or "1.6." right after a date word or another date: alone it could be a section
    # number, here it is a day ("zweimal jährlich zum 15.2. sowie 15.8.", "jeweils der 15.4. und 15.10.")
    r"|(?:(?<=zum )|(?<=bis )|(?<=am )|(?<=ab )|(?<=vom )|(?<=jeweils )|(?<=der )|(?<=\d\. und )|"
    r"(?<=\d\. sowie )|(?<=\d\. oder ))(?P<sd1>\d{1,2})\.(?P<sm1>\d{1,2})\.(?![\d])"
    # "15\. November 2026": Markdown escapes the full stop of an ordinal (Förderdatenbank exports)
    rf"|(?P<ld>\d{{1,2}})(?:{_ORD}|\\?\.)?(?:\s+of)?\s*(?P<lm>{_MONTH})\b\.?(?:,?\s*(?P<ly>{_YEAR})(?!\d))?"
    rf"|(?P<em>{_MONTH})\b\.?\s+(?P<ed>\d{{1,2}})(?:{_ORD})?(?![\d:]|\.\d)(?:,?\s+(?P<ey>{_YEAR})(?!\d))?"
    r")",
)
_TZ = (
    r"(?:CEST|CET|MESZ|MEZ|UTC(?:[+-]\d{1,2}(?::?\d\d)?)?|GMT|Brussels\s+(?:local\s+)?time|"
    r"Brüsseler\s+Zeit|(?:deutscher|mitteleuropäischer)\s+(?:Sommer)?zeit|Ortszeit|local\s+time|"
    r"Central\s+European\s+(?:Summer\s+)?Time|(?-i:[PECM][SD]?T)\b)"
)
_CLOCK = (
    r"(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d\d)(?::\d\d)?)?(?![\d.]\d)"
    r"\s*(?P<ampm>[ap]\.?m\.?(?!\w))?\s*(?P<uhr>Uhr\b|h\b)?"
)
_TIME_AFTER = fold(
    rf"^(?:\s*(?:,|/|–|-|\||um|at|ab|bis|by|until|\(|;)\s*){{0,3}}\s*{_CLOCK}"
    rf"(?:\s*\(?\s*(?P<tz>{_TZ})\)?)?",
)
_TIME_BEFORE = fold(
    rf"{_CLOCK}(?:\s*(?:noon|midday|mittags))?(?:\s*\(?\s*(?P<tz>{_TZ})\)?)?\s*(?:,\s*)?(?:am|on|,|the)?\s*$",
)
_TZ_AFTER = fold(rf"^\s*\(?\s*(?P<tz>{_TZ})\)?")
# "15 July 2026 — Submission deadline (17:00 CEST)": a time in brackets after a short label.
_TIME_LABEL = fold(rf"^\s*[—–-]\s*[^\W\d][^()\n\d]{{2,40}}\(\s*{_CLOCK}(?:\s*(?P<tz>{_TZ}))?\s*\)")


@dataclass(frozen=True)
class DateMention:
    """One date expression: where it stands, what it says, and the year if the text gives one."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    time: str | None = None
    timezone: str | None = None
    ambiguous: bool = False  # a numeric d/m/y that could be read month-first
    vague: bool = False  # a month or year end without a day ("bis Ende Juni 2021"): never dated

    @property
    def iso(self) -> str | None:
        if self.year is None or self.vague:
            return None
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def with_year(self, year: int) -> DateMention:
        return replace(self, year=year)

    def as_date(self) -> date | None:
        return None if self.year is None or self.vague else date(self.year, self.month, self.day)


def is_us_style(text: str) -> bool:
    """A page writing "September 23, 2026" and never "23 September 2026" is month-first."""
    us = len(re.findall(rf"\b(?:{_MONTH})\.?\s+\d{{1,2}},\s+{_YEAR}", text, re.I))
    eu = len(re.findall(rf"\b\d{{1,2}}\.?\s+(?:{_MONTH})\.?\s+{_YEAR}", text, re.I))
    return us > 0 and eu == 0


def find_dates(text: str, us_style: bool | None = None, vague: bool = True) -> list[DateMention]:
    """Every valid calendar date in the text, in order, with a time and time zone when stated; with
    ``vague``, also the month and year ends without a day ("bis Ende Juni 2021")."""
    found: list[DateMention] = []
    cursor = 0
    for start, end in _digit_windows(text):
        pos = max(cursor, start)
        while True:
            match = _DATE.search(text, pos, end)
            if match is None:
                break
            pos = cursor = match.end()
            if _inside_number_or_url(text, match.start(), match.end()):
                continue
            if match.group("sd1") and not _follows_date(text, match.start(), found):
                continue  # "Nummer 1.2. und 1.3.": after a conjunction only when a date stands before it
            if us_style is None and (match.group("sa") or match.group("ha")):
                us_style = is_us_style(text)  # only needed for an ambiguous 01/09/2026
            mention = _mention(match, bool(us_style))
            if mention is not None:
                found.append(_attach_time(text, mention))
                cursor = max(cursor, found[-1].end)
    return _with_vague(text, found) if vague else found


_CONJUNCTION = re.compile(r"\s+(?:und|sowie|oder)\s+", re.I)


def _follows_date(text: str, start: int, found: list[DateMention]) -> bool:
    """A short "d.m." is read after a date word, or after a conjunction right behind a date found."""
    gap_start = found[-1].end if found else -1
    if gap_start >= 0 and _CONJUNCTION.fullmatch(text, gap_start, start):
        return True
    return not _CONJUNCTION.search(text, max(0, start - 8), start)


# A deadline without a day: "bis Ende Juni 2021", "bis Dezember 2023", "bis Ende des Jahres", "by the end of
# March 2024". Read as mentions so that the model can tell them; they are reported with ``date: null``.
_VAGUE = fold(
    rf"\bbis\s+(?:spätestens\s+)?(?:zum\s+)?(?P<de>ende\s+(?:des\s+jahres|(?P<em>{_MONTH})\b(?:\s+(?P<ey>{_YEAR}))?)"
    rf"|(?P<bm>{_MONTH})\s+(?P<by>{_YEAR})\b)"
    rf"|\b(?:by|until|before)\s+(?P<en>(?:the\s+)?end\s+of\s+(?:the\s+year|(?P<nm>{_MONTH})\b(?:\s+(?P<ny>{_YEAR}))?))",
)


def _with_vague(text: str, found: list[DateMention]) -> list[DateMention]:
    vague = []
    for match in _VAGUE.finditer(text):
        month_name = match.group("em") or match.group("nm") or match.group("bm")
        year = match.group("ey") or match.group("ny") or match.group("by")
        if month_name and len(month_name) < 3:
            continue
        month = MONTHS[month_name.lower()] if month_name else 12
        day = 31 if month in (1, 3, 5, 7, 8, 10, 12) else (28 if month == 2 else 30)
        start, end = match.start("de") if match.group("de") else match.start("en"), match.end()
        if not any(m.start < end and start < m.end for m in found):
            vague.append(DateMention(start, end, day, month, int(year) if year else None, vague=True))
    return sorted(found + vague, key=lambda m: m.start) if vague else found


# Runs of digits whose windows (32 characters before, 14 after) overlap or nearly touch (8): one window.
# "\d\d*+", not "\d++": a pattern that opens with a plain class lets re skip to the next digit in C.
_DIGIT_RUNS = re.compile(r"\d\d*+(?:\D{0,54}+\d++)*+")


def _digit_windows(text: str) -> list[tuple[int, int]]:
    """Every date holds a digit: run the big pattern only near digits (much faster on long texts)."""
    return [(max(0, m.start() - 32), min(len(text), m.end() + 14)) for m in _DIGIT_RUNS.finditer(text)]


def _mention(match: re.Match[str], us_style: bool) -> DateMention | None:
    g = match.groupdict()
    ambiguous = False
    if g["iy"]:
        y, m, d = int(g["iy"]), int(g["im"]), int(g["id"])
    elif g["sy"]:
        y, m, d = int(g["sy"]), int(g["sm"]), int(g["sd"])
    elif g["py"]:
        y, m, d = int(g["py"]), int(g["pm"]), int(g["pd"])
    elif g["sa"] or g["ha"]:
        a, b = int(g["sa"] or g["ha"]), int(g["sb"] or g["hb"])
        y = int(g["sz"] or g["hy"])
        d, m = (b, a) if (us_style and b <= 12 and a <= 12) or b > 12 else (a, b)
        ambiguous = a <= 12 and b <= 12 and a != b
    elif g["nd"]:
        d, m, y = int(g["nd"]), int(g["nm"]), int(g["ny"])
        y = y + 2000 if y < 100 else y
    elif g["nd2"]:
        d, m, y = int(g["nd2"]), int(g["nm2"]), 2000 + int(g["ny2"])
    elif g["bd"] or g["sd1"]:
        d, m, y = int(g["bd"] or g["sd1"]), int(g["bm"] or g["sm1"]), None
    elif g["ld"]:
        d, m = int(g["ld"]), MONTHS[g["lm"].lower()]
        y = int(g["ly"]) if g["ly"] else None
        if g["lm"] == "may" and y is None:
            return None  # "cut-off 1 may be resubmitted": the verb, not the month
    else:
        d, m = int(g["ed"]), MONTHS[g["em"].lower()]
        y = int(g["ey"]) if g["ey"] else None
        if g["em"] == "may" and y is None:
            return None  # "applicants may 2 …"
    if not _valid(d, m, y):
        return None
    mention = DateMention(match.start(), match.end(), d, m, y, ambiguous=ambiguous)
    if g["ith"]:
        mention = replace(mention, time=f"{int(g['ith']):02d}:{g['itm']}")
    return mention


def _valid(day: int, month: int, year: int | None) -> bool:
    try:
        date(year or 2024, month, day)  # 2024: a leap year lets 29 February without a year stand
    except ValueError:
        return False
    return True


def _inside_number_or_url(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 1) : start]
    after = text[end : end + 1]
    if before and (before.isalnum() or before in "/._") and text[start].isdigit():
        return True
    if after.isdigit():
        return True
    if after and after in "/_" and text[end + 1 : end + 2].isalnum():
        clock = _TIME_AFTER.match(text[end : end + 20])
        return not (clock and _clock_ok(clock))
    return (
        "://" in text[max(0, start - 60) : start]
        and " " not in text[max(0, start - 60) : start].split("://")[-1]
    )


def _attach_time(text: str, mention: DateMention) -> DateMention:
    if mention.time is not None:
        return mention
    after = _TIME_AFTER.match(text[mention.end : mention.end + 45])
    if after and _clock_ok(after):
        return replace(
            mention,
            end=mention.end + after.end(),
            time=_clock(after),
            timezone=_tz(after.group("tz")),
        )
    line_start = max(mention.start - 40, text.rfind("\n", 0, mention.start) + 1, 0)
    prefix = text[line_start : mention.start]
    before = _TIME_BEFORE.search(prefix)
    tz_after = _TZ_AFTER.match(text[mention.end : mention.end + 30])
    if before and _clock_ok(before) and ")" not in _without_zone(prefix[before.start() :], before):
        return replace(
            mention,
            start=line_start + before.start(),
            time=_clock(before),
            timezone=_tz(before.group("tz")),
        )
    labelled = _TIME_LABEL.match(text[mention.end : mention.end + 70])
    if labelled and _clock_ok(labelled):
        return replace(mention, time=_clock(labelled), timezone=_tz(labelled.group("tz")))
    if tz_after:
        return replace(mention, end=mention.end + tz_after.end(), timezone=_tz(tz_after.group("tz")))
    return mention


def _without_zone(span: str, match: re.Match[str]) -> str:
    """The time's span without its bracketed zone: "12:00 noon (CET) on" holds no other bracket."""
    zone = match.group("tz")
    return span.replace(f"({zone})", "") if zone else span


def _clock_ok(match: re.Match[str]) -> bool:
    """A bare number after a date is a time only with minutes, am/pm or "Uhr"."""
    h = int(match.group("h"))
    if match.group("sep") == "." and not match.group("uhr"):
        return False  # "15.10" after a date is the next date of a list, not a time
    has_marker = match.group("m") or match.group("ampm") or match.group("uhr")
    return bool(has_marker) and h <= 24 and (match.group("m") is None or int(match.group("m")) < 60)


def _clock(match: re.Match[str]) -> str:
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _tz(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None


@dataclass
class Reading:
    """What one date mention means in its context."""

    mention: DateMention
    score: float = 0.0
    role: str = "date"  # "deadline", or the strongest negative cue ("publication", "opening", ...)
    kind: str = "single"
    chain: int = 0  # dates of one list share a chain number
    cue_score: float = 0.0  # the deadline cues alone, before any negative context
    probability: float = 0.0  # the deadline model's probability that it is a submission deadline
    evidence: tuple[tuple[str, float], ...] = ()  # the model's strongest features for a deadline
