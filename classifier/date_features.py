"""Describes one date mention for the learned deadline model: sparse named features (pure, no model).

The rules find every date (``dates.find_dates``) and read it (``deadlines``: cue score, role, kind); this
module turns what stands around it into feature names — the cue words before and after and how far away,
the words right next to it, the heading of its section, the sentence's verbs, list and table position, the
document's type, whether the year is written — which ``deadline_model`` weighs. Features are strings so a
decision can name its strongest evidence; their values are always 1.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from classifier import cues
from classifier.dates import DateMention, Reading
from classifier.gates import gate, passes
from classifier.text import Sentences

FEATURES_VERSION = "3"  # bump when a feature changes meaning: weights trained before then are stale
BEFORE = 160  # characters before a date read as its near context
AFTER = 120
CLOSE = 45  # a cue this close counts as "close", else "near"
_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTERS = re.compile(r"[^\W\d_]{3}")  # a month name or a weekday in a date
# A heading or label line: the text's first line, or a line after a "\n" (a literal first character lets re
# skip from one line break to the next in C; "(?:^|\n)" would make it try every position).
_HEADING_LINE = r"[ \t]*(?:#{1,6}[ \t]+[^\n]{2,80}|\*\*[^\n*]{2,80}\*\*|[^\n]{2,60}:)[ \t]*(?=\n)"
_FIRST_HEADING, _HEADING = re.compile(_HEADING_LINE), re.compile(r"\n" + _HEADING_LINE)
# Words that say what a sentence does with a date; their presence is a feature (cheap "verbs").
_ROLE_WORDS = re.compile(
    r"einreich|einzureich|vorzuleg|vorleg|übermitt|eingeh|eingegang|stell|bewerb|submi|receiv|apply|"
    r"veröffentl|publish|beginn|start|öffn|open|end|schließ|clos|gilt|gelten|gültig|valid|verläng|extend|"
    r"verschob|postpon|abschlie|abgeschl|complet|durchgef|stattfind|statt|take place|gegründ|found|"
    r"bewillig|award|ausgezahl|laufzeit|förderzeit|frist|stichtag|deadline|cut.?off|skizz|antrag|anträg|"
    r"proposal|applica|angebot|tender|webinar|veranstalt|event|info|konsult|consult"
)


@dataclass(frozen=True)
class DocumentView:
    """What every mention of one document shares: the lower-cased text, sentences, document signals."""

    text: str
    low: str
    sentences: Sentences
    doc_kind: str | None
    heading_starts: tuple[int, ...]  # offsets of the headings and label lines, in order
    headings: tuple[str, ...]  # their lower-cased text


def document_view(text: str, low: str, sentences: Sentences, doc_kind: str | None) -> DocumentView:
    first = _FIRST_HEADING.match(low)
    lines = ([first] if first else []) + list(_HEADING.finditer(low, first.end() if first else 0))
    found = [(m.start(), m.group().strip(" \n\t#*:")[:80]) for m in lines]
    return DocumentView(
        text, low, sentences, doc_kind, tuple(p for p, _ in found), tuple(h for _, h in found)
    )


def mention_features(view: DocumentView, readings: list[Reading], index: int) -> list[str]:
    """The feature names of ``readings[index]`` in its document."""
    reading = readings[index]
    m = reading.mention
    low = view.low
    start, end = view.sentences.span(m.start)
    prev_end = readings[index - 1].mention.end if index else 0
    near = low[max(start, m.start - BEFORE, prev_end) : m.start]
    after = low[m.end : min(end, m.end + AFTER)]
    features = ["bias", f"rule:{reading.role}", f"rule_score:{_bucket(reading.cue_score)}"]
    if reading.role == "deadline":
        features.append(f"rule_kind:{reading.kind}")
    features += _shape(view.text, m)
    if reading.role == "deadline" or reading.cue_score > 0:
        features += _cue_features(near, after)
    else:
        features.append("nocue")  # no deadline cue near it: the cue scans (most of the cost) say nothing more
    features += _words(near, after)
    sentence = _sentence(low, start, end, m)
    features += sentence
    # "bis … in a sentence about submitting" vs "bis … in a sentence about the project period"
    if "until" in features:
        features += [f"until&{w}" for w in sentence if not w.startswith("s:past")]
        features += [f"until&{p}" for p in features if p in ("list_head", "list", "table")]
    features += _position(view, readings, index, start)
    features += _heading(view, m.start)
    if view.doc_kind:
        features.append(f"doc:{view.doc_kind}")
    return features


def _bucket(score: float) -> str:
    return "neg" if score < 0 else str(min(int(score), 6))


def _shape(text: str, m: DateMention) -> list[str]:
    raw = text[m.start : m.end]
    out = ["year" if m.year is not None else "noyear"]
    if m.vague:
        out.append("vague")
    if m.time:
        out.append("time")
    if m.timezone:
        out.append("tz")
    out.append("shape:month" if _LETTERS.search(raw, 0, 12) else "shape:numeric")
    return out


_CUES = (
    ("label", cues.LABEL.pattern),
    ("submit", cues.SUBMIT.pattern),
    ("noun", cues.NOUN.pattern),
    *((c.name, c.pattern) for c in cues.NEGATIVES),
    *((f"kind_{name}", pattern) for name, pattern in cues.KIND_CUES),
    ("stichtag", cues.STICHTAG),
)
_GATED = tuple((name, pattern, gate(pattern)) for name, pattern in _CUES)
CUE_BEFORE, CUE_AFTER = 110, 90  # the cue scans are most of the features' cost: read them nearer the date


def _cue_features(near: str, after: str) -> list[str]:
    near, after = near[-CUE_BEFORE:], after[:CUE_AFTER]
    out = []
    if cues.UNTIL.pattern.search(near[-45:]):
        out.append("until")
    both = near + "\n\n" + after  # a literal has no line break: it is in one part or the other
    for name, pattern, literals in _GATED:
        if not passes(literals, both):
            continue  # most cues are absent from both: one test tells
        in_near, in_after = passes(literals, near), passes(literals, after)
        found = pattern.search(near) if in_near else None  # most cues are absent: one search tells
        if found is not None:
            close = found.end() >= len(near) - CLOSE or pattern.search(near, len(near) - CLOSE - 15)
            out.append(f"{name}:{'close' if close else 'near'}")
        hit = pattern.search(after) if in_after else None
        if hit is not None:
            out.append(f"{name}:after_{'close' if hit.start() <= CLOSE else 'near'}")
    return out


def _words(near: str, after: str) -> list[str]:
    before_words = _WORD.findall(near[-60:])[-4:]
    after_words = _WORD.findall(after[:60])[:4]
    out = [f"b:{_stem(w)}" for w in before_words] + [f"a:{_stem(w)}" for w in after_words]
    if before_words:
        out.append(f"b1:{_stem(before_words[-1])}")
    if after_words:
        out.append(f"a1:{_stem(after_words[0])}")
    return out


def _stem(word: str) -> str:
    return word[:7]


def _sentence(low: str, start: int, end: int, m: DateMention) -> list[str]:
    # the date's own stretch of its sentence: a long sentence's far end speaks of other things
    sentence = low[max(start, m.start - SENTENCE) : min(end, m.end + SENTENCE)]
    out = {f"s:{w.group()[:8]}" for w in _ROLE_WORDS.finditer(sentence)}
    if _PAST.search(sentence):
        out.add("s:past")
    if _NEGATION.search(sentence):
        out.add("s:negation")
    return sorted(out)


SENTENCE = 250
_PAST = re.compile(r"\b(?:wurden|wurde|worden|were|was|have been|has been|hat|haben)\b")
_NEGATION = re.compile(r"\b(?:nicht|kein\w*|not|no)\b")


def _position(view: DocumentView, readings: list[Reading], index: int, start: int) -> list[str]:
    m = readings[index].mention
    line_start = view.low.rfind("\n", 0, m.start) + 1
    line = view.low[line_start : m.start].lstrip()
    out = [f"pos:{min(int(10 * m.start / max(len(view.low), 1)), 9) // 3}"]
    if line.startswith("|"):
        out.append("table")
    elif line[:1] in "-*•–" or re.match(r"\d+[.)]\s", line):
        out.append("list")
    if not _WORD.search(line):
        out.append("line_start")
    prev = readings[index - 1] if index else None
    if prev is not None and prev.mention.end >= start:
        gap = view.low[prev.mention.end : m.start]
        out.append("prev_in_sentence")
        if cues.SEPARATOR.match(gap):
            out.append(f"chain_after:{prev.role}")
        if cues.RANGE.match(gap):
            out.append("range_end")
    nxt = readings[index + 1] if index + 1 < len(readings) else None
    if nxt is not None and nxt.mention.start < view.sentences.span(m.start)[1]:
        gap = view.low[m.end : nxt.mention.start]
        if cues.RANGE.match(gap):
            out.append("range_start")
        elif cues.SEPARATOR.match(gap):
            out.append("list_head" if "chain_after:" not in " ".join(out) else "list")
    return out


def _heading(view: DocumentView, offset: int) -> list[str]:
    """Words of the nearest heading or label line above (within 3,000 characters)."""
    i = bisect_left(view.heading_starts, offset) - 1
    if i < 0 or offset - view.heading_starts[i] > 3000:
        return []
    return sorted({f"h:{_stem(w)}" for w in _WORD.findall(view.headings[i])[:6]})
