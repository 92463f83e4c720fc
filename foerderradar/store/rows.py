"""The typed rows the store hands out: one type per query shape, field name = column name.

Frozen dataclasses for rows the rest of the code reads by field (``Store.records`` builds them
from the columns, so a column without a field, or a field without a column, fails at once).
TypedDicts where a row goes straight on into a template, a CSV writer or a converter
(``alerts.select.parse_rows``, ``matching.call_from_row``, ``crawler.links.copy_from_row``), or where
code outside the wiring reads it as a mapping (``crawler/health.py``, ``classifier/train.py``,
``bench/``): a dataclass there would only add copying.

JSON columns (topics, deadlines, reasons, …) stay JSON text unless a field says it is decoded. The rows of
the coordinator's side (queue, CSV, review page, decisions, flag context) are in ``store/review_rows.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

# --- calls (store/calls.py) ------------------------------------------------------------------


class CallRow(TypedDict):
    """A ``calls`` row as stored (``Store.call``); ``call_from_row`` makes a ``Call`` of it."""

    id: str
    source_id: str
    url: str
    title: str
    text: str
    published: str | None  # ISO date the source gives, if any
    funder: str | None
    language: str | None
    external_id: str | None  # the funder's own id (an EU topic identifier)
    fields: str | None  # JSON object: the source's labelled fields
    first_seen: str  # UTC ISO timestamp of the first crawl that saw it
    last_seen: str  # UTC ISO timestamp of the latest crawl that saw it
    content_hash: str  # hash of the versioned fields; a change makes a call_versions row
    canonical_id: str | None  # the first-seen copy this call duplicates (crawler/links.py)


class CrawlRun(TypedDict):
    """A ``crawl_runs`` row: one source's figures in one crawl (``crawl_runs``, ``recent_crawl_runs``).

    A mapping because ``crawler/health.py`` judges runs as mappings (its tests build partial ones) and
    the crawler writes the same shape back with ``record_crawl_run``/``finish_crawl_run``.
    """

    id: int
    run_id: str  # the crawl this source's run belongs to
    source_id: str
    started: str | None
    finished: str | None
    requests: int
    responses: str  # JSON object: HTTP status → count
    items: int
    new: int
    changed: int
    unchanged: int
    dropped: int
    errors: int
    blocked: int
    error_messages: str  # JSON list of {url, message, level}
    bytes: int  # bytes downloaded (migration 3)
    status: str  # running, finished or interrupted (migration 10)
    pid: int | None  # the crawl process that owns a running row


@dataclass(frozen=True)
class SourceYield:
    """What a source's stored calls look like (``source_yields``, for ``status``)."""

    source_id: str
    calls: int  # stored calls of the source
    titled: int | None  # how many have a title
    texted: int | None  # how many have a text of at least ``min_text`` characters
    example_title: str | None  # the call seen last, as an example
    example_url: str | None
    example_chars: int | None  # length of the example's text


class LinkingRow(TypedDict):
    """What duplicate matching reads of a call (``calls_for_linking``; text cut at 20,000 chars)."""

    id: str
    source_id: str
    title: str
    funder: str | None
    external_id: str | None
    first_seen: str
    text: str


@dataclass(frozen=True)
class CallCopy:
    """One copy of a call in the ``call_copies`` view (``call_copies``)."""

    canonical_id: str  # the first-seen copy all copies point at
    id: str
    source_id: str
    url: str
    first_seen: str
    reason: str | None  # why this copy was linked (None for the canonical copy)
    score: float | None  # how sure the link is (None for the canonical copy)


@dataclass(frozen=True)
class StoredClassification:
    """A ``classifications`` row as stored (``classification``); JSON columns stay text."""

    call_id: str
    language: str | None
    relevant: int  # 1 or 0
    score: float
    topics: str  # JSON list of topic ids
    deadlines: str  # JSON list of Deadline objects
    next_deadline: str | None  # ISO date
    rolling: int  # 1: applications any time
    status: str  # open, closing, closed, unknown, …
    evidence: str  # JSON list of Evidence objects
    flagged: int  # 1: in the review queue
    flag_reasons: str  # JSON list of the flagging rules' reasons
    content_hash: str | None  # the call's hash it was classified at
    model_version: str | None
    config_version: str | None  # keywords version it was classified with
    classified_at: str | None
    facts: str  # JSON object: the call facts plus evidence (migration 7)


class TrainingExample(TypedDict):
    """A coordinator's decision with its call's text (``training_examples``, for ``classifier/train.py``)."""

    id: str
    title: str
    text: str
    language: str | None
    decision: str  # accept or reject


# --- digests (store/digests.py) --------------------------------------------------------------


class AlertRow(TypedDict):
    """What the digest reads of a call (``alert_rows``); ``alerts.select.parse_rows`` makes ``CallInfo``."""

    id: str
    source_id: str
    source_name: str | None
    url: str
    title: str
    funder: str | None
    fields: str | None  # JSON object
    published: str | None
    first_seen: str
    relevant: int
    score: float
    topics: str  # JSON list
    deadlines: str  # JSON list
    next_deadline: str | None
    rolling: int
    status: str
    flagged: int
    flag_reasons: str  # JSON list
    facts: str  # JSON object
    decision: str | None  # the coordinator's accept / reject
    topic_hits: str  # JSON list of [topic, term, weight] for the "Warum" line
    version_id: int | None  # latest call_versions row: the key of an update


class DigestRow(TypedDict):
    """A ``digests`` row (``digest``, ``pending_digests``); delivered as it was recorded, byte for byte."""

    id: str
    list_id: str
    created: str
    status: str  # pending or sent
    message_id: str
    subject: str  # the column may be NULL, but every digest is recorded with its subject
    call_ids: str  # JSON list
    message: str  # the whole MIME message
    attempts: int
    last_error: str | None
    sent_at: str | None
    items: str  # JSON list of {call_id, kind, item_key, version_id, snapshot}
    day: str | None  # reference day YYYY-MM-DD


class NewDigest(TypedDict):
    """A digest as ``alerts`` builds it, before ``record_digest`` stores it as pending."""

    id: str
    list_id: str
    created: str
    day: str  # reference day YYYY-MM-DD
    message_id: str
    subject: str
    call_ids: list[str]
    items: list[dict[str, Any]]  # {call_id, kind, item_key, version_id, snapshot}: the ledger once sent
    message: str  # the whole MIME message


@dataclass(frozen=True)
class Delivery:
    """One item a list was sent (``deliveries_for``)."""

    call_id: str
    kind: str  # new, update or closing
    item_key: str  # what makes it unique: the call version, the deadline
    version_id: int | None
    snapshot: str | None  # JSON: the deadlines as the list was told them
    sent_at: str


@dataclass(frozen=True)
class WaitingCall:
    """An undecided call in the review queue (``review_waiting``, for the admin notice)."""

    id: str
    title: str
    first_seen: str


# --- members (store/members.py) --------------------------------------------------------------


class MatchRow(TypedDict):
    """What matching reads of an open call (``match_rows``); ``matching.call_from_row`` reads it."""

    id: str
    title: str
    topics: str  # JSON list
    next_deadline: str | None
    text: str  # the start of the call's text
    fields: str | None  # JSON object
    summary: str | None  # the call facts, as the open_calls view has them
    applicants: str | None  # JSON list
    consortium: int | None
    funding: str | None
    identifier: str | None
    region: str | None


@dataclass(frozen=True)
class InterestMark:
    """A member's mark on a call (``interest_by_call``)."""

    call_id: str
    member_id: str
    mark: str  # "interessiert" or "nicht für uns"
    note: str | None
    by: str | None
    at: str


@dataclass(frozen=True)
class MatchRun:
    """The latest matching run (``last_match_run``)."""

    id: int
    inputs: str  # fingerprint of what it read; unchanged means still current
    day: str
    matched_at: str
    calls: int
    fits: int
    consortia: int


@dataclass(frozen=True)
class StoredFit:
    """A member's stored fit for a call (``matches_by_call``)."""

    call_id: str
    member_id: str
    rank: int  # 1: best fit for the call
    fit: float
    eligible: int  # 1: the member may apply
    reasons: tuple[str, ...]  # decoded from the JSON column
    interest: str | None  # the member's mark when matched
    matched_at: str | None


@dataclass(frozen=True)
class StoredConsortium:
    """A proposed consortium for a call (``consortia_by_call``)."""

    call_id: str
    rank: int
    members: tuple[tuple[str, str], ...]  # (member id, role), decoded
    line: str  # the one-line form the digest and the CLI print
    why: str | None
    missing: tuple[str, ...]  # kinds still missing, decoded
    needs: str | None
    score: float | None
    matched_at: str | None


@dataclass(frozen=True)
class MemberMatch:
    """A row of the ``member_matches`` view (``member_calls``, ``matrix_rows``)."""

    call_id: str
    title: str
    next_deadline: str | None
    member_id: str
    member: str | None  # the member's name
    kind: str | None
    land: str | None
    fit: float  # rounded to 2 places
    eligible: int
    reasons: str | None  # joined with " · "
    interest: str | None
    interest_by: str | None
    interest_at: str | None
    consortia: str | None  # the proposals the member is part of, joined with " | "
    url: str
