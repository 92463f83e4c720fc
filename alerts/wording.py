"""The digest's words in German and English: labels, dates, counts and the subject line."""

from __future__ import annotations

from datetime import date

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

TEXT: dict[str, dict[str, str]] = {
    "de": {
        "brand": "Förderradar",
        "week": "KW",
        "week_long": "Kalenderwoche",
        "new": "Neue Aufrufe",
        "updated": "Geänderte Aufrufe",
        "closing": "Fristen bald",
        "closing_intro": "Diese Aufrufe kennen Sie schon; eine Frist endet in den nächsten {days} Tagen.",
        "updated_intro": "Seit dem letzten Digest hat sich an diesen Aufrufen etwas geändert.",
        "deadline": "Einreichungsfrist",
        "no_deadline": "Keine Frist angegeben",
        "rolling": "laufend – Einreichung jederzeit möglich",
        "others": "Weitere Fristen",
        "funder": "Fördergeber",
        "source": "Quelle",
        "status": "Status",
        "why": "Warum Sie das bekommen",
        "topics": "Themen",
        "no_topics": "kein Themen-Treffer",
        "score": "Relevanz",
        "reviewed": "von der Koordination geprüft",
        "unreviewed": "automatisch ausgewählt, noch nicht geprüft",
        "read_from": "gelesen aus",
        "open_call": "Zum Aufruf",
        "held_back": "{n} weitere neue Aufrufe folgen im nächsten Digest.",
        "calendar": "Alle Fristen stehen auch im angehängten Kalender (.ics).",
        "footer": "Sie erhalten diese E-Mail über die Liste „{name}“.",
        "unsubscribe": "Abmelden",
        "today": "heute",
        "tomorrow": "morgen",
        "days_left": "noch {n} Tage",
        "at": "{time} Uhr",
        "moved": "Frist verschoben",
        "new_stage": "Neue Stufe",
        "dropped": "Frist entfällt",
        "closed_early": "Vorzeitig geschlossen",
        "admin_subject": "Förderradar: {n} Hinweise für die Administration",
        "admin_intro": "Der Förderradar meldet am {day}:",
        "review_waiting": "{n} Aufrufe warten seit mehr als {days} Tagen auf die Prüfung (ältester: {oldest}).",
        "who": "Wer",
        "funding": "Förderung",
        "consortium": "Verbund nötig",
        "single_ok": "Einzelantrag möglich",
        "why_short": "Warum",
        "accepted": "von der Koordination angenommen",
        "unreviewed_hint": "Noch nicht von der Koordination geprüft",
        "low_score": "Relevanz {score} – knapp über der Schwelle dieser Liste",
        "who_in": "{who} in {region}",
        "only_in": "nur in {region}",
        "waiting_list": "{n} Aufrufe warten in der Prüfwarteschlange; die Listen {lists} bekommen sie erst nach Ihrer Entscheidung.",
    },
    "en": {
        "brand": "Förderradar",
        "week": "week",
        "week_long": "Week",
        "new": "New calls",
        "updated": "Updated calls",
        "closing": "Closing soon",
        "closing_intro": "You know these calls already; a deadline ends within the next {days} days.",
        "updated_intro": "These calls changed since the last digest.",
        "deadline": "Deadline",
        "no_deadline": "No deadline stated",
        "rolling": "rolling – submission possible at any time",
        "others": "Other deadlines",
        "funder": "Funder",
        "source": "Source",
        "status": "Status",
        "why": "Why you get this",
        "topics": "Topics",
        "no_topics": "no topic match",
        "score": "score",
        "reviewed": "reviewed by the coordinator",
        "unreviewed": "selected automatically, not yet reviewed",
        "read_from": "read from",
        "open_call": "Open the call",
        "held_back": "{n} more new calls follow in the next digest.",
        "calendar": "Every deadline is also in the attached calendar (.ics).",
        "footer": "You receive this e-mail through the list “{name}”.",
        "unsubscribe": "Unsubscribe",
        "today": "today",
        "tomorrow": "tomorrow",
        "days_left": "{n} days left",
        "at": "{time}",
        "moved": "Deadline moved",
        "new_stage": "New stage",
        "dropped": "Deadline dropped",
        "closed_early": "Closed early",
        "admin_subject": "Förderradar: {n} notices for the admin",
        "admin_intro": "Förderradar reports on {day}:",
        "review_waiting": "{n} calls have waited more than {days} days for review (oldest: {oldest}).",
        "who": "Who",
        "funding": "Funding",
        "consortium": "Consortium required",
        "single_ok": "single applicants possible",
        "why_short": "Why",
        "accepted": "accepted by the coordinator",
        "unreviewed_hint": "Not yet reviewed by the coordinator",
        "low_score": "score {score} – just above this list's threshold",
        "who_in": "{who} in {region}",
        "only_in": "only in {region}",
        "waiting_list": "{n} calls wait in the review queue; the lists {lists} get them only after your decision.",
    },
}

KINDS = {
    "de": {
        "single": "",
        "skizze": "Projektskizze",
        "antrag": "Antrag",
        "stichtag": "Stichtag",
        "other": "sonstige Frist",
    },
    "en": {
        "single": "",
        "skizze": "outline proposal",
        "antrag": "full proposal",
        "stichtag": "cut-off",
        "other": "other deadline",
    },
}

APPLICANT_NAMES = {
    "de": {
        "kmu": "KMU",
        "unternehmen": "Unternehmen (alle Größen)",
        "startup": "Start-ups",
        "hochschule": "Hochschulen",
        "forschung": "Forschungseinrichtungen",
        "kommune": "Kommunen",
        "verein": "Vereine/Verbände",
        "privatperson": "Privatpersonen",
    },
    "en": {
        "kmu": "SMEs",
        "unternehmen": "companies (any size)",
        "startup": "start-ups",
        "hochschule": "universities",
        "forschung": "research organisations",
        "kommune": "municipalities",
        "verein": "associations/non-profits",
        "privatperson": "individuals",
    },
}

STATUSES = {
    "de": {
        "open": "offen",
        "closed": "geschlossen",
        "forthcoming": "demnächst offen",
        "unknown": "unbekannt",
    },
    "en": {"open": "open", "closed": "closed", "forthcoming": "forthcoming", "unknown": "unknown"},
}


def fmt_date(day: date | None, lang: str) -> str:
    """``15.04.2026`` in German, ``15 Apr 2026`` in English; ``?`` when the year was not stated."""
    if day is None:
        return "?"
    if lang == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return day.strftime("%d.%m.%Y")


def fmt_iso(value: str, lang: str) -> str:
    try:
        return fmt_date(date.fromisoformat(value), lang)
    except ValueError:
        return value


def fmt_score(score: float, lang: str) -> str:
    text = f"{score:.2f}"
    return text.replace(".", ",") if lang == "de" else text


def days_left(day: date, today: date, lang: str) -> str:
    n = (day - today).days
    words = TEXT[lang]
    if n == 0:
        return words["today"]
    if n == 1:
        return words["tomorrow"]
    return words["days_left"].format(n=n)


def subject(lang: str, week: int, new: int, updated: int, soon: int, window: int) -> str:
    """ "Förderradar KW 48: 3 neue Aufrufe, 2 Fristen in 14 Tagen" (counts only, never scraped text)."""
    if lang == "en":
        parts = [
            _count(new, "new call", "new calls"),
            _count(updated, "update", "updates"),
            _count(soon, f"deadline within {window} days", f"deadlines within {window} days"),
        ]
        head = f"Förderradar week {week}"
    else:
        parts = [
            _count(new, "neuer Aufruf", "neue Aufrufe"),
            _count(updated, "Änderung", "Änderungen"),
            _count(soon, f"Frist in {window} Tagen", f"Fristen in {window} Tagen"),
        ]
        head = f"Förderradar KW {week}"
    return f"{head}: {', '.join(p for p in parts if p)}"


def _count(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"{n} {one if n == 1 else many}"
