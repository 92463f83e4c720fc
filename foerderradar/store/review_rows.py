"""The typed rows of the coordinator's side (``store/review.py``): queue, CSV, page, decisions, flag context.

Like ``store/rows.py``: frozen dataclasses where code reads a row by field, TypedDicts where a row goes
straight into a template or the CSV writer; field name = column name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict


class _ReviewColumns(TypedDict):
    """The columns the review queue and the review CSV share."""

    id: str
    title: str
    source_id: str
    url: str
    score: float
    topics: str  # JSON list
    next_deadline: str | None
    why_flagged: str  # JSON list of reasons
    decision: str | None
    reason: str | None
    note: str | None
    first_seen: str


class QueueRow(_ReviewColumns):
    """A row of the ``review_queue`` view (``review_queue``)."""

    decided_by: str | None
    decided_at: str | None
    funder: str | None
    summary: str | None  # the call facts (migration 7)
    applicants: str  # JSON list
    consortium: int | None
    funding: str | None
    identifier: str | None
    region: str | None


class ReviewPageRow(QueueRow):
    """A queue row with what the review page shows of it (``review_page_rows``; ``review/cards.py``)."""

    call_funder: str | None
    external_id: str | None
    deadlines: str  # JSON list
    evidence: str  # JSON list
    rolling: int
    status: str


class ReviewCsvRow(_ReviewColumns):
    """A row of the review CSV (``review_rows``): the columns the queue and every classified call share
    (a queue row carries the queue's other columns too)."""

    decision_current: int | None  # 1 where the decision saw the call's current material state


@dataclass(frozen=True)
class ReviewState:
    """A call's stored decision (``review_state``, for the CSV import)."""

    decision: str | None
    reason: str | None
    note: str | None
    by: str | None
    current: int | None  # 1: the decision saw the call's current material state


@dataclass(frozen=True)
class StoredReview:
    """A call's title and its stored decision (``review_of``)."""

    id: str
    title: str
    decision: str | None
    reason: str | None
    note: str | None
    by: str | None
    at: str | None


@dataclass(frozen=True)
class FlagContext:
    """What the flagging rules know of a call beyond its new classification (``flag_context``).

    Every field defaults to "unknown", so a rule's test names only what it is about.
    """

    call_first_seen: str | None = None
    canonical_id: str | None = None  # the first-seen copy, None when this is it
    source_first_seen: str | None = None
    install_first_seen: str | None = None  # when the installation's first source was recorded
    previous_deadlines: tuple[str | None, ...] | None = None  # dates of the last classification (None: never)
    previous_reasons: tuple[str, ...] = ()  # its flag reasons
    previous_classified_at: str | None = None
    decision: str | None = None
    decided_at: str | None = None
    duplicate_of: str | None = None  # the canonical copy, else a same-title call from another source


class CannedQuery(TypedDict):
    """A Datasette canned query (``web_queries``), passed into Datasette's metadata."""

    sql: str
    title: NotRequired[str]  # what the web view names it (review/web.py sets it)
    description: NotRequired[str]
