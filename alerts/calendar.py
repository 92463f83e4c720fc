"""The digest's iCalendar attachment: one all-day event per deadline, stable UID per call and stage."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar, Event

from alerts.clean import safe_url
from alerts.select import Due, Entry
from alerts.wording import KINDS, TEXT

PRODID = "-//Förderradar//Digest//DE"


def uid_for(call_id: str, kind: str, ordinal: int) -> str:
    """Same call, same stage → same UID, so a moved deadline updates the calendar entry.

    ``ordinal`` tells apart the dates of one kind (a series of Stichtage), counted in date order.
    """
    digest = hashlib.sha1(call_id.encode("utf-8")).hexdigest()[:20]
    return f"{digest}-{kind}-{ordinal}@foerderradar"


def build_calendar(entries: list[Entry], lang: str, today: date) -> bytes:
    """METHOD:PUBLISH calendar with an event for every dated deadline of the digest's calls."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("calscale", "GREGORIAN")
    # DTSTAMP grows with the digest's day: a later digest's event replaces an earlier one
    stamp = datetime.combine(today, time(6, 0), tzinfo=UTC)
    seen: set[str] = set()
    for entry in entries:
        for uid, due in _dated(entry, today):
            if uid in seen:
                continue
            seen.add(uid)
            cal.add_component(_event(entry, due, uid, lang, stamp))
    return cal.to_ical()


def _dated(entry: Entry, today: date) -> list[tuple[str, Due]]:
    """(UID, deadline) for the deadlines from today on; ordinals count every date of the kind."""
    by_kind: dict[str, list[Due]] = {}
    for due in sorted((d for d in entry.call.deadlines if d.date), key=lambda d: d.date):  # type: ignore[arg-type, return-value]
        by_kind.setdefault(due.kind, []).append(due)
    return [
        (uid_for(entry.call.id, kind, n), due)
        for kind, dues in by_kind.items()
        for n, due in enumerate(dues)
        if due.date and due.date >= today
    ]


def _event(entry: Entry, due: Due, uid: str, lang: str, stamp: datetime) -> Event:
    words, kind = TEXT[lang], KINDS[lang].get(due.kind, "")
    label = f"{words['deadline']} ({kind})" if kind else words["deadline"]
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", entry.call.version_id or 0)
    event.add("summary", f"{label}: {entry.call.title}"[:250])
    event.add("dtstart", due.date)
    event.add("dtend", due.date + timedelta(days=1))  # type: ignore[operator]
    event.add("transp", "TRANSPARENT")
    lines = [f"{words['read_from']}: „{due.raw}“" if lang == "de" else f'{words["read_from"]}: "{due.raw}"']
    if due.time:
        lines.append(words["at"].format(time=due.time) + (f" {due.timezone}" if due.timezone else ""))
    if entry.call.funder:
        lines.append(f"{words['funder']}: {entry.call.funder}")
    url = safe_url(entry.call.url)
    if url:
        event.add("url", url)
        lines.append(url)
    event.add("description", "\n".join(lines))
    return event
