"""Which calls a mailing list gets today, and in which section: pure functions over stored rows.

Nothing here reads the clock, the disk or the network; ``today`` and the rows come in as arguments,
so a test (or the benchmark) can ask "what would list X get on 23.11.2026?" without a database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from alerts.clean import one_line
from alerts.clean import safe_url as safe_url  # where other alerts code used to import it from
from alerts.facts import applicants_fit, facts_from_json, topic_hits
from foerderradar.configuration import IncludeExclude, MailingList
from foerderradar.models import CallFacts, next_deadline
from foerderradar.store.rows import AlertRow, Delivery

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NATIONWIDE = ("bundesweit", "deutschlandweit", "bund", "eu-weit", "europaweit")


@dataclass(frozen=True)
class Due:
    """A deadline as the digest shows it (``date`` parsed, ``raw`` trimmed to one line)."""

    date: date | None
    time: str | None
    timezone: str | None
    kind: str
    raw: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.date.isoformat() if self.date else '?'}"


@dataclass(frozen=True)
class CallInfo:
    """One stored call with its classification, parsed once and shared by every list."""

    id: str
    url: str
    title: str
    funder: str | None
    source_name: str
    region: str
    relevant: bool
    score: float
    topics: tuple[str, ...]
    deadlines: tuple[Due, ...]
    rolling: bool
    status: str
    decision: str | None
    version_id: int | None
    facts: CallFacts = field(default_factory=CallFacts)
    flagged: bool = False
    flag_reasons: tuple[str, ...] = ()
    topic_hits: tuple[tuple[str, str, float], ...] = ()  # (topic id, matched term, weight), strongest first

    @property
    def in_review(self) -> bool:
        """Flagged and not yet decided: the call waits in the coordinator's review queue."""
        return self.flagged and self.decision is None


def parse_rows(rows: Sequence[AlertRow]) -> list[CallInfo]:
    """Turn ``Store.alert_rows()`` into ``CallInfo`` records (JSON columns decoded, text cleaned)."""
    return [_parse_row(row) for row in rows]


def _parse_row(row: AlertRow) -> CallInfo:
    fields = json.loads(row.get("fields") or "{}")
    facts = facts_from_json(row.get("facts"))
    region = facts.region or fields.get("Fördergebiet") or fields.get("Region") or fields.get("region") or ""
    return CallInfo(
        id=row["id"],
        url=str(row["url"] or ""),
        title=one_line(row["title"]),
        funder=one_line(row["funder"], 200) or None,
        source_name=one_line(row.get("source_name") or row.get("source_id"), 120),
        region=one_line(region, 300),
        relevant=bool(row["relevant"]),
        score=float(row["score"] or 0.0),
        topics=tuple(json.loads(row["topics"] or "[]")),
        deadlines=tuple(_due(d) for d in json.loads(row["deadlines"] or "[]")),
        rolling=bool(row["rolling"]),
        status=row["status"] or "unknown",
        decision=row.get("decision"),
        version_id=row.get("version_id"),
        facts=facts,
        flagged=bool(row.get("flagged")),
        flag_reasons=tuple(one_line(r, 200) for r in json.loads(row.get("flag_reasons") or "[]")),
        topic_hits=topic_hits(row.get("topic_hits")),
    )


def _due(d: dict[str, Any]) -> Due:
    try:
        day = date.fromisoformat(d["date"]) if d.get("date") else None
    except ValueError:
        day = None
    return Due(
        day,
        d.get("time"),
        one_line(d.get("timezone"), 40) or None,
        d.get("kind") or "single",
        one_line(d.get("raw"), 240),
    )


# --- what a list wants ---------------------------------------------------------------------


def wants(call: CallInfo, mailing_list: MailingList, *, review: bool = True) -> bool:
    """The selection rule: relevant enough and on topic, or accepted by the coordinator; never rejected;
    the list's region, funder and applicant filters; and (``review``) not waiting for the coordinator
    when the list says ``unreviewed: wait``."""
    if review and call.in_review and mailing_list.unreviewed == "wait":
        return False
    if call.decision == "reject":
        return False
    accepted = call.decision == "accept"
    if mailing_list.reviewed_only and not accepted:
        return False
    on_topic = not mailing_list.topics or bool(set(call.topics) & set(mailing_list.topics))
    chosen = accepted or (call.relevant and call.score >= mailing_list.min_score and on_topic)
    return (
        chosen
        and _passes(call.region, mailing_list.regions, NATIONWIDE)
        and _passes(call.funder or "", mailing_list.funders, ())
        and applicants_fit(call.facts.applicants, mailing_list.applicants)
    )


def _passes(value: str, rule: IncludeExclude, always: tuple[str, ...]) -> bool:
    """Exclude wins; include only narrows calls that state a value (and are not nationwide)."""
    text = value.casefold()
    if any(word.casefold() in text for word in rule.exclude):
        return False
    if not rule.include or not text or any(word in text for word in always):
        return True
    return any(word.casefold() in text for word in rule.include)


def is_due(mailing_list: MailingList, today: date, last_day: date | None) -> bool:
    """Whether the list gets a digest today: weekly on its weekday (or the first run after a missed
    one), daily once a day, immediate on every run."""
    if mailing_list.frequency == "immediate" or last_day is None:
        return True
    if mailing_list.frequency == "daily":
        return last_day < today
    return last_day < last_slot(mailing_list, today)


def last_slot(mailing_list: MailingList, today: date) -> date:
    """The most recent day on or before ``today`` that is the list's weekday."""
    back = (today.weekday() - WEEKDAYS.index(mailing_list.weekday)) % 7
    return today - timedelta(days=back)


# --- deadlines at a reference date -----------------------------------------------------------


def upcoming(call: CallInfo, today: date) -> list[Due]:
    """Dated application deadlines on or after ``today``, soonest first (``other`` kinds left out)."""
    found = [d for d in call.deadlines if d.date and d.date >= today and d.kind != "other"]
    return sorted(found, key=lambda d: (d.date, d.time or ""))


def effective_status(call: CallInfo, today: date) -> str:
    """The stored status, but a call whose every dated deadline has passed counts as closed."""
    dated = [d for d in call.deadlines if d.date and d.kind != "other"]
    if (
        call.status == "open"
        and dated
        and not call.rolling
        and next_deadline(call.deadlines, today, True) is None
    ):
        return "closed"
    return call.status


def snapshot(call: CallInfo, today: date) -> dict[str, Any]:
    """What a list was told about a call: its deadlines and status (kept with the delivery)."""
    return {
        "deadlines": sorted([d.kind, d.date.isoformat()] for d in call.deadlines if d.date),
        "status": effective_status(call, today),
        "rolling": call.rolling,
        "version_id": call.version_id,
    }


# --- the digest plan -----------------------------------------------------------------------

KIND_ORDER = ("skizze", "antrag", "single", "stichtag", "other")


@dataclass(frozen=True)
class Change:
    """One thing that changed since the list was told: ``moved``, ``new_stage``, ``dropped`` or
    ``closed_early``; old and new are ISO dates (or statuses for ``closed_early``)."""

    what: str
    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One call in one section of a digest, with what the templates show about it."""

    call: CallInfo
    section: str  # new | updated | closing
    status: str
    next: Due | None
    others: tuple[Due, ...]
    soon: tuple[Due, ...]  # deadlines inside the closing-soon window
    changes: tuple[Change, ...] = ()
    extra: tuple[str, ...] = ()  # more lines under the entry (e.g. who in the network it fits), plain text


@dataclass
class Plan:
    """What one list gets today; ``items`` become its delivery ledger once the server accepted it."""

    list_id: str
    day: date
    window_days: int
    new: list[Entry] = field(default_factory=list)
    updated: list[Entry] = field(default_factory=list)
    closing: list[Entry] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    held_back: int = 0
    waiting_review: list[str] = field(default_factory=list)  # ids of calls held until the coordinator decides

    @property
    def empty(self) -> bool:
        return not (self.new or self.updated or self.closing)

    @property
    def entries(self) -> list[Entry]:
        return self.new + self.updated + self.closing

    @property
    def call_ids(self) -> list[str]:
        return [entry.call.id for entry in self.entries]

    @property
    def soon_count(self) -> int:
        """Deadlines inside the window across the digest: the subject's "2 Fristen in 14 Tagen"."""
        return sum(len(entry.soon) for entry in self.entries)


@dataclass
class Ledger:
    """What one list was already sent about one call."""

    keys: set[tuple[str, str]] = field(default_factory=set)
    snapshot: dict[str, Any] | None = None
    max_version: int = 0

    @property
    def sent_new(self) -> bool:
        return ("new", "") in self.keys


def ledgers(deliveries: Sequence[Delivery]) -> dict[str, Ledger]:
    """Index ``Store.deliveries_for(list)`` rows (oldest first) by call id."""
    index: dict[str, Ledger] = {}
    for row in deliveries:
        ledger = index.setdefault(row.call_id, Ledger())
        ledger.keys.add((row.kind, row.item_key))
        if row.snapshot:
            ledger.snapshot = json.loads(row.snapshot)
            ledger.max_version = max(ledger.max_version, ledger.snapshot.get("version_id") or 0)
        ledger.max_version = max(ledger.max_version, row.version_id or 0)
    return index


def select_digest(
    calls: list[CallInfo],
    delivered: dict[str, Ledger],
    mailing_list: MailingList,
    today: date,
    window_days: int = 14,
    window_by_kind: dict[str, int] | None = None,
    max_entries: int = 40,
) -> Plan:
    """Sort the calls a list wants into new / updated / closing soon; each call at most once."""
    windows = window_by_kind or {}
    plan = Plan(mailing_list.id, today, window_days)
    for call in calls:
        if not wants(call, mailing_list):
            if call.in_review and wants(call, mailing_list, review=False):
                plan.waiting_review.append(call.id)
            continue
        ledger = delivered.get(call.id) or Ledger()
        ahead = upcoming(call, today)
        soon = tuple(d for d in ahead if d.date <= today + timedelta(days=windows.get(d.kind, window_days)))  # type: ignore[operator]
        status = effective_status(call, today)
        entry = _entry(call, ledger, status, ahead, soon, today)
        if entry is None:
            continue
        getattr(plan, entry.section).append(entry)
    for section in (plan.new, plan.updated, plan.closing):
        section.sort(key=_by_deadline)
    plan.held_back = max(0, len(plan.new) - max_entries)
    del plan.new[max_entries:]
    plan.items = [item for entry in plan.entries for item in _items(entry, delivered, today)]
    return plan


def _entry(
    call: CallInfo, ledger: Ledger, status: str, ahead: list[Due], soon: tuple[Due, ...], today: date
) -> Entry | None:
    first, rest = (ahead[0], tuple(ahead[1:])) if ahead else (None, ())
    if not ledger.sent_new:
        return None if status == "closed" else Entry(call, "new", status, first, rest, soon)
    found = detect_changes(ledger, call, today)
    if found:
        return Entry(call, "updated", status, first, rest, soon, found)
    fresh = tuple(d for d in soon if ("closing", d.key) not in ledger.keys)
    if fresh and status != "closed":
        return Entry(call, "closing", status, first, rest, fresh)
    return None


def detect_changes(ledger: Ledger, call: CallInfo, today: date) -> tuple[Change, ...]:
    """Deadline moved, new stage, deadline dropped, closed early — against what the list was told.

    Only a new version of the call (a ``call_versions`` row the list has not seen) counts, so a
    re-run of the classifier alone never mails an update."""
    if ledger.snapshot is None or not call.version_id or call.version_id <= ledger.max_version:
        return ()
    old, new = ledger.snapshot, snapshot(call, today)
    before, after = _by_kind(old["deadlines"]), _by_kind(new["deadlines"])
    found = []
    for kind in sorted(set(before) | set(after), key=_kind_rank):
        a, b = before.get(kind, ()), after.get(kind, ())
        if a != b:
            what = "moved" if a and b else ("new_stage" if b else "dropped")
            found.append(Change(what, kind, a, b))
    was_open = old["status"] != "closed" and (
        old.get("rolling") or any(d >= today.isoformat() for _, d in old["deadlines"])
    )
    if new["status"] == "closed" and was_open:
        found.append(Change("closed_early", "", (old["status"],), ("closed",)))
    return tuple(found)


def _by_kind(pairs: list[list[str]]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for kind, day in pairs:
        grouped.setdefault(kind, []).append(day)
    return {kind: tuple(sorted(days)) for kind, days in grouped.items()}


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _by_deadline(entry: Entry) -> tuple[date, str]:
    return (entry.next.date if entry.next and entry.next.date else date.max, entry.call.title.casefold())


def _items(entry: Entry, delivered: dict[str, Ledger], today: date) -> list[dict[str, Any]]:
    """Ledger rows for one entry: the news itself plus every closing reminder it already covers."""
    call, known = entry.call, (delivered.get(entry.call.id) or Ledger()).keys
    items: list[dict[str, Any]] = []
    if entry.section == "new":
        items.append({"call_id": call.id, "kind": "new", "item_key": "", "snapshot": snapshot(call, today)})
    elif entry.section == "updated":
        items.append(
            {
                "call_id": call.id,
                "kind": "update",
                "item_key": str(call.version_id),
                "version_id": call.version_id,
                "snapshot": snapshot(call, today),
            }
        )
    for due in entry.soon:
        if ("closing", due.key) not in known:
            items.append({"call_id": call.id, "kind": "closing", "item_key": due.key})
    return items
