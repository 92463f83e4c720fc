"""The call facts as the digest reads them: parsed from the store (made safe) and the applicant filter."""

from __future__ import annotations

import json

from alerts.clean import one_line
from foerderradar.models import CallFacts

# A call open to companies of any size is open to SMEs and start-ups too.
APPLICANTS_IMPLIED = {"unternehmen": ("kmu", "startup")}


def facts_from_json(value: str | None) -> CallFacts:
    """The stored facts column (the tag object plus evidence), every text made safe for one line."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        data = {}
    facts = CallFacts.from_stored(data if isinstance(data, dict) else {})
    return CallFacts(
        summary=one_line(facts.summary, 600),
        applicants=facts.applicants,
        consortium=facts.consortium,
        funding=one_line(facts.funding, 160) or None,
        identifier=one_line(facts.identifier, 120) or None,
        region=one_line(facts.region, 200) or None,
        evidence={k: one_line(v, 300) for k, v in facts.evidence.items()},
    )


def topic_hits(value: str | None) -> tuple[tuple[str, str, float], ...]:
    hits = [(str(t), one_line(term, 80), float(w or 0)) for t, term, w in json.loads(value or "[]")]
    return tuple(sorted(hits, key=lambda h: -h[2]))


def applicants_fit(stated: tuple[str, ...], wanted: list[str]) -> bool:
    """A list that asks for applicant kinds gets calls open to one of them, and calls that do not say
    who may apply (the member checks those); ``unternehmen`` (any size) covers ``kmu`` and ``startup``."""
    if not wanted or not stated:
        return True
    open_to = set(stated)
    for kind in stated:
        open_to.update(APPLICANTS_IMPLIED.get(kind, ()))
    return bool(open_to & set(wanted))
