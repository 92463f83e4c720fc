"""Decides which dates of a text are submission deadlines, of which kind; rolling, closed (pure).

Rules find and describe every date mention (``date_rules``: cue score, role, kind; ``date_features``: the
words around it, its section, sentence, list position, the document's type); a logistic regression trained
on labelled real calls (``deadline_model``, weights in ``deadline_model.json``) decides whether it is a
submission deadline and of which kind. Years come only from the text (``years``); the same deadline said
twice is reported once. Precision first: a wrong deadline is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from classifier import cues
from classifier.date_features import DocumentView, document_view, mention_features
from classifier.date_rules import read_all
from classifier.dates import Reading, find_dates
from classifier.deadline_model import DeadlineModel, load_model
from classifier.doctypes import document_types
from classifier.fold import lower
from classifier.signals import Signal
from classifier.status import is_early, is_rolling, says_closed
from classifier.text import Sentences
from classifier.years import annual_deadlines, infer_years
from foerderradar.models import Deadline

EVIDENCE = 4  # strongest features named for each deadline
# Real call texts hold at most a few dozen dates (37 in the longest corpus guideline); only the first
# MAX_MENTIONS of a text are read, so a page of thousands of dates stays well under a second.
MAX_MENTIONS = 400
# Roles the rules give a date when a hard non-deadline cue stands in its own clause ("keine Projektskizzen",
# "Laufzeit", "veröffentlicht", "statt"): precision first, the model cannot overrule them.
VETOES = frozenset(cue.name for cue in cues.NEGATIVES if cue.hard) | {"update", "annual", "transition"}


@dataclass(frozen=True)
class DeadlineResult:
    deadlines: tuple[Deadline, ...]
    openings: tuple[str, ...] = ()
    rolling: bool = False
    closed: str = ""  # the words that say the call is closed, or ""
    closed_early: bool = False  # they stand in the title or the first lines
    # no application deadline outside their sentence: nothing on the page is still open ("Submission ended
    # on 3 March 2025", "This call is closed." under a call's description)
    closed_alone: bool = False
    readings: tuple[Reading, ...] = field(default=(), compare=False)


def extract_deadlines(
    text: str,
    published: date | None = None,
    sentences: Sentences | None = None,
    types: list[Signal] | None = None,
    model: DeadlineModel | None = None,
) -> DeadlineResult:
    """Deadlines, opening dates, rolling submission and a "closed" statement of one call text.

    ``types``: the document's not-funding types (``doctypes.document_types``) when already known;
    ``model``: the deadline model (default: the weights shipped in the package).
    """
    sentences = sentences or Sentences(text)
    readings, view = read_mentions(text, sentences, types)
    decide(model or load_model(), view, readings)
    years = infer_years(readings, sentences, published)
    recurring = annual_deadlines(readings, sentences)
    for i, (reading, mention) in enumerate(zip(readings, years, strict=True)):
        reading.mention = mention
        if i in recurring and mention.year is None:
            reading.kind = "stichtag"  # a cut-off that recurs every year is one of a series by definition
    deadlines = _deadlines(text, view.low, readings, view.doc_kind)
    openings = tuple(r.mention.iso for r in readings if r.role == "opening" and r.mention.iso is not None)
    rolling = not deadlines and is_rolling(text, sentences, view.low)
    closed, closed_at = says_closed(text, view.low)
    early = is_early(closed_at, len(text))
    alone = bool(closed) and not rolling and _nothing_else_open(text, readings, closed_at)
    return DeadlineResult(deadlines, openings, rolling, closed, early, alone, tuple(readings))


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _nothing_else_open(text: str, readings: list[Reading], closed_at: int) -> bool:
    """No application deadline stands outside the paragraph that says the call is closed (a page of
    several calls gives each its own paragraph)."""
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    start = max((b for b in breaks if b < closed_at), default=0)
    end = min((b for b in breaks if b > closed_at), default=len(text))
    return all(start <= r.mention.start < end for r in readings if r.role == "deadline" and r.kind != "other")


def read_mentions(
    text: str, sentences: Sentences, types: list[Signal] | None = None
) -> tuple[list[Reading], DocumentView]:
    """Every date mention with the rules' reading of it, and the document they share (no model yet)."""
    low = lower(text)  # the cues are lower-case patterns: one lower() here, no re.I in every search
    readings = read_all(low, find_dates(text)[:MAX_MENTIONS], sentences)
    return readings, document_view(text, low, sentences, document_kind(text, types))


def decide(model: DeadlineModel, view: DocumentView, readings: list[Reading]) -> None:
    """The model's verdict on each reading: a deadline of some kind, or not (then the rules' role stays)."""
    # every feature is computed before any decision: a neighbour's role must be the rules' one, as in training
    features = [
        None if r.role in VETOES else mention_features(view, readings, i) for i, r in enumerate(readings)
    ]
    for reading, names in zip(readings, features, strict=True):
        if names is None:
            continue  # a hard negative cue in the date's own clause: the rules' veto is final
        decision = model.decide(names, EVIDENCE)
        reading.probability = decision.probability
        if model.is_deadline(decision):
            reading.role, reading.kind = "deadline", decision.kind
            reading.evidence = decision.evidence
        elif reading.role == "deadline":
            reading.role = "date"
    _spread_exclusion(view, readings)


def _spread_exclusion(view: DocumentView, readings: list[Reading]) -> None:
    """ "zum 15. Juli 2022 und zum 15. Januar 2023 keine Projektskizzen": the exclusion after a list of dates
    holds for every date of the list."""
    for i in range(len(readings) - 1, 0, -1):
        prev, reading = readings[i - 1], readings[i]
        if reading.role != "excluded" or prev.mention.end < view.sentences.span(reading.mention.start)[0]:
            continue
        if cues.SEPARATOR.match(view.low[prev.mention.end : reading.mention.start]):
            prev.role = "excluded"


def document_kind(text: str, types: list[Signal] | None = None) -> str | None:
    """``other`` when the whole document is a tender, a job ad or a prize (its dates are no application)."""
    names = {t.name for t in (document_types("", text) if types is None else types)}
    return "other" if names & {"tender", "job", "prize"} else None


# --- years, kinds and the final list -------------------------------------------------------


def _deadlines(text: str, low: str, readings: list[Reading], doc_kind: str | None) -> tuple[Deadline, ...]:
    chosen = [r for r in readings if r.role == "deadline"]
    chains: dict[int, int] = {}
    for reading in chosen:
        chains[reading.chain] = chains.get(reading.chain, 0) + 1
    merged: dict[str, Deadline] = {}
    staged = _two_stage(low, chosen)
    # Several dates each labelled "Stichtag …" are one series of cut-offs.
    labelled = [r for r in chosen if r.kind == "single" and _labelled_stichtag(low, r)]
    if len({r.mention.iso for r in labelled}) >= 2:
        staged.update({id(r): "stichtag" for r in labelled})
    for reading in chosen:
        kind = staged.get(id(reading), reading.kind)
        if kind == "single" and chains[reading.chain] > 1 and _chain_is_stichtag(low, reading):
            kind = "stichtag"
        if doc_kind:
            kind = doc_kind
        m = reading.mention
        raw = " ".join(text[m.start : m.end].split())
        # the same day said twice is one deadline, a year-less one too ("15.4." and later "15. April")
        key = m.iso or (raw if m.vague else f"--{m.month:02d}-{m.day:02d}")
        old = merged.get(key)
        if old is None:
            merged[key] = Deadline(m.iso, m.time, m.timezone, kind, raw)
        else:
            merged[key] = Deadline(
                old.date,
                old.time or m.time,
                old.timezone or m.timezone,
                old.kind if _KIND_RANK[old.kind] >= _KIND_RANK[kind] else kind,
                old.raw if old.time or not m.time else raw,
            )
    return tuple(merged.values())


# The same date read twice keeps its most telling kind: an application stage over a plain deadline, and any
# application deadline over ``other`` (a date that is also an application deadline is one).
_KIND_RANK = {"other": 0, "single": 1, "skizze": 2, "antrag": 2, "stichtag": 2}


def _two_stage(text: str, chosen: list[Reading]) -> dict[int, str]:
    """On a two-stage page with exactly two plain deadlines, the first is the sketch, the second the full proposal."""
    if len(chosen) != 2 or any(r.kind != "single" for r in chosen) or not cues.TWO_STAGE.search(text):
        return {}
    if chosen[0].mention.iso == chosen[1].mention.iso:
        return {}
    return {id(chosen[0]): "skizze", id(chosen[1]): "antrag"}


def _labelled_stichtag(text: str, reading: Reading) -> bool:
    line_start = text.rfind("\n", 0, reading.mention.start) + 1
    return bool(
        cues.STICHTAG.search(text[max(line_start, reading.mention.start - 80) : reading.mention.start])
    )


def _chain_is_stichtag(text: str, reading: Reading) -> bool:
    start = max(0, reading.mention.start - 300)
    return bool(cues.STICHTAG.search(text[start : reading.mention.start]))
