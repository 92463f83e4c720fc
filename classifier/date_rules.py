"""The rules' reading of each date mention: deadline cues add, non-deadline contexts subtract (pure).

Each date found by ``dates.find_dates`` is scored from the cues around it (``cues.py``, where every cue's
weight lives): deadline labels and submission verbs add, publication / opening / project / validity / event /
statistics / eligibility contexts subtract. Dates in a list after a deadline ("15.04.2026, 15.10.2026") and
the end of a range follow their neighbours. The reading (score, role, kind) is what the rules say; it is one
description of the mention among others that the learned model (``deadline_model``) weighs.
"""

from __future__ import annotations

import re

from classifier import cues
from classifier.date_layout import list_frames, names_only_its_stage, next_line
from classifier.dates import DateMention, Reading, find_dates
from classifier.text import Sentences

THRESHOLD = 2.5
NEAR = 160  # characters before a date that are read as its context
AFTER = 150
NEAR_FULL = 60  # a cue this close before the date counts fully
NOT_CLOSE = 0.6  # share of a cue's weight when it stands further before the date
FAR = 0.5  # share of a label's weight when it stands earlier in a long sentence
ITEM_CHARS = 60  # before its date, a list entry's own words are at most this long
SENTENCE_END = 0.75  # share of a submission verb's weight at the end of the sentence, after further dates


def read_all(text: str, mentions: list[DateMention], sentences: Sentences) -> list[Reading]:
    readings: list[Reading] = []
    chain = 0
    # the lower-cased text keeps the offsets; whether a line goes on in lower case needs the original
    original = sentences.text if len(sentences.text) == len(text) else text
    frames = list_frames(original, mentions)
    transitions: dict[tuple[int, int], bool] = {}
    for i, mention in enumerate(mentions):
        span = sentences.span(mention.start)
        prev = mentions[i - 1] if i and mentions[i - 1].end > span[0] else None
        nxt = mentions[i + 1] if i + 1 < len(mentions) and mentions[i + 1].start < span[1] else None
        reading = Reading(mention)
        gap = text[prev.end : mention.start] if prev else ""
        if (
            prev
            and readings[-1].role == "deadline"
            and _is_separator(gap)
            and not _vetoed(text, mention, nxt, span)
        ):
            reading.score, reading.role, reading.kind = readings[-1].score, "deadline", readings[-1].kind
            reading.chain = readings[-1].chain
            kind = _kind(text, mention, "", nxt, span, own_only=True)
            reading.kind = kind or reading.kind
        elif _update_stamp(text, mention):
            reading.role = "update"  # when a news or changelog entry was posted, not a deadline
            chain += 1
            reading.chain = chain
        else:
            _score(text, reading, prev, nxt, span, frames.get(i))
            chain += 1
            reading.chain = chain
            if reading.role == "deadline":
                reading.kind = _kind(text, mention, _near(text, mention, prev, span), nxt, span) or "single"
        if (reading.role == "deadline" or reading.cue_score > 0) and _transitional(text, span, transitions):
            reading.role = "transition"
        if prev and cues.RANGE.match(gap):
            _range_pair(text, readings[-1], reading)
        readings.append(reading)
    return readings


def _transitional(text: str, span: tuple[int, int], known: dict[tuple[int, int], bool]) -> bool:
    """The sentence at ``span`` is a transitional provision (``cues.transitional``), read once per sentence."""
    if span not in known:
        known[span] = cues.transitional(text[span[0] : span[1]])
    return known[span]


_STAMP_PREFIX = re.compile(
    r"^\(?\s*(?:text\s+|page\s+|call\s+)?(?:updated?|aktualisiert|aktualisierung|änderung)(?:\s+(?:vom|am|on))?$"
)
_STAMP_COLON = re.compile(r"\s*(?:\(\w+\)\s*)?:")
_UPDATES_HEADING = re.compile(
    r"(?:^|\n)[#*\s]*(?:call |topic )?(?:updates?|news|latest news|changes|changelog|änderungen|aktuelles|"
    r"neuigkeiten|aktuelle hinweise|meldungen)\b[^\n]{0,40}\n"
)
_CHANGE = re.compile(
    r"has been|have been|\bwurden?\b|\bist\s+(?:\w+\s+){0,4}(?:verlängert|verschoben|geändert)|extended|"
    r"postponed|amended|corrigendum|\bupdated\b|published|veröffentlicht|verlängert|verschoben|geändert"
)


def _update_stamp(text: str, mention: DateMention) -> bool:
    """ "27 January 2027: The deadline has been extended …": a date opening a line and followed by a colon,
    in a list of call updates or reporting a change, dates the entry and is no deadline."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    prefix = text[line_start : mention.start].strip(" \t*•–-")
    if (prefix and not _STAMP_PREFIX.match(prefix)) or not _STAMP_COLON.match(text, mention.end):
        return False
    if prefix:
        return True  # "(Text update 30 November 2021: we have adjusted the closing date …)"
    entry = text[mention.end : mention.end + 200]
    return bool(_CHANGE.search(entry) or _UPDATES_HEADING.search(text, max(0, line_start - 3000), line_start))


def _is_separator(gap: str) -> bool:
    return bool(cues.SEPARATOR.match(re.sub(r"\([^()]{0,80}\)", " ", gap)))


def _near(text: str, mention: DateMention, prev: DateMention | None, span: tuple[int, int]) -> str:
    start = max(span[0], mention.start - NEAR, prev.end if prev else 0)
    near = text[start : mention.start]
    # a list entry that names only its stage ("* Phase 1: bis spätestens …") reads the list's label line too
    if prev is None and (not _LETTER.search(near) or names_only_its_stage(text, span[0], mention.start)):
        near = _heading(text, span[0]) + "\n" + near
    return near


_LETTER = re.compile(r"[^\W\d_]")
_PARENTHESES = re.compile(r"\([^()]{0,120}\)")


_COLUMN_HEADER = re.compile(r"[^\W\d_][\w-]*(?: [^\W\d_][\w-]*){0,4}")  # "Stichtag Sitzung" of a table


def _heading(text: str, pos: int) -> str:
    """The label line above a list of dates ("Deadline dates:", "Stichtage:"), skipping other date lines.

    Above a table ("| 15.01.2027 | Februar 2027 |") the rule row "|---|" is skipped and the header row
    ("| Termin | Sitzung |", "Termin Sitzung") is read together with the label line above it."""
    header = ""
    for _ in range(12):
        end = text.rfind("\n", 0, pos)
        if end < 0:
            return header
        start = text.rfind("\n", 0, end) + 1
        line, pos = text[start:end].strip(), start
        if not line or not _LETTER.search(line):
            continue
        mentions = find_dates(line, vague=False)
        if not header and not mentions and (line.startswith("|") or _COLUMN_HEADER.match(line)):
            header = line
            continue
        if header:
            joined = not mentions and (line.endswith(":") or (header.startswith("|") and len(line) <= 80))
            return f"{line}\n{header}" if joined else header
        rest = line
        for m in reversed(mentions):
            rest = rest[: m.start] + rest[m.end :]
        if mentions and len(_LETTER.findall(rest)) <= 30 and not rest.rstrip().endswith(":"):
            continue
        return line if (line.endswith(":") or len(line) <= 80) and not mentions else ""
    return ""


def _after(text: str, mention: DateMention, nxt: DateMention | None, span: tuple[int, int]) -> str:
    end = min(span[1], mention.end + AFTER, nxt.start if nxt else len(text))
    after = text[mention.end : end]
    if nxt is None and not _LETTER.search(after):
        following = next_line(text, mention)  # a date on a line of its own: the next line says what it is
        if following:
            return after + "\n" + following
    return after


def _clause(after: str) -> str:
    """The words after a date up to the next comma or conjunction: "… 2030 gültig", "… statt"."""
    # a line break ends the clause too: the next line of a form or table is another field
    return _CLAUSE_END.split(after.lstrip(" ,;"), maxsplit=1)[0]


_CLAUSE_END = re.compile(r"[,;(\n]|\s(?:und|and|sowie|or|oder)\s")


def _score(
    text: str,
    reading: Reading,
    prev: DateMention | None,
    nxt: DateMention | None,
    span: tuple[int, int],
    frame: tuple[str, str] | None = None,
) -> None:
    m = reading.mention
    near, after = _near(text, m, prev, span), _after(text, m, nxt, span)
    # a list of dates inside one sentence: its lead-in and its end are the date's words
    lead, tail = (frame[0].lower(), frame[1].lower()) if frame is not None else ("", "")
    if lead and lead not in near and len(near.strip()) <= ITEM_CHARS:  # an entry of the list, not the lead-in
        near = lead[-NEAR:] + "\n" + near
    wide = text[max(span[0], m.start - 400) : m.start - len(near)]
    clause = _clause(after)
    # Each cue's weight is the one in its table (cues.py); a cue further away counts a fraction of it.
    label_near, label_after = _before(cues.LABEL, near), _label_after(text, m, after, nxt)
    label_wide = _before(cues.LABEL, wide, FAR, far=True)
    if not label_after and cues.ENDED.match(after) and cues.NOUN.search(near[-60:]):
        label_after = cues.LABEL.weight
    score = max(label_near, label_after, label_wide)
    # The verb may close the sentence after further dates: "… bis zum 31. März oder bis zum 30. September
    # eines jeden Jahres bei der Bewilligungsbehörde einzureichen."
    rest = text[m.end : min(span[1], m.end + 250)] + ("\n" + tail if tail else "")
    score += max(
        _before(cues.SUBMIT, near), _after_w(cues.SUBMIT, after), _after_w(cues.SUBMIT, rest, SENTENCE_END)
    )
    score += max(
        _before(cues.NOUN, near),
        _after_w(cues.NOUN, after[:80]),
        _before(cues.NOUN, wide, NOT_CLOSE, far=True),
        _after_w(cues.NOUN, tail[:80], NOT_CLOSE),
    )
    if cues.UNTIL.search(near[-45:]) or (lead and cues.UNTIL.search(lead[-45:])):
        # "Anträge bis zum 31.1.2027 an …": the thing submitted right before "bis" makes it clear
        score += cues.UNTIL.weight * (1.5 if cues.NOUN.search(near[-40:]) else 1.0)
    if cues.POSSIBLE.match(after) and cues.NOUN.search(near):
        score += cues.NOUN.weight  # "Die Einreichung ist bis zum 30. Juni 2026 möglich"
    elif cues.NOUN.search(near) and cues.HAPPEN.search(rest) and not cues.SUBMIT.search(near + rest):
        # "Die Einreichung der Unterlagen muss bis spätestens zum … erfolgen": the noun says what happens
        score += cues.HAPPEN.weight
    reading.cue_score = score
    if score < THRESHOLD:
        # Cannot become a deadline: only tell a publication or opening date (year anchor, status).
        reading.score, reading.role = score, _plain_role(near)
        return
    has_label = bool(label_near or label_after or label_wide)
    # Only the date's own clause speaks against it: in "Anträge für Vorhaben, die ab dem 1. Januar
    # beginnen, können bis zum 30. November …" or "Auf der Konferenz sagte sie, KMU könnten bis zum …"
    # the words before the comma belong to something else.
    own = _PARENTHESES.sub(" ", near[near.rfind(",") + 1 :])  # "(für einen Projektbeginn im …)" qualifies
    label_line = _LABEL_LINE.search(own)
    if label_line:  # "Opens:\n19/1/2023\nCloses:\n14/6/2023": the label on the line above is the date's own
        own = label_line.group(1)
    worst, role = _worst_negative(own, clause[:60], has_label)
    reading.score = score + worst
    reading.role = "deadline" if reading.score >= THRESHOLD else role


_LABEL_LINE = re.compile(r"\n[ \t*#•-]*([^\n:]{2,40}:)[ \t*]*\n[ \t]*$")


def _plain_role(near: str) -> str:
    """A publication or opening date: its cue in the date's own clause, at most PLAIN_REACH characters before it
    ("Tag der Absendung der Aufforderungen zur Angebotsabgabe an ausgewählte Bewerber: 21.12.2026")."""
    tail = near[-PLAIN_REACH:]
    tail = tail[tail.rfind(",") + 1 :]
    for cue in (cues.NEGATIVE_BY_NAME["publication"], cues.NEGATIVE_BY_NAME["opening"]):
        if cue.search(tail):
            return cue.name
    return "date"


PLAIN_REACH = 100


def _worst_negative(near: str, clause: str, has_label: bool) -> tuple[float, str]:
    """The strongest non-deadline cue: near the date before it, or in the words right after it."""
    worst, role = 0.0, "date"
    if cues.MEMBERSHIP_AFTER.match(clause):
        eligibility = cues.NEGATIVE_BY_NAME["eligibility"]
        worst, role = eligibility.weight, eligibility.name
    for context, after in ((near, False), (clause, True)):
        for match in cues.negative_matches(context):
            cue = cues.NEGATIVE_BY_NAME[match.lastgroup or ""]
            if not cue.hard and has_label:
                continue
            distance = 0 if after else len(context) - match.end()
            value = cue.weight * (1.0 if distance <= 40 else (0.5 if distance <= 100 else 0.0))
            if value < worst:
                worst, role = value, cue.name
    return worst, role


def _before(cue: cues.Cue, context: str, scale: float = 1.0, far: bool = False) -> float:
    """Weight of a cue before a date: full within NEAR_FULL characters (or anywhere when ``far``), else
    NOT_CLOSE of it; ``scale`` for a context further away."""
    weight = cue.weight * scale
    found = cue.search(context)
    if found is None:
        return 0.0
    if far or found.end() >= len(context) - NEAR_FULL - 20:
        return weight
    return weight if cue.search(context, max(0, len(context) - NEAR_FULL - 20)) else weight * NOT_CLOSE


def _label_after(text: str, m: DateMention, after: str, nxt: DateMention | None) -> float:
    """A deadline label right after the date ("31. März 2027 – Einsendeschluss"), unless it is the label of
    the next date ("**Date:** July 24, 2027 **Reply By:** August 7, 2027")."""
    found = cues.LABEL.search(after[:45])
    if found is None:
        return 0.0
    colon = _COLON.match(after, found.end())
    if colon and nxt is not None and nxt.start - (m.end + colon.end()) <= LABEL_GAP:
        return 0.0
    return cues.LABEL.weight


_COLON = re.compile(r"[*_\s]*:")
LABEL_GAP = 12  # characters from a label's colon to the date it labels


def _after_w(cue: cues.Cue, context: str, scale: float = 1.0) -> float:
    return cue.weight * scale if cue.search(context) else 0.0


def _vetoed(text: str, mention: DateMention, nxt: DateMention | None, span: tuple[int, int]) -> bool:
    clause = _clause(_after(text, mention, nxt, span))[:60]
    return any(cues.NEGATIVE_BY_NAME[m.lastgroup or ""].hard for m in cues.negative_matches(clause))


def _range_pair(text: str, start: Reading, end: Reading) -> None:
    """In "1. März bis 30. April 2026" the start opens a window and the end may close it."""
    if start.mention.year is None and end.mention.year is not None:
        year = end.mention.year - (start.mention.month > end.mention.month)
        start.mention = start.mention.with_year(year)
    header = _is_header_range(text, start.mention, end.mention)
    # "Proposals can be submitted from 1 December until 18 March": the submission cues belong to the window
    # "The call is open from 1 February to 31 March", "vom 01.02. bis 31.03.2026 geöffnet": the window's end
    window = (start.role in ("range_start", "opening") and start.cue_score >= THRESHOLD) or (
        start.role in ("range_start", "opening", "date")
        and bool(_OPEN_WINDOW.search(_sentence(text, start.mention, end.mention)))
    )
    if (
        start.role == "deadline"
        or header
        or window
        or (end.role == "deadline" and start.role != "publication")
    ):
        if start.role not in ("project", "event", "validity") and end.role not in ("project", "event"):
            end.role, end.kind = "deadline", end.kind if end.role == "deadline" else "single"
            if start.role in ("deadline", "date", "range_start"):
                start.role = "opening"


_OPEN_WINDOW = re.compile(
    r"\b(?:is open|are open|open (?:from|between)|geöffnet|offen|möglich|accepted|entgegengenommen|einreichbar)\b",
    re.IGNORECASE,
)


def _sentence(text: str, first: DateMention, second: DateMention) -> str:
    """The line that holds a range, up to a full stop on each side."""
    start = max(text.rfind("\n", 0, first.start), text.rfind(". ", 0, first.start)) + 1
    ends = [e for e in (text.find("\n", second.end), text.find(". ", second.end)) if e >= 0]
    return text[start : min(ends) if ends else len(text)]


def _is_header_range(text: str, first: DateMention, second: DateMention) -> bool:
    """A line holding nothing but "26.07.2026 - 30.10.2026" (publication – deadline)."""
    line_start = text.rfind("\n", 0, first.start) + 1
    line_end = text.find("\n", second.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    rest = line.replace(text[first.start : first.end], "").replace(text[second.start : second.end], "")
    return not re.search(r"[^\W\d_]", rest.replace("bis", ""))


def _kind(
    text: str,
    m: DateMention,
    near: str,
    nxt: DateMention | None,
    span: tuple[int, int],
    own_only: bool = False,
) -> str | None:
    after = _after(text, m, nxt, span)
    paren = re.match(r"\s*[(\[–—-]\s*([^()\n]{0,60})", after)
    if paren:
        for kind, pattern in cues.KIND_CUES:
            if pattern.search(paren.group(1)):
                return kind
    if own_only:
        return None
    if _LETTER.search(text[span[0] : m.start]):
        near = text[max(span[0], m.start - 300) : m.start]
    best: tuple[int, str] | None = None
    for kind, pattern in (*cues.KIND_CUES, ("stichtag", cues.STICHTAG_LIST)):
        for match in pattern.finditer(near):
            candidate = (len(near) - match.end(), kind)
            best = candidate if best is None or candidate[0] < best[0] else best
        found = pattern.search(_clause(after) if kind != "other" else after[:80])
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), kind)
    if best:
        return best[1]
    if cues.STICHTAG.search(near) and cues.STICHTAG_PLURAL.search(near + after):
        return "stichtag"
    return _kind_from_previous(text, span)


def _kind_from_previous(text: str, span: tuple[int, int]) -> str | None:
    """ "Skizzen können ab … eingereicht werden. Die Einreichung ist bis … möglich." refers back."""
    previous = text[max(0, span[0] - 300) : span[0]]
    previous = previous[previous.rfind("\n\n") + 1 :]
    for kind, pattern in cues.KIND_CUES[1:]:
        if pattern.search(previous):
            return kind
    return None
