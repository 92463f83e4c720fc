"""What the review page shows of one queued call, as plain values for the template (pure).

A card is built from a row of ``Store.review_page_rows``. The call facts (summary, applicants,
consortium, funding, identifier, region) are read by name and left out when the row lacks them, so the
page works with and without the facts columns of ``review_queue``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

APPLICANTS = {
    "kmu": "KMU",
    "unternehmen": "Unternehmen (alle Größen)",
    "startup": "Start-ups",
    "hochschule": "Hochschulen",
    "forschung": "außeruniversitäre Forschungseinrichtungen",
    "kommune": "Kommunen",
    "verein": "Vereine/Verbände",
    "privatperson": "Privatpersonen",
}
DEADLINE_KINDS = {
    "single": "Einreichungsfrist",
    "skizze": "Projektskizze",
    "antrag": "Vollantrag",
    "stichtag": "Stichtag",
    "other": "Frist",
}
DECISION_NAMES = {"accept": "angenommen", "reject": "abgelehnt"}
# evidence signals that speak for a call; the strongest of them is the one shown
POSITIVE = ("topic", "textcat", "applicant")


def card(row: Mapping[str, Any], topic_names: Mapping[str, str], today: date) -> dict[str, Any]:
    """The values one call's card shows; ``seen`` is what the forms send back for the stale check."""
    return {
        "id": row["id"],
        "title": row.get("title") or row["id"],
        "url": _web_link(row.get("url")),
        "funder": row.get("funder") or row.get("call_funder"),
        "identifier": row.get("identifier") or row.get("external_id"),
        "source_id": row.get("source_id"),
        "summary": row.get("summary"),
        "applicants": applicant_names(row.get("applicants")),
        "consortium": _consortium(row.get("consortium")),
        "funding": row.get("funding"),
        "region": row.get("region"),
        "topics": [topic_names.get(t, t) for t in _json_list(row.get("topics"))],
        "score": _comma(row["score"]) if row.get("score") is not None else None,
        "deadlines": deadline_lines(row.get("deadlines"), bool(row.get("rolling")), today),
        "why": [str(reason) for reason in _json_list(row.get("why_flagged"))],
        "evidence": strongest_evidence(row.get("evidence")),
        "previous": _previous(row),
        "seen": row.get("decided_at") or "",
    }


def applicant_names(value: Any) -> list[str]:
    """The applicant ids (a JSON list or a list) as the page names them."""
    return [APPLICANTS.get(str(a), str(a)) for a in _json_list(value)]


def deadline_lines(value: Any, rolling: bool, today: date) -> list[str]:
    """ "Projektskizze: 31.03.2026, 12:00 (noch 5 Tage)" per deadline, in text order."""
    lines = []
    for deadline in _json_list(value):
        if not isinstance(deadline, Mapping):
            continue
        kind = DEADLINE_KINDS.get(str(deadline.get("kind")), "Frist")
        when = deadline.get("date")
        if not when:
            lines.append(f"{kind}: ohne Jahr („{deadline.get('raw') or '?'}“)")
            continue
        day = date.fromisoformat(str(when))
        text = f"{kind}: {day.strftime('%d.%m.%Y')}"
        if deadline.get("time"):
            text += f", {deadline['time']} Uhr"
        left = (day - today).days
        text += " (abgelaufen)" if left < 0 else (" (heute)" if left == 0 else f" (noch {left} Tage)")
        lines.append(text)
    if rolling:
        lines.append("laufende Einreichung (keine feste Frist)")
    return lines or ["keine Frist gefunden"]


def strongest_evidence(value: Any) -> dict[str, str] | None:
    """The heaviest positive evidence item: its term and the sentence it stands in."""
    items = [e for e in _json_list(value) if isinstance(e, Mapping)]
    positive = [e for e in items if e.get("signal") in POSITIVE] or items
    if not positive:
        return None
    best = max(positive, key=lambda e: float(e.get("weight") or 0))
    sentence = str(best.get("sentence") or "")
    term = str(best.get("term") or "")
    before, found, after = sentence.partition(term) if term else (sentence, "", "")
    return {"before": before, "term": found, "after": after, "label": str(best.get("label") or "")}


def _previous(row: Mapping[str, Any]) -> str | None:
    """For a call back in the queue: what was decided before it changed."""
    if not row.get("decision"):
        return None
    text = f"bisher {DECISION_NAMES.get(row['decision'], row['decision'])}"
    if row.get("reason"):
        text += f" („{row['reason']}“)"
    if row.get("decided_by"):
        text += f" von {row['decided_by']}"
    return text


def _web_link(url: Any) -> str | None:
    """Only http(s) links become clickable: a scraped ``javascript:`` URL must not run."""
    text = str(url or "")
    return text if text.lower().startswith(("https://", "http://")) else None


def _consortium(value: Any) -> str | None:
    if value in (1, True, "1", "true"):
        return "Verbund nötig"
    if value in (0, False, "0", "false"):
        return "Einzelvorhaben möglich"
    return None


def _json_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return list(value) if isinstance(value, list | tuple) else [value]


def _comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")
