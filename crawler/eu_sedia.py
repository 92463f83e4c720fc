"""EU Funding & Tenders portal, SEDIA search API: the multipart request and its JSON response.

Pure functions. The API wants a multipart POST whose every part (``query``, ``languages``, ``sort``,
``displayFields``) is typed ``application/json`` — otherwise it answers 500 or silently ignores the
query. Responses hold one row per topic and language, sometimes one per cut-off, plus stale
``SEDIA_PRD_CENTRICITY`` copies that may still say "Open": rows are merged per topic, the stale ones
dropped; whether a call is open is not stored (the classifier derives it from the deadlines).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from crawler.parsed import Parsed, ParseError
from foerderradar.models import Call, call_id_for
from foerderradar.text import html_to_text, one_line

API_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
TOPIC_PAGE = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"
)
TOPIC_JSON = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"
PROGRAMMES = {"43108390": "Horizon Europe", "43152860": "Digital Europe"}
TYPES = {"0": "Tender", "1": "Grant topic", "2": "Grant topic", "8": "Cascade call"}
CASCADE = "8"
LIVE = "SEDIA"  # DATASOURCE of live rows; SEDIA_PRD_CENTRICITY rows are stale copies
DISPLAY_FIELDS = [
    "identifier", "title", "callIdentifier", "callTitle", "type", "status", "frameworkProgramme",
    "startDate", "deadlineDate", "deadlineModel", "typesOfAction", "descriptionByte", "description",
    "budget", "projectAcronym", "projectName", "tags", "keywords", "crossCuttingPriorities",
    "DATASOURCE", "url", "actions",
]  # fmt: skip


@dataclass(frozen=True)
class SearchRequest:
    url: str
    body: bytes
    content_type: str


@dataclass
class SearchPage(Parsed):
    """One parsed API page; ``more`` says whether the next page may hold further results."""

    total: int = 0
    page_number: int = 1
    page_size: int = 0
    rows: int = 0
    keys: list[str] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.rows > 0 and self.page_number * max(self.page_size, 1) < self.total


def search_request(
    options: Any, page: int, endpoint: str = API_URL, boundary: str | None = None
) -> SearchRequest:
    """The multipart POST for one result page; ``options`` is a ``configuration.SediaOptions``."""
    size = min(int(options.page_size), 100)
    params = urlencode({"apiKey": "SEDIA", "text": options.text, "pageSize": size, "pageNumber": page})
    query = {"bool": {"must": [
        {"terms": {"type": list(options.types)}},
        {"terms": {"status": list(options.statuses)}},
        {"terms": {"frameworkProgramme": list(options.programmes)}},
    ]}}  # fmt: skip
    parts = {
        "query": query,
        "languages": ["en"],
        "sort": {"field": "sortStatus", "order": "ASC"},
        "displayFields": DISPLAY_FIELDS,
    }
    boundary = boundary or f"foerderradar-{uuid.uuid4().hex}"
    chunks = []
    for name, value in parts.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="blob"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(value)}\r\n"
        )
    body = ("".join(chunks) + f"--{boundary}--\r\n").encode("utf-8")
    sep = "&" if "?" in endpoint else "?"
    return SearchRequest(f"{endpoint}{sep}{params}", body, f"multipart/form-data; boundary={boundary}")


def parse_search(body: bytes | str, url: str, source_id: str, options: Any = None) -> SearchPage:
    """One API response → one call per topic (or cascade call), stale and out-of-scope rows dropped."""
    page, groups = collect(body, url, source_id, options)
    for key, rows in groups.items():
        page.calls.append(topic_call(key, rows, source_id))
    return page


def collect(
    body: bytes | str, url: str, source_id: str, options: Any = None
) -> tuple[SearchPage, dict[str, list[dict[str, Any]]]]:
    """The page's counters and its rows grouped per topic key (spiders merge groups across pages)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{source_id}: {url}: not a JSON search response ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ParseError(f"{source_id}: {url}: JSON without a 'results' list")
    page = SearchPage(
        total=_int(data.get("totalResults")),
        page_number=_int(data.get("pageNumber"), 1),
        page_size=_int(data.get("pageSize"), len(data["results"])),
        rows=len(data["results"]),
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in data["results"]:
        key, why = _row_key(row, options)
        if key is None:
            page.dropped.append(why)
        else:
            groups.setdefault(key, []).append(row)
    page.keys = list(groups)
    return page, groups


def _row_key(row: Any, options: Any) -> tuple[str | None, str]:
    meta = row.get("metadata") if isinstance(row, dict) else None
    if not isinstance(meta, dict):
        return None, "row without metadata"
    ident = first(meta, "identifier")
    if not ident:
        return None, f"row {row.get('reference')} without identifier"
    if first(meta, "DATASOURCE") not in (LIVE, None):
        return None, f"{ident}: stale {first(meta, 'DATASOURCE')} copy"
    kind = first(meta, "type")
    if options is not None and kind and kind not in options.types:
        return None, f"{ident}: type {kind} not searched"
    programme = first(meta, "frameworkProgramme")
    if options is not None and programme and programme not in options.programmes:
        return None, f"{ident}: programme {programme} not searched"
    if kind == CASCADE:  # several cascade calls share their parent topic's identifier
        number = "".join(ch for ch in str(row.get("reference", "")) if ch.isdigit())
        return f"{ident}/cascade-{number or url_digest(row.get('url'))}", ""
    return ident, ""


def first(meta: dict[str, Any], key: str) -> str | None:
    values = every(meta, key)
    return values[0] if values else None


def every(meta: dict[str, Any], key: str) -> list[str]:
    """Metadata values are lists of strings; tolerate a bare string or number."""
    value = meta.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if v is not None and str(v).strip()]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True, order=True)
class Cutoff:
    date: str
    time: str | None

    def label(self, zone: str | None) -> str:
        return (
            f"{self.date} {self.time} {zone}"
            if self.time and zone
            else f"{self.date} {self.time or ''}".strip()
        )


def deadlines(rows: list[dict[str, Any]]) -> list[Cutoff]:
    """All deadlines of all rows of a topic, each once; dates from ``actions`` fill gaps."""
    found: set[Cutoff] = set()
    for row in rows:
        meta = row["metadata"]
        for stamp in every(meta, "deadlineDate"):
            day, _, rest = stamp.partition("T")
            clock = rest[:5] if rest[:5] not in ("", "00:00") else None
            found.add(Cutoff(day, clock))
        for action in _actions(meta):
            for day in action.get("deadlineDates") or []:
                if isinstance(day, str) and not any(c.date == day[:10] for c in found):
                    found.add(Cutoff(day[:10], None))
    return sorted(found)


def _actions(meta: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for raw in every(meta, "actions"):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:  # authors and the API cut long strings; skip, do not fail
            continue
        out += [a for a in parsed if isinstance(a, dict)] if isinstance(parsed, list) else []
    return out


def url_digest(url: Any) -> str:
    """A short digest of a URL that is the same in every process (Python's ``hash()`` is salted)."""
    return hashlib.sha256(str(url or "").strip().encode("utf-8")).hexdigest()[:12]


def topic_call(key: str, rows: list[dict[str, Any]], source_id: str) -> Call:
    """All rows of one topic (or cascade call) → one Call with every deadline in text and fields.

    Nothing here depends on the date of the crawl: whether a call is open is derived from its
    deadlines when it is read (``classifier.status``), so a date passing changes no stored call.
    """
    best = max(rows, key=lambda r: len(json.dumps(r.get("metadata", {}))))  # the fullest row wins
    meta = best["metadata"]
    ident = first(meta, "identifier") or key
    cascade = first(meta, "type") == CASCADE
    title = one_line(first(meta, "callTitle") if cascade else first(meta, "title"))
    title = title or one_line(best.get("summary")) or ident
    url = (best.get("url") or "").strip() if cascade else ""
    url = url or TOPIC_PAGE + ident  # the portal's topic page spells the identifier as published
    opening = (first(meta, "startDate") or "")[:10] or None
    cutoffs = deadlines(rows)
    zone = None if cascade else "Brussels time"  # topic deadlines are Brussels time stamped +0000
    fields = _fields(meta, ident, cascade, opening, cutoffs, zone)
    return Call(
        id=call_id_for(source_id, url, key),
        source_id=source_id,
        url=url,
        title=title,
        text=_text(meta, title, fields, cutoffs, zone),
        funder=first(meta, "projectAcronym")
        if cascade and first(meta, "projectAcronym")
        else "European Commission",
        language="en",
        external_id=key,
        fields={k: v for k, v in fields.items() if v},
    )


def _fields(
    meta: dict[str, Any],
    ident: str,
    cascade: bool,
    opening: str | None,
    cutoffs: list[Cutoff],
    zone: str | None,
) -> dict[str, str]:
    programme = first(meta, "frameworkProgramme") or ""
    keywords = every(meta, "tags") + [k for k in every(meta, "keywords") if k != ident]
    return {
        "Identifier": ident,
        "Call": one_line(first(meta, "callTitle")) if not cascade else one_line(first(meta, "title")),
        "Call identifier": first(meta, "callIdentifier") or "",
        "Programme": PROGRAMMES.get(programme, programme),
        "Type": TYPES.get(first(meta, "type") or "", first(meta, "type") or ""),
        "Type of action": "; ".join(every(meta, "typesOfAction")),
        "Deadline model": first(meta, "deadlineModel") or "",
        "Opening date": opening or "",
        "Deadlines": "; ".join(c.label(zone) for c in cutoffs),
        "Project": " – ".join(every(meta, "projectAcronym") + every(meta, "projectName")),
        "Budget": f"{first(meta, 'budget')} EUR" if first(meta, "budget") else "",
        "Keywords": ", ".join(dict.fromkeys(keywords)),
        "Cross-cutting priorities": ", ".join(every(meta, "crossCuttingPriorities")),
        "Topic details": "" if cascade else TOPIC_JSON + ident.lower() + ".json",
    }


def deadline_sentences(cutoffs: list[Cutoff], model: str | None, zone: str | None) -> list[str]:
    """Each deadline as its own sentence, so readers and the classifier see every cut-off."""
    if model == "two-stage" and len(cutoffs) == 2:
        labels = ["Deadline (first stage, short proposal)", "Deadline (second stage, full proposal)"]
    elif len(cutoffs) > 1:
        labels = [f"Deadline (cut-off {i} of {len(cutoffs)})" for i in range(1, len(cutoffs) + 1)]
    else:
        labels = ["Deadline"]
    return [f"{label}: {c.label(zone)}." for label, c in zip(labels, cutoffs, strict=False)]


def _text(
    meta: dict[str, Any], title: str, fields: dict[str, str], cutoffs: list[Cutoff], zone: str | None
) -> str:
    head = [title]
    for label in ("Call", "Identifier", "Programme", "Type of action", "Project", "Budget"):
        if fields.get(label):
            head.append(f"{label}: {fields[label]}")
    if fields.get("Opening date"):
        head.append(f"Opening date: {fields['Opening date']}.")
    head += deadline_sentences(cutoffs, fields.get("Deadline model"), zone)
    description = first(meta, "descriptionByte") or first(meta, "description") or ""
    return "\n".join(head) + ("\n\n" + html_to_text(description) if description else "")
