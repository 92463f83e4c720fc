"""Cross-source duplicates: the same call reached through two sources is linked to one canonical call.

A ministry's announcement and its Förderdatenbank entry, or the Förderdatenbank's export and its
HTML page, are two rows in ``calls`` (each keeps its source, URL and first_seen); the later copies
get ``canonical_id`` = the id of the copy seen first. Matching is pure: the same programme path,
or a near-identical normalised title, or a similar title backed by the same funder or a shared date.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from foerderradar.store import LinkingRow, Store

SAME_TITLE = 0.92  # enough on its own
SIMILAR_TITLE = 0.75  # enough together with the same funder or a shared date
MAX_BUCKET = 400  # a word in more titles than this says nothing about identity
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
_ACRONYM = re.compile(r"\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü&-]{1,12})\)")
STOPWORDS = frozenset(
    "der die das des dem den und oder fuer von zur zum im in am an auf mit bei aus ein eine einer "
    "eines the of and for to in on a an richtlinie foerderung bekanntmachung programm "
    "foerderprogramm call".split()
)


@dataclass(frozen=True)
class Copy:
    """What matching needs to know about one stored call."""

    id: str
    source_id: str
    title: str
    first_seen: str
    funder: str | None = None
    external_id: str | None = None
    dates: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Link:
    call_id: str
    canonical_id: str
    score: float
    reason: str


def copy_from_row(row: LinkingRow) -> Copy:
    return Copy(
        id=row["id"],
        source_id=row["source_id"],
        title=row["title"] or "",
        first_seen=row["first_seen"] or "",
        funder=row.get("funder"),
        external_id=row.get("external_id"),
        dates=text_dates(row.get("text") or ""),
    )


def normalise(title: str) -> str:
    """Lower case, umlauts folded, punctuation and filler words gone."""
    words = _WORD.findall(title.lower().translate(_FOLD))
    return " ".join(w for w in words if w not in STOPWORDS)


def text_dates(text: str) -> frozenset[str]:
    """Every full date the text states, as ISO (deadlines stand among them)."""
    found = set()
    for m in _DATE.finditer(text):
        day, month, year = (
            (m.group(1), m.group(2), m.group(3)) if m.group(3) else (m.group(6), m.group(5), m.group(4))
        )
        found.add(f"{year}-{int(month):02d}-{int(day):02d}")
    return frozenset(found)


def title_similarity(a: str, b: str) -> float:
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0.0
    words_a, words_b = set(left.split()), set(right.split())
    jaccard = len(words_a & words_b) / len(words_a | words_b)
    matcher = SequenceMatcher(None, left, right)
    if matcher.quick_ratio() < SIMILAR_TITLE:  # an upper bound, cheap: most pairs stop here
        return jaccard
    return max(matcher.ratio(), jaccard)


def same_funder(a: str | None, b: str | None) -> bool:
    """The same body, also when one side names it in full and the other by its acronym."""
    if not a or not b:
        return False
    if normalise(_ACRONYM.sub("", a)) == normalise(_ACRONYM.sub("", b)):
        return True
    acronyms_a, acronyms_b = set(_ACRONYM.findall(a)), set(_ACRONYM.findall(b))
    if acronyms_a & acronyms_b:
        return True
    bare_a, bare_b = a.strip().upper(), b.strip().upper()
    return bare_a in acronyms_b or bare_b in acronyms_a


def match(a: Copy, b: Copy) -> tuple[float, str] | None:
    """Score and reason when two copies from different sources are the same call, else None."""
    if a.source_id == b.source_id:
        return None
    if a.external_id and a.external_id == b.external_id:
        return 1.0, "same programme id"
    score = title_similarity(a.title, b.title)
    if score >= SAME_TITLE:
        return score, "same title"
    if score >= SIMILAR_TITLE and same_funder(a.funder, b.funder):
        return score, "similar title, same funder"
    if score >= SIMILAR_TITLE and a.dates & b.dates:
        return score, "similar title, same date"
    return None


def find_links(copies: Iterable[Copy]) -> list[Link]:
    """Group matching copies; every copy but the first seen links to the first seen."""
    items = list(copies)
    parent = {c.id: c.id for c in items}
    reasons: dict[tuple[str, str], tuple[float, str]] = {}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in _candidate_pairs(items):
        found = match(a, b)
        if found:
            parent[root(a.id)] = root(b.id)
            reasons[(a.id, b.id)] = reasons[(b.id, a.id)] = found
    groups: dict[str, list[Copy]] = defaultdict(list)
    for item in items:
        groups[root(item.id)].append(item)
    links = []
    for members in groups.values():
        if len(members) < 2:
            continue
        first = min(members, key=lambda c: (c.first_seen, c.id))
        for other in members:
            if other is not first:
                score, reason = reasons.get((other.id, first.id), (0.0, "same group"))
                links.append(Link(other.id, first.id, round(score, 3), reason))
    return sorted(links, key=lambda link: link.call_id)


def _candidate_pairs(items: list[Copy]) -> Iterable[tuple[Copy, Copy]]:
    """Pairs worth comparing (blocking, not n²): a shared programme id, or one of a copy's two
    rarest title words — two copies of one call share their rare words."""
    words = {c.id: {w for w in normalise(c.title).split() if len(w) > 2} for c in items}
    buckets: dict[str, list[Copy]] = defaultdict(list)
    for item in items:
        for key in words[item.id] | ({"id:" + item.external_id} if item.external_id else set()):
            buckets[key].append(item)
    seen: set[tuple[str, str]] = set()
    for a in items:
        keys = sorted(words[a.id], key=lambda w: (len(buckets[w]), w))[:2]
        keys += ["id:" + a.external_id] if a.external_id else []
        for key in keys:
            bucket = buckets[key]
            if len(bucket) > MAX_BUCKET:
                continue
            for b in bucket:
                pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                if a.source_id != b.source_id and pair not in seen:
                    seen.add(pair)
                    yield a, b


def link_duplicates(store: Store) -> list[Link]:
    """Recompute the links over every stored call and write them."""
    links = find_links(copy_from_row(row) for row in store.calls_for_linking())
    store.save_links([(x.call_id, x.canonical_id, x.score, x.reason) for x in links])
    return links
