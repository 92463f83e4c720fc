"""Turns a digest plan into an e-mail: Jinja2 templates → plain text + HTML + iCalendar → MIME (pure).

Scraped text is untrusted. HTML is autoescaped, links are http(s) only, headers carry only
config values and counts, cleaned of control characters and length-limited.
"""

from __future__ import annotations

import re
import textwrap
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from alerts.calendar import build_calendar
from alerts.clean import one_line, safe_url
from alerts.select import Change, Due, Entry, Plan
from alerts.wording import (
    APPLICANT_NAMES,
    KINDS,
    STATUSES,
    TEXT,
    days_left,
    fmt_date,
    fmt_iso,
    fmt_score,
    subject,
)
from foerderradar.configuration import MailingList, MailSettings

POLICY = SMTP.clone(max_line_length=78)
SUBJECT_MAX = 150
WIDTH = 72
TEMPLATES = Path(__file__).parent / "templates"
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean_header(value: Any, limit: int = 200) -> str:
    """A header value that cannot start a new header: no CR/LF/control characters, bounded length."""
    return one_line(_HEADER_UNSAFE.sub(" ", str(value or "")), limit)


def _wrap(value: str, indent: str = "", width: int = WIDTH) -> str:
    return (
        textwrap.fill(
            value,
            width=width,
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        or indent
    )


_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=lambda name: bool(name and name.endswith(".html.j2")),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters["wrap"] = _wrap


# --- the template context ------------------------------------------------------------------


def deadline_label(due: Due, lang: str, bare: bool = False) -> str:
    """ "Einreichungsfrist 15.04.2026, 12:00 Uhr (Projektskizze)"; ``bare``: without the first word, for
    the "Weitere Fristen:" line."""
    words, kind = TEXT[lang], KINDS[lang].get(due.kind, "")
    when = fmt_date(due.date, lang)
    if due.time:
        when += ", " + words["at"].format(time=due.time) + (f" {due.timezone}" if due.timezone else "")
    return ("" if bare else f"{words['deadline']} ") + when + (f" ({kind})" if kind else "")


def change_label(change: Change, lang: str) -> str:
    words, kind = TEXT[lang], KINDS[lang].get(change.kind, "")
    head = words[change.what] + (f" ({kind})" if kind else "")
    if change.what == "closed_early":
        return head
    old = ", ".join(fmt_iso(v, lang) for v in change.old) or "–"
    new = ", ".join(fmt_iso(v, lang) for v in change.new) or "–"
    return f"{head}: {old} → {new}"


LOW_SCORE_MARGIN = 0.1  # a score this close to the list's min_score is shown: the call is borderline
REASONS = 2


def entry_context(
    entry: Entry, lang: str, topic_names: dict[str, str], today: date, min_score: float = 0.5
) -> dict[str, Any]:
    """What the templates show of one entry: facts first, the evidence only where it helps."""
    words, call = TEXT[lang], entry.call
    next_due = entry.next
    unreviewed = call.in_review
    hints = []
    if unreviewed:
        reason = "; ".join(call.flag_reasons[:2])
        hints.append(words["unreviewed_hint"] + (f": {reason}" if reason else ""))
        if next_due and next_due.raw:
            hints.append(_quoted(words["read_from"], next_due.raw, lang))
    if call.decision != "accept" and call.score < min_score + LOW_SCORE_MARGIN:
        hints.append(words["low_score"].format(score=fmt_score(call.score, lang)))
    return {
        "id": call.id,
        "title": call.title,
        "url": safe_url(call.url),
        "byline": " · ".join(
            p for p in (call.funder or _source_name(call.source_name), call.facts.identifier) if p
        ),
        "summary": call.facts.summary,
        "facts": fact_parts(entry, lang),
        "changes": [change_label(c, lang) for c in entry.changes],
        "next": deadline_label(next_due, lang) if next_due else None,
        "days_left": days_left(next_due.date, today, lang) if next_due and next_due.date else "",
        "urgent": bool(next_due and next_due.key in {d.key for d in entry.soon}),
        "others": [deadline_label(d, lang, bare=True) for d in entry.others],
        "no_deadline": words["rolling"] if call.rolling else words["no_deadline"],
        "status": STATUSES[lang].get(entry.status, entry.status)
        if entry.status in ("forthcoming", "closed")
        else "",
        "why": f"{words['why_short']}: {'; '.join(reasons(entry, lang, topic_names))}",
        "hints": hints,
        "extra": [one_line(line, 400) for line in entry.extra],
    }


def fact_parts(entry: Entry, lang: str) -> list[str]:
    """ "Wer: KMU, Hochschulen in Bayern", "Förderung: bis zu 50 %", "Verbund nötig" — as the call states."""
    words, facts = TEXT[lang], entry.call.facts
    parts = []
    who = ", ".join(APPLICANT_NAMES[lang][a] for a in facts.applicants)
    if facts.region:
        who = (
            words["who_in"].format(who=who, region=facts.region)
            if who
            else words["only_in"].format(region=facts.region)
        )
    if who:
        parts.append(f"{words['who']}: {who}")
    if facts.funding:
        parts.append(f"{words['funding']}: {facts.funding}")
    if facts.consortium:
        parts.append(words["consortium"])
    return parts


def reasons(entry: Entry, lang: str, topic_names: dict[str, str]) -> list[str]:
    """The two strongest reasons the list gets the call: the coordinator's acceptance, then the
    strongest matched topics, each with (up to two of) the terms that matched."""
    words, call = TEXT[lang], entry.call
    found = [words["accepted"]] if call.decision == "accept" else []
    terms: dict[str, list[str]] = {}
    for topic, term, _ in call.topic_hits:  # strongest first
        same = terms.setdefault(topic, [])
        if len(same) < 2 and term.casefold() not in (t.casefold() for t in same):
            same.append(term)
    quote = "„{}“" if lang == "de" else "“{}”"
    for topic, matched in terms.items():
        found.append(f"{topic_names.get(topic, topic)} ({', '.join(quote.format(t) for t in matched)})")
    found += [topic_names.get(t, t) for t in call.topics if t not in terms]  # older rows: no stored hits
    return found[:REASONS] or [words["no_topics"]]


def _source_name(name: str) -> str:
    """The source's name without the crawler's note on how it is read ("(HTML-Liste mit Detailseiten)")."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name or "")


def _quoted(label: str, raw: str, lang: str) -> str:
    return f"{label}: „{raw}“" if lang == "de" else f"{label}: “{raw}”"


def digest_context(
    plan: Plan, mailing_list: MailingList, topic_names: dict[str, str], unsubscribe: str
) -> dict[str, Any]:
    lang, today = mailing_list.language, plan.day
    words = TEXT[lang]
    sections = []
    for key, entries in (("new", plan.new), ("updated", plan.updated), ("closing", plan.closing)):
        if entries:
            intro = {"updated": words["updated_intro"], "closing": words["closing_intro"]}.get(key, "")
            sections.append(
                {
                    "key": key,
                    "heading": f"{words[key]} ({len(entries)})",
                    "intro": intro.format(days=plan.window_days),
                    "entries": [
                        entry_context(e, lang, topic_names, today, mailing_list.min_score) for e in entries
                    ],
                }
            )
    week = today.isocalendar().week
    summary = subject(lang, week, len(plan.new), len(plan.updated), plan.soon_count, plan.window_days)
    return {
        "lang": lang,
        "t": words,
        "list_name": one_line(mailing_list.name, 120),
        "dateline": f"{words['week_long']} {week} · {fmt_date(today, lang)}",
        "summary": summary.split(": ", 1)[1],
        "sections": sections,
        "held_back": words["held_back"].format(n=plan.held_back) if plan.held_back else "",
        "unsubscribe": unsubscribe,
        "footer": words["footer"].format(name=one_line(mailing_list.name, 120)),
    }


def render_bodies(context: dict[str, Any]) -> tuple[str, str]:
    """(plain text, HTML) of a digest."""
    text = _ENV.get_template("digest.txt.j2").render(**context)
    html = _ENV.get_template("digest.html.j2").render(**context)
    return text, html


# --- MIME ----------------------------------------------------------------------------------


def sender_domain(sender: str) -> str:
    address = parseaddr(clean_header(sender))[1]
    domain = address.rpartition("@")[2]
    return domain if re.fullmatch(r"[A-Za-z0-9.-]+", domain or "") else "foerderradar.localhost"


def unsubscribe_targets(mailing_list: MailingList, mail: MailSettings) -> tuple[str, str | None]:
    """(mailto URI, https one-click URL or None); ``{list}`` in the configured URL becomes the list id."""
    address = parseaddr(clean_header(mail.sender))[1] or "foerderradar@localhost"
    mailto = f"mailto:{address}?subject={quote('unsubscribe ' + mailing_list.id)}"
    url = (mail.unsubscribe_url or "").replace("{list}", quote(mailing_list.id))
    if url.startswith("mailto:"):
        return url, None
    return mailto, (url if url.startswith("https://") else None)


def build_message(
    plan: Plan,
    mailing_list: MailingList,
    mail: MailSettings,
    topic_names: dict[str, str],
    now: datetime,
    digest_id: str,
) -> EmailMessage:
    """The digest as multipart/mixed: (text/plain | text/html) alternative + text/calendar."""
    mailto, one_click = unsubscribe_targets(mailing_list, mail)
    context = digest_context(plan, mailing_list, topic_names, one_click or mailto)
    text, html = render_bodies(context)
    words = TEXT[mailing_list.language]
    week = plan.day.isocalendar().week
    title = subject(
        mailing_list.language, week, len(plan.new), len(plan.updated), plan.soon_count, plan.window_days
    )
    msg = _headers(mail, mailing_list, title, now, digest_id)
    msg["List-Unsubscribe"] = f"<{mailto}>" + (f", <{one_click}>" if one_click else "")
    if one_click:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    ics = build_calendar(plan.entries, mailing_list.language, plan.day).decode("utf-8")
    msg.add_attachment(
        ics,
        subtype="calendar",
        charset="utf-8",
        cte="quoted-printable",
        filename=f"{words['brand'].replace('ö', 'oe').lower()}-{plan.day.isoformat()}.ics",
        params={"method": "PUBLISH"},
    )
    return msg


def _headers(
    mail: MailSettings, mailing_list: MailingList, title: str, now: datetime, digest_id: str
) -> EmailMessage:
    domain = sender_domain(mail.sender)
    msg = EmailMessage(policy=POLICY)
    msg["From"] = clean_header(mail.sender)
    recipients = mailing_list.recipients
    # several member addresses: nobody sees the others (they go in the envelope only)
    msg["To"] = clean_header(recipients[0]) if len(recipients) == 1 else "undisclosed-recipients:;"
    msg["Subject"] = clean_header(title, SUBJECT_MAX)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(idstring=clean_header(digest_id, 60).replace(" ", ""), domain=domain)
    msg["List-Id"] = f"{clean_header(mailing_list.name, 100)} <{mailing_list.id}.{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Precedence"] = "bulk"
    return msg


def admin_message(
    problems: list[str], mail: MailSettings, lang: str, today: date, now: datetime, notice_id: str
) -> EmailMessage:
    """A plain-text notice to ``mail.admin_address``: one bullet per problem."""
    words = TEXT[lang]
    msg = EmailMessage(policy=POLICY)
    msg["From"] = clean_header(mail.sender)
    msg["To"] = clean_header(mail.admin_address)
    msg["Subject"] = clean_header(words["admin_subject"].format(n=len(problems)), SUBJECT_MAX)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(idstring=notice_id, domain=sender_domain(mail.sender))
    msg["Auto-Submitted"] = "auto-generated"
    body = _ENV.get_template("admin.txt.j2").render(
        intro=words["admin_intro"].format(day=fmt_date(today, lang)),
        problems=[one_line(p, 1000) for p in problems],
    )
    msg.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    return msg
