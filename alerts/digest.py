"""The digest run: finish pending digests, build what is new, record it, deliver it, mark it sent.

At most one distinct digest per list and period: a digest is stored (with its full message) before it
is sent and marked sent — which writes the delivery ledger — right after the server accepted it; a crash
in between makes the next run send the same message again (same Message-ID, which clients collapse).
A digest that was not accepted stays pending and is sent again, byte for byte, by the next run; no new
digest is built for that list until it went out.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from alerts.matches import MatchInfo, fits_member, member_lines
from alerts.render import admin_message, build_message, clean_header
from alerts.select import CallInfo, Plan, is_due, ledgers, parse_rows, select_digest, wants
from alerts.send import Accepted, DeliveryError, OutboxTransport, SmtpTransport
from alerts.wording import TEXT, fmt_date
from foerderradar.configuration import Config, MailingList
from foerderradar.store import DigestRow, NewDigest, Store, utcnow


class Transport(Protocol):
    def deliver(self, message: bytes, envelope_from: str, recipients: list[str], name: str) -> Accepted: ...


@dataclass
class Sent:
    list_id: str
    digest_id: str
    message_id: str
    subject: str
    items: int
    refused: list[str] = field(default_factory=list)
    resent: bool = False


@dataclass
class Failed:
    list_id: str
    digest_id: str
    error: str


@dataclass
class DeliveryReport:
    """What a run did: digests sent, digests left pending, files written, one line per list."""

    sent: list[Sent] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def note(self, list_id: str, text: str) -> None:
        self.notes.setdefault(list_id, []).append(text)

    def lines(self) -> list[str]:
        return [f"{list_id}: {'; '.join(parts)}" for list_id, parts in self.notes.items()]


def make_transport(
    config: Config, sleep: Callable[[float], None] = time.sleep, environ: Mapping[str, str] = os.environ
) -> Transport:
    mail = config.settings.mail
    if mail.transport == "smtp" and mail.smtp is not None:
        return SmtpTransport(mail.smtp, sleep, environ)
    return OutboxTransport(config.outbox_path)


def local_now(config: Config) -> datetime:
    return datetime.now(ZoneInfo(config.settings.timezone))


def send_digests(
    store: Store,
    config: Config,
    lists: list[MailingList],
    today: date,
    *,
    transport: Transport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> DeliveryReport:
    """For each list: resend its pending digest, then build, record, deliver and mark the new one."""
    transport = transport or make_transport(config, sleep)
    report = DeliveryReport()
    calls = parse_rows(store.alert_rows())
    matches = load_matches(store, config)
    try:
        for mailing_list in lists:
            _run_list(store, config, mailing_list, calls, today, now, transport, report, matches)
    finally:
        close_transport(transport)
    return report


def _run_list(
    store: Store,
    config: Config,
    mailing_list: MailingList,
    calls: list[CallInfo],
    today: date,
    now: datetime | None,
    transport: Transport,
    report: DeliveryReport,
    matches: MatchInfo | None = None,
) -> None:
    if not _finish_pending(store, config, mailing_list, transport, report):
        return  # the old digest still waits: a new one would repeat its calls
    last = store.last_digest_day(mailing_list.id)
    if not is_due(mailing_list, today, date.fromisoformat(last) if last else None):
        when = f"weekly on {mailing_list.weekday}" if mailing_list.frequency == "weekly" else "daily"
        report.note(mailing_list.id, f"not due ({when}; last digest {last})")
        return
    digest = build_digest(store, config, mailing_list, calls, today, now or local_now(config), matches)
    if digest is None:
        report.note(mailing_list.id, "nothing new")
        return
    if not store.record_digest(digest):
        report.note(mailing_list.id, "skipped: another run is delivering this list right now")
        return
    _deliver(store, config, mailing_list, digest, transport, report)


def close_transport(transport: Transport) -> None:
    """End an SMTP session after the run's ledger writes (the outbox has nothing to close)."""
    close = getattr(transport, "close", None)
    if close is not None:
        close()


def send_pending(
    store: Store,
    config: Config,
    today: date,
    *,
    transport: Transport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Only resend digests left pending by an earlier run (e.g. daily, so an outage on Monday does
    not hold a weekly digest back for a week); builds nothing new."""
    transport = transport or make_transport(config, sleep)
    report = DeliveryReport()
    try:
        for mailing_list in config.lists:
            if store.pending_digests(mailing_list.id):
                _finish_pending(store, config, mailing_list, transport, report)
    finally:
        close_transport(transport)
    if not report.notes:
        report.note("pending", "no pending digests")
    return report


def load_matches(store: Store, config: Config) -> MatchInfo:
    """The stored matching run (members' fits and proposed consortia), once per digest run."""
    return MatchInfo(config.members, config.matching, store.matches_by_call(), store.consortia_by_call())


def build_digest(
    store: Store,
    config: Config,
    mailing_list: MailingList,
    calls: list[CallInfo],
    today: date,
    now: datetime,
    matches: MatchInfo | None = None,
) -> NewDigest | None:
    """The digest row (with its full message) for what the list has not been told yet, or None."""
    matches = matches if matches is not None else load_matches(store, config)
    if mailing_list.member:  # a member's personal digest: only the calls that fit the member
        calls = [c for c in calls if fits_member(matches, c.id, mailing_list.member)]
    plan = plan_for(store, config, mailing_list, calls, today)
    for section in (plan.new, plan.updated, plan.closing):  # "Passt zu: …", "Mögliches Konsortium: …"
        section[:] = [
            replace(e, extra=(*e.extra, *member_lines(matches, e.call.id, mailing_list))) for e in section
        ]
    if plan.empty:
        return None
    digest_id = f"{mailing_list.id}-{today:%Y%m%d}-{uuid.uuid4().hex[:8]}"
    names = topic_names(config, mailing_list.language)
    message = build_message(plan, mailing_list, config.settings.mail, names, now, digest_id)
    return _row(digest_id, mailing_list, plan, message)


def plan_for(
    store: Store, config: Config, mailing_list: MailingList, calls: list[CallInfo], today: date
) -> Plan:
    mail = config.settings.mail
    delivered = ledgers(store.deliveries_for(mailing_list.id))
    return select_digest(
        calls,
        delivered,
        mailing_list,
        today,
        mail.closing_soon_days,
        {str(kind): days for kind, days in mail.closing_soon_days_by_kind.items()},
        mail.max_entries,
    )


def topic_names(config: Config, lang: str = "de") -> dict[str, str]:
    """Topic id → name in the list's language (``name_en`` for English lists when it is set)."""
    return {t.id: (t.name_en if lang == "en" and t.name_en else t.name) for t in config.keywords.topics}


def _row(digest_id: str, mailing_list: MailingList, plan: Plan, message: EmailMessage) -> NewDigest:
    return {
        "id": digest_id,
        "list_id": mailing_list.id,
        "created": utcnow(),
        "day": plan.day.isoformat(),
        "message_id": message["Message-ID"],
        "subject": str(message["Subject"]),
        "call_ids": sorted(set(plan.call_ids)),
        "items": plan.items,
        "message": message.as_string(),
    }


def _finish_pending(
    store: Store, config: Config, mailing_list: MailingList, transport: Transport, report: DeliveryReport
) -> bool:
    """Send again every digest of this list that was recorded but never marked sent."""
    done = True
    for digest in store.pending_digests(mailing_list.id):
        done = _deliver(store, config, mailing_list, digest, transport, report, resent=True) and done
    return done


def _deliver(
    store: Store,
    config: Config,
    mailing_list: MailingList,
    digest: DigestRow | NewDigest,
    transport: Transport,
    report: DeliveryReport,
    resent: bool = False,
) -> bool:
    envelope_from = parseaddr(clean_header(config.settings.mail.sender))[1]
    recipients = [clean_header(a) for a in mailing_list.recipients]
    what = "resent pending digest" if resent else "sent digest"
    try:
        accepted = transport.deliver(
            digest["message"].encode("utf-8"), envelope_from, recipients, digest["id"]
        )
    except DeliveryError as exc:
        store.mark_digest_failed(digest["id"], str(exc))
        report.failed.append(Failed(mailing_list.id, digest["id"], str(exc)))
        report.note(mailing_list.id, f"PENDING {digest['id']} — {exc}; the next run sends it again")
        return False
    store.mark_digest_sent(digest["id"])
    items = digest["items"]
    count = len(json.loads(items) if isinstance(items, str) else items)
    sent = Sent(
        mailing_list.id, digest["id"], digest["message_id"], digest["subject"], count, accepted.refused
    )
    sent.resent = resent
    report.sent.append(sent)
    report.files += accepted.files
    refused = f" (refused: {', '.join(accepted.refused)})" if accepted.refused else ""
    where = f" → {accepted.files[0]}" if accepted.files else ""
    report.note(mailing_list.id, f"{what} {digest['id']} “{digest['subject']}”{refused}{where}")
    return True


def preview(
    store: Store,
    config: Config,
    mailing_list: MailingList,
    out_dir: Path,
    today: date,
    *,
    now: datetime | None = None,
) -> list[Path]:
    """Write what the list would receive now (.eml + .html) without recording or sending anything."""
    pending = store.pending_digests(mailing_list.id)
    digest: DigestRow | NewDigest | None = pending[0] if pending else None
    if digest is None:
        calls = parse_rows(store.alert_rows())
        digest = build_digest(store, config, mailing_list, calls, today, now or local_now(config))
    if digest is None:
        return []
    name = f"preview-{digest['id']}"
    return OutboxTransport(Path(out_dir)).deliver(digest["message"].encode("utf-8"), "", [], name).files


def send_admin_notice(
    store: Store,
    config: Config,
    problems: list[str],
    today: date,
    *,
    transport: Transport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> DeliveryReport:
    """Mail the admin the sources' health problems (given by the caller) and a long-waiting review queue."""
    mail = config.settings.mail
    report = DeliveryReport()
    found = (
        list(problems) + review_problems(store, mail.review_wait_days, today) + held_for_review(store, config)
    )
    if not found:
        report.note("admin", "nothing to report")
        return report
    if not mail.admin_address:
        report.note("admin", f"{len(found)} problems, but mail.admin_address is not set")
        return report
    notice_id = f"admin-{today:%Y%m%d}-{uuid.uuid4().hex[:8]}"
    message = admin_message(found, mail, "de", today, now or local_now(config), notice_id)
    transport = transport or make_transport(config, sleep)
    envelope_from = parseaddr(clean_header(mail.sender))[1]
    try:
        accepted = transport.deliver(
            message.as_bytes(), envelope_from, [clean_header(mail.admin_address)], notice_id
        )
    except DeliveryError as exc:
        report.failed.append(Failed("admin", notice_id, str(exc)))
        report.note("admin", f"notice NOT sent — {exc}")
        return report
    finally:
        close_transport(transport)
    report.sent.append(Sent("admin", notice_id, message["Message-ID"], str(message["Subject"]), len(found)))
    report.files += accepted.files
    report.note("admin", f"notice with {len(found)} problems sent to {mail.admin_address}")
    return report


def review_problems(store: Store, wait_days: int, today: date) -> list[str]:
    """One line when undecided calls have waited longer than ``wait_days`` in the review queue."""
    limit = today - timedelta(days=wait_days)
    old = [
        row
        for row in store.review_waiting()
        if row.first_seen and date.fromisoformat(row.first_seen[:10]) < limit
    ]
    if not old:
        return []
    oldest = fmt_date(date.fromisoformat(old[0].first_seen[:10]), "de")
    return [TEXT["de"]["review_waiting"].format(n=len(old), days=wait_days, oldest=oldest)]


def held_for_review(store: Store, config: Config) -> list[str]:
    """The reminder that calls in the review queue are held back from the lists that wait for the
    coordinator (``unreviewed: wait``): one line naming how many and which lists."""
    waiting = [m for m in config.lists if m.unreviewed == "wait"]
    calls = [c for c in parse_rows(store.alert_rows()) if c.in_review] if waiting else []
    held: set[str] = set()
    names: list[str] = []
    for mailing_list in waiting:
        mine = {c.id for c in calls if wants(c, mailing_list, review=False)}
        if mine:
            held |= mine
            names.append(mailing_list.id)
    if not held:
        return []
    return [TEXT["de"]["waiting_list"].format(n=len(held), lists=", ".join(names))]


def describe_filters(mailing_list: MailingList, plan: Plan | None = None) -> list[str]:
    """What the list's filters do, in words, for ``digest preview`` (calls without a region included)."""
    lines = []
    regions = mailing_list.regions
    if regions.include:
        lines.append(
            f"regions: only calls restricted to {', '.join(regions.include)}; calls that state no region "
            "(nationwide, EU-wide or not restricted) are included"
        )
    if regions.exclude:
        lines.append(f"regions: calls restricted to {', '.join(regions.exclude)} are left out")
    if mailing_list.applicants:
        lines.append(
            f"applicants: calls open to {', '.join(mailing_list.applicants)} (unternehmen counts for kmu and "
            "startup); calls that do not say who may apply are included"
        )
    held = len(plan.waiting_review) if plan else 0
    if mailing_list.unreviewed == "wait":
        lines.append(
            f"unreviewed: wait — {held} calls in the review queue are held until the coordinator decides"
        )
    else:
        lines.append("unreviewed: send — calls in the review queue go out marked as not yet reviewed")
    return lines
