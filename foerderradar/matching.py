"""Which member fits which call, and who could apply together: the matching run over all calls (pure).

Inputs are a small typed record per call (``MatchCall``: topics, text and the call facts applicants,
consortium, region), the members from members.yaml, the members' interest marks and ``today``; the
output is per call every member's fit with reasons (``foerderradar.fit``) and up to three proposed
consortia (``foerderradar.consortia``). Nothing here reads the clock, the disk or the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from foerderradar.configuration import Member
from foerderradar.consortia import Proposal, propose
from foerderradar.fit import (
    DECLINED,
    INTERESTED,
    MARKS,
    CallMatch,
    Fit,
    MatchCall,
    Needs,
    match_call,
    profiles,
)

__all__ = [
    "DECLINED", "INTERESTED", "MARKS", "CallMatch", "Fit", "MatchCall", "Needs", "Proposal",
    "applicants_from_field", "call_from_row", "match_calls",
]  # fmt: skip


def match_calls(
    calls: Iterable[MatchCall],
    members: Sequence[Member],
    today: date,
    topic_names: Mapping[str, str] | None = None,
    interest: Mapping[tuple[str, str], str] | None = None,
    min_fit: float = 0.35,
    consortium_size: int = 3,
    proposals: int = 3,
) -> list[CallMatch]:
    """Match every call whose next deadline is not before ``today`` against every member, and
    propose up to ``proposals`` consortia for calls that need one."""
    prepared = profiles(members)
    terms = {norm for p in prepared for _, norm in p.terms + p.programmes}
    by_id = {p.id: p for p in prepared}
    results = []
    for call in calls:
        if call.next_deadline is not None and call.next_deadline < today:
            continue
        found = match_call(call, prepared, topic_names or {}, interest or {}, terms)
        if found.needs.consortium and proposals:
            found.consortia = propose(found, by_id, min_fit, consortium_size, proposals)
        results.append(found)
    return results


FACTS = ("summary", "applicants", "consortium", "funding", "identifier", "region")


def call_from_row(row: Mapping[str, Any]) -> MatchCall:
    """A ``MatchCall`` from a stored row (``Store.match_rows``). Where the call facts were extracted they
    are taken as they are (no applicants: unknown; no region: nationwide); for a call without facts (or a
    store without the facts columns) the source's fields and a cautious reading of the text fill in."""
    fields = json.loads(row.get("fields") or "{}") if isinstance(row.get("fields"), str) else {}
    text = " ".join(str(row.get(k) or "") for k in ("title", "summary", "text"))
    if any(row.get(name) not in (None, "", "[]", []) for name in FACTS):  # the facts were extracted
        applicants, region = _json_list(row.get("applicants")), row.get("region")
    else:
        applicants = applicants_from_field(fields.get("Förderberechtigte")) or applicants_from_text(text)
        region = fields.get("Fördergebiet") or fields.get("Region") or region_from_text(text)
    deadline = row.get("next_deadline")
    return MatchCall(
        id=row["id"],
        title=str(row.get("title") or ""),
        topics=tuple(_json_list(row.get("topics"))),
        text=text,
        applicants=tuple(applicants),
        consortium=_flag(row.get("consortium")),
        region=str(region).strip() or None if region else None,
        next_deadline=date.fromisoformat(deadline[:10]) if deadline else None,
    )


def _flag(value: Any) -> bool | None:
    """true / false / null as SQLite or JSON may hold it (1, 0, 'true', 'false', None)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().casefold()
        return {"true": True, "1": True, "false": False, "0": False}.get(word)
    return bool(value)


_FIELD_WORDS = (("kmu", "kmu"), ("unternehmen", "unternehmen"), ("existenzgründ", "startup"),
                ("start-up", "startup"), ("hochschul", "hochschule"), ("forschung", "forschung"),
                ("kommune", "kommune"), ("verband", "verein"), ("verein", "verein"),
                ("privatperson", "privatperson"))  # fmt: skip


def applicants_from_field(value: Any) -> list[str]:
    """The Förderdatenbank's "Förderberechtigte" field as applicant ids ("Unternehmen, Hochschule")."""
    text = str(value or "").casefold()
    found: list[str] = []
    for word, applicant in _FIELD_WORDS:
        if word in text and applicant not in found:
            found.append(applicant)
    return found


# Until the call facts (issue 13) are stored, a cautious reading of the text itself: the applicants
# sentence ("Antragsberechtigt sind …") and a Land the call is restricted to ("mit Sitz in Hessen").
_APPLICANTS_SENTENCE = re.compile(
    r"(?:antragsberechtigt sind|eligible (?:applicants|are|entities))([^.]{0,300})", re.I
)
_REGION = re.compile(
    r"\b(?:[Dd]as Land|[Dd]es Landes|mit Sitz(?: oder (?:Betriebsstätte|Niederlassung))? in|Fördergebiet:)\s+"
    r"([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)"
)
_NOT_A_LAND = {"deutschland", "der", "die", "dem", "den", "einem", "einer", "europa", "eu"}


def applicants_from_text(text: str) -> list[str]:
    low = text.casefold()
    if "antragsberechtigt sind" not in low and "eligible" not in low:
        return []
    match = _APPLICANTS_SENTENCE.search(low)
    return applicants_from_field(match.group(1)) if match else []


def region_from_text(text: str) -> str | None:
    if not any(w in text for w in ("Land", "Landes", "Sitz", "Fördergebiet")):
        return None
    for match in _REGION.finditer(text):
        if match.group(1).casefold() not in _NOT_A_LAND:
            return match.group(1)
    return None


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v) for v in value] if isinstance(value, list) else []


def rows_of(
    results: Iterable[CallMatch], members: Sequence[Member], floor: float = 0.0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the store keeps of a run: eligible members with a fit above ``floor`` (and every marked member)
    per call, ranked; and the proposed consortia with their one-line form."""
    names = {m.id: m.name for m in members}
    kinds = {m.id: m.kind for m in members}
    fits, consortia = [], []
    for result in results:
        ranked = result.fits if not any(mark for _, _, mark in result.excluded) else result.every_fit()
        for rank, fit in enumerate(ranked, 1):
            if (fit.eligible and fit.fit > floor) or fit.interest:
                fits.append({**_fit_row(fit), "rank": rank})
        for rank, proposal in enumerate(result.consortia, 1):
            consortia.append(
                {
                    "call_id": proposal.call_id,
                    "rank": rank,
                    "members": proposal.members,
                    "line": proposal.line(names, kinds),
                    "why": proposal.why,
                    "missing": proposal.missing,
                    "needs": result.needs.label,
                    "score": proposal.score,
                }
            )
    return fits, consortia


def _fit_row(fit: Fit) -> dict[str, Any]:
    return {
        "call_id": fit.call_id,
        "member_id": fit.member_id,
        "fit": fit.fit,
        "eligible": fit.eligible,
        "reasons": fit.reasons,
        "interest": fit.interest,
    }
