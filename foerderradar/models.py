"""The shared records every stage speaks: a funding call, its deadlines and its classification.

Stdlib only. Field names are the vocabulary of the whole project: the YAML key, the column,
the template variable and the attribute share one name (``source_id``, ``deadline``, ``next_deadline``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

DEADLINE_KINDS = ("single", "skizze", "antrag", "stichtag", "other")
STATUSES = ("open", "closed", "forthcoming", "unknown")
DECISIONS = ("accept", "reject")
# Who may apply (spec/classifier.md §4), as the ids of ``CallFacts.applicants``.
APPLICANTS = ("kmu", "unternehmen", "startup", "hochschule", "forschung", "kommune", "verein", "privatperson")
FACT_FIELDS = ("summary", "applicants", "consortium", "funding", "identifier", "region")

# Month names and abbreviations in German and English, lower case → month number. Shared by the
# crawler (publication dates on pages) and the classifier (deadlines), so both read the same spellings.
MONTHS = {
    "januar": 1, "jänner": 1, "jän": 1, "jan": 1, "january": 1,
    "februar": 2, "febr": 2, "feb": 2, "february": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}  # fmt: skip


def call_id_for(source_id: str, url: str, external_id: str | None = None) -> str:
    """Stable identity of a call: the funder's own id when it has one, else source and canonical URL.

    A re-crawl of the same page yields the same id, so the store upserts instead of duplicating.
    """
    if external_id:
        return f"{source_id}:{external_id}"
    digest = hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]
    return f"{source_id}:{digest}"


def canonical_url(url: str) -> str:
    """The URL without fragment and tracking noise, so two spellings of one page share an id."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def _is_tracking(key: str) -> bool:
    return key.lower().startswith(("utm_", "track", "wt_", "wt.")) or key.lower() in {"nn", "view"}


@dataclass(frozen=True)
class Call:
    """One funding call as a source published it.

    id: stable identity (see ``call_id_for``).
    source_id: the ``id`` of the entry in config/sources.yaml that found it.
    url: the call's own public page (canonical URL where the page names one).
    title: the call's title as published.
    text: the call's plain text (HTML stripped), the classifier's input.
    published: publication date, ISO ``YYYY-MM-DD``, or None when the source gives none.
    funder: the funding body (ministry, agency, programme owner), or None.
    language: ``de`` or ``en`` when the source says so, else None (the classifier decides).
    external_id: the funder's own identifier (EU topic id, Förderdatenbank path), or None.
    fields: labelled facts the source states besides the text (e.g. ``Förderart``), as strings.
    """

    id: str
    source_id: str
    url: str
    title: str
    text: str
    published: str | None = None
    funder: str | None = None
    language: str | None = None
    external_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    def content_hash(self) -> str:
        """Hash of everything a reader would notice changing; an unchanged call writes nothing."""
        payload = json.dumps(
            [self.title, self.text, self.published, self.funder, sorted(self.fields.items())],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["fields"] = json.dumps(self.fields, ensure_ascii=False, sort_keys=True)
        return row


@dataclass(frozen=True)
class Deadline:
    """A submission deadline read from a call's text.

    date: ``YYYY-MM-DD``, or None when the text gives no year that can be inferred.
    time: ``HH:MM`` (24 h) or None.
    timezone: as stated in the text (``CET``, ``Brussels time``) or None.
    kind: one of ``DEADLINE_KINDS``.
    raw: the exact span of text it was read from, for a person to check.
    """

    date: str | None
    time: str | None
    timezone: str | None
    kind: str
    raw: str

    def as_json(self) -> dict[str, str | None]:
        """The fields by name, as ``tag`` prints and the store keeps them (``asdict`` without its deep copy)."""
        return {
            "date": self.date,
            "time": self.time,
            "timezone": self.timezone,
            "kind": self.kind,
            "raw": self.raw,
        }


class _Dated(Protocol):
    @property
    def date(self) -> str | datetime.date | None: ...

    @property
    def kind(self) -> str: ...


def next_deadline(
    deadlines: Iterable[_Dated], today: datetime.date, applications_only: bool = False
) -> str | None:
    """The earliest dated deadline on or after ``today`` as ``YYYY-MM-DD``, or None (spec §1).

    Takes ``Deadline`` records (ISO strings) or any records with a ``date`` (a ``datetime.date``) and a
    ``kind``; ``applications_only`` leaves out ``other`` deadlines (tender offers, document requests)."""
    day = today.isoformat()
    upcoming = [
        value
        for d in deadlines
        if d.date and not (applications_only and d.kind == "other")
        for value in [d.date if isinstance(d.date, str) else d.date.isoformat()]
        if value >= day
    ]
    return min(upcoming) if upcoming else None


@dataclass(frozen=True)
class Evidence:
    """Why the classifier decided as it did: a matched topic term or a signal, with its sentence."""

    signal: str  # "topic", "exclusion", "not_funding", "closed", "applicant", "textcat", ...
    label: str  # topic id or signal name
    term: str  # the matched text
    sentence: str  # the sentence it stands in (trimmed)
    weight: float = 0.0


@dataclass(frozen=True)
class CallFacts:
    """What a member needs to decide, read from the call's own text or a field its source states.

    summary: up to two sentences of the call's own text saying what is funded ("" when none found).
    applicants: who may apply, ids from ``APPLICANTS`` in that order; empty when the text does not say.
    consortium: True when a Verbund / research partner / partners from several countries are required,
        False when single applicants are the rule, None when the text does not say.
    funding: the rate or amount as stated ("bis zu 50 %", "max. 500.000 EUR"), or None.
    identifier: the funder's id of the call (EU topic id, BAnz reference), or None.
    region: the Land or region the call is restricted to, or None when nationwide or open.
    evidence: field name → the span of text (or ``field:<label>``) the fact was read from.
    """

    summary: str = ""
    applicants: tuple[str, ...] = ()
    consortium: bool | None = None
    funding: str | None = None
    identifier: str | None = None
    region: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)

    def as_tag_json(self) -> dict[str, Any]:
        """The ``"facts"`` object of the tag contract (spec/classifier.md §4)."""
        return {
            "summary": self.summary,
            "applicants": list(self.applicants),
            "consortium": self.consortium,
            "funding": self.funding,
            "identifier": self.identifier,
            "region": self.region,
        }

    def as_stored(self) -> dict[str, Any]:
        """What ``classifications.facts`` holds: the tag object plus ``evidence`` (field → span)."""
        return {**self.as_tag_json(), "evidence": dict(self.evidence)}

    @classmethod
    def from_stored(cls, data: dict[str, Any] | None) -> CallFacts:
        """The inverse of ``as_stored``; unknown applicant ids and missing keys are dropped."""
        data = data or {}
        consortium = data.get("consortium")
        return cls(
            summary=str(data.get("summary") or ""),
            applicants=tuple(a for a in APPLICANTS if a in (data.get("applicants") or [])),
            consortium=consortium if isinstance(consortium, bool) else None,
            funding=data.get("funding") or None,
            identifier=data.get("identifier") or None,
            region=data.get("region") or None,
            evidence={str(k): str(v) for k, v in (data.get("evidence") or {}).items()},
        )


@dataclass(frozen=True)
class Classification:
    """The classifier's verdict on one call at a reference date.

    relevant/score: the decision and its score in [0, 1].
    topics: ids of the keywords.yaml topics that matched.
    deadlines: every submission deadline found, in text order.
    rolling: submission possible at any time without a fixed deadline.
    next_deadline: earliest deadline on or after the reference date, ``YYYY-MM-DD``, or None.
    status: one of ``STATUSES``.
    evidence: the matched terms and signals behind the score.
    facts: summary, applicants, consortium, funding, identifier, region (spec §4), with their spans.
    model_version / config_version: what produced it; a change re-tags the call.
    """

    call_id: str
    language: str
    relevant: bool
    score: float
    topics: tuple[str, ...]
    deadlines: tuple[Deadline, ...]
    rolling: bool
    next_deadline: str | None
    status: str
    evidence: tuple[Evidence, ...] = ()
    model_version: str = ""
    config_version: str = ""
    facts: CallFacts = field(default_factory=CallFacts)

    def as_tag_json(self) -> dict[str, Any]:
        """The object the ``tag`` contract prints (spec/classifier.md §3)."""
        return {
            "id": self.call_id,
            "language": self.language,
            "relevant": self.relevant,
            "score": round(self.score, 4),
            "topics": list(self.topics),
            "rolling": self.rolling,
            "deadlines": [d.as_json() for d in self.deadlines],
            "next_deadline": self.next_deadline,
            "status": self.status,
            "facts": self.facts.as_tag_json(),
        }
