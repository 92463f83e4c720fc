"""Call facts (spec/classifier.md §4): summary, applicants, consortium, funding, identifier, region.

Pure functions over a call's cleaned text and the fields its source states. Every fact is read, never
written: the summary is sentences of the text, the others are spans of it (or a source field), and each
fact keeps the span it came from in ``CallFacts.evidence`` so a person can check it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import TypeVar

from classifier.facts_terms import (
    AMOUNT,
    ANCHORS,
    APPLICANT_ANCHORS,
    APPLICANT_PATTERNS,
    BENEFICIARY_VERB,
    CONSORTIUM_NO,
    CONSORTIUM_STRONG,
    CONSORTIUM_WEAK,
    ELIGIBILITY,
    EXCLUDED,
    FUNDING_VERB,
    IDENTIFIERS,
    NATIONWIDE,
    PER_PROJECT,
    PROGRAMME_BUDGET,
    PURPOSE_HEADINGS,
    RATE,
    REGION_CUE,
    RETROSPECTIVE,
    region_name,
    regions_in,
)
from classifier.fold import Pattern, fold, lower
from classifier.text import Sentences
from foerderradar.models import APPLICANTS, CallFacts

T = TypeVar("T")
SUMMARY_MAX = 420  # two sentences at most, and not a paragraph: the second only when both stay short
SENTENCE_MIN = 40
WINDOW_SENTENCES = 6  # an eligibility sentence and the list lines that follow it
WINDOW_CHARS = 900
MAX_WINDOWS = 4
HEAD_CHARS = 3000
MAX_BENEFICIARY = 12  # sentences read for beneficiaries when no eligibility statement exists
SPAN_MAX = 300
_HEADING_LINE = 160
_BULLET = re.compile(r"^[\s*•\-–#>|]+|[\s*#|]+$")
_MARKUP = re.compile(r"\*\*|__|\\(?=[.\-*_()\[\]#])")
_BULLET_LEAD, _BULLET_TRAIL = "*•-–#>|", "*#|"  # _BULLET's characters besides whitespace


# A word holding another word of its group finds no sentence the other does not: only the others are looked for.
_ANCHORS = {
    group: tuple(w for w in words if not any(o != w and o in w for o in words))
    for group, words in ANCHORS.items()
}
_IDENTIFIERS = [(pattern, re.compile("|".join(map(re.escape, pieces)))) for pattern, pieces in IDENTIFIERS]


class Scan:
    """The text, its lower-case twin and its sentences; ``matches`` searches only anchored sentences."""

    def __init__(self, text: str, sentences: Sentences | None = None) -> None:
        self.text = text
        self.low = lower(text)  # offsets as in the text
        self.sentences = sentences if sentences is not None and sentences.text == text else Sentences(text)
        self._spans: dict[str, list[tuple[int, int]]] = {}

    def spans(self, anchors: str) -> list[tuple[int, int]]:
        """The sentences holding an anchor word, in text order. Each word's search goes on after the
        sentence it found: a guideline names "Unternehmen" hundreds of times, in far fewer sentences."""
        if anchors not in self._spans:
            found: set[int] = set()
            spans, low = self.sentences.spans, self.low
            for word in _ANCHORS[anchors] if spans else ():
                at = low.find(word)
                while at >= 0:
                    index = self.sentences.index(at)
                    found.add(index)
                    at = low.find(word, max(spans[index][1], at + 1))
            self._spans[anchors] = [spans[i] for i in sorted(found)]
        return self._spans[anchors]

    def matches(self, pattern: Pattern, anchors: str) -> Iterator[re.Match[str]]:
        """Matches of ``pattern`` in text order, inside the sentences that hold an anchor word."""
        for start, end in self.spans(anchors):
            yield from pattern.finditer(self.text, start, end)

    def first(self, pattern: Pattern, anchors: str) -> re.Match[str] | None:
        return next(self.matches(pattern, anchors), None)


def call_facts(
    text: str,
    fields: Mapping[str, str] | None = None,
    language: str = "de",
    sentences: Sentences | None = None,
) -> CallFacts:
    """Every fact of one call: ``text`` is the classifier's cleaned text, ``fields`` the source's own;
    ``sentences`` of the same text when the pipeline already split it."""
    fields = fields or {}
    scan = Scan(text, sentences)
    evidence: dict[str, str] = {}
    summary = _found(evidence, "summary", find_summary(scan))
    applicants = _found(evidence, "applicants", find_applicants(scan, fields))
    consortium = _found(evidence, "consortium", find_consortium(scan))
    funding = _found(evidence, "funding", find_funding(scan, fields))
    identifier = _found(evidence, "identifier", find_identifier(text, fields))
    region = _found(evidence, "region", find_region(scan, fields))
    return CallFacts(
        summary=summary or "",
        applicants=applicants or (),
        consortium=consortium,
        funding=funding,
        identifier=identifier,
        region=region,
        evidence=evidence,
    )


def _found(evidence: dict[str, str], name: str, result: tuple[T, str] | None) -> T | None:
    if result is None:
        return None
    value, span = result
    if span:
        evidence[name] = span[:SPAN_MAX]
    return value


def plain(span: str) -> str:
    """A span as one line: Markdown bullets, emphasis and escapes dropped, whitespace collapsed."""
    words = span.split()
    if (
        words
        and words[0][0] not in _BULLET_LEAD
        and words[-1][-1] not in _BULLET_TRAIL
        and "**" not in span
        and "__" not in span
        and "\\" not in span
    ):
        return " ".join(words)  # no markup in it: nothing for the patterns to drop
    return " ".join(_BULLET.sub("", _MARKUP.sub("", span)).split())


# --- summary -----------------------------------------------------------------------------------


def find_summary(scan: Scan) -> tuple[str, str] | None:
    """The first one or two real sentences of the purpose / subject section, in heading priority."""
    text, sentences = scan.text, scan.sentences
    for heading in PURPOSE_HEADINGS:
        for match in scan.matches(heading, "headings"):
            if not _is_heading(text, match.start(), match.end()):
                continue
            chosen = _sentences_after(text, sentences, match.end())
            if chosen:
                return chosen, chosen
    title = plain(text.split("\n", 1)[0]).casefold()
    for start, end in sentences.spans:  # no section: the first sentence that says what is funded
        sentence = plain(text[start:end])
        if SENTENCE_MIN <= len(sentence) <= SUMMARY_MAX and FUNDING_VERB.search(sentence):
            if (
                not sentence.endswith(":")
                and sentence.casefold() != title
                and not RETROSPECTIVE.search(sentence)
            ):
                return sentence, sentence
    return None


def _is_heading(text: str, start: int, end: int) -> bool:
    """The match opens its line ("## 2 Gegenstand der Förderung", "Scope:") and the line is short."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if re.sub(r"[\s#*\d.§()]|Nr", "", before):
        return False
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return len(line) <= _HEADING_LINE or text[end : end + 2].lstrip().startswith(":")


def _sentences_after(text: str, sentences: Sentences, offset: int) -> str:
    """One or two sentences following a heading, skipping sub-headings, labels and list lead-ins."""
    index = sentences.index(offset)
    chosen: list[str] = []
    for start, end in sentences.spans[index : index + 8]:
        if end <= offset:
            continue
        sentence = plain(_drop_heading_lines(text[max(start, offset) : end]).lstrip(" :"))
        if not sentence:
            continue
        if len(sentence) < SENTENCE_MIN or sentence.endswith(":") or sentence.startswith("#"):
            if chosen:
                break
            continue
        if chosen and len(chosen[0]) + len(sentence) > SUMMARY_MAX:
            break
        if not chosen and len(sentence) > SUMMARY_MAX:
            sentence = _cut(sentence)
        chosen.append(sentence)
        if len(chosen) == 2:
            break
    return " ".join(chosen)


def _drop_heading_lines(span: str) -> str:
    """A heading line glued to the sentence under it ("A Einstieg …\nDer Förderschwerpunkt …") goes."""
    lines = span.strip().split("\n")
    while len(lines) > 1 and _heading_like(lines[0], lines[1]):
        lines.pop(0)
    return "\n".join(lines)


def _heading_like(line: str, following: str) -> bool:
    """A short line without end punctuation followed by a line that starts a new sentence."""
    nxt = following.lstrip(" *#-")
    return len(line) < 90 and not line.rstrip().endswith((".", ",", ";", ":", "!", "?")) and nxt[:1].isupper()


def _cut(sentence: str) -> str:
    """A very long first sentence ends at a clause boundary (still the text's own words) with "…"."""
    head = sentence[:SUMMARY_MAX]
    cut = max(head.rfind("; "), head.rfind(", "))
    return (head[:cut] if cut > SUMMARY_MAX // 2 else head.rsplit(" ", 1)[0]) + " …"


# --- applicants ----------------------------------------------------------------------------------


def find_applicants(scan: Scan, fields: Mapping[str, str]) -> tuple[tuple[str, ...], str] | None:
    """Who may apply: the source's "Förderberechtigte" field, else the eligibility sentences."""
    stated = fields.get("Förderberechtigte") or fields.get("Eligible applicants")
    if stated:
        kinds = applicant_kinds(stated)
        if kinds:
            return kinds, f"field:Förderberechtigte: {stated}"
    text, sentences = scan.text, scan.sentences
    found, spans = _kinds_in(_eligibility_windows(scan))
    if not found:
        title = text[: text.find("\n")] if "\n" in text else ""
        found, spans = _kinds_in(_beneficiary_windows(title, scan))
    if not found:  # a news item or a portal page: whom the page talks about near its top
        found, spans = _kinds_in([s for s in _head_sentences(text, sentences) if not EXCLUDED.search(s)])
    if not found:
        return None
    return tuple(a for a in APPLICANTS if a in found), " … ".join(spans)


def _kinds_in(windows: list[str]) -> tuple[set[str], list[str]]:
    found: set[str] = set()
    spans: list[str] = []
    for window in windows:
        kinds = applicant_kinds(window)
        if kinds:
            found |= set(kinds)
            spans.append(plain(window)[:200])
    return found, spans


@functools.lru_cache(maxsize=256)  # the eligibility windows are read once to pick them, once for their kinds
def applicant_kinds(text: str) -> tuple[str, ...]:
    """Applicant ids named in a span; "kleine und mittlere Unternehmen" is ``kmu``, not also
    ``unternehmen``, because each match blanks its words before the broader kinds look."""
    found = set()
    rest, low = text, text.lower()
    for kind, pattern in APPLICANT_PATTERNS:
        if not any(map(low.__contains__, APPLICANT_ANCHORS[kind])):
            continue
        if pattern.search(rest):
            found.add(kind)
            rest = pattern.sub(lambda m: " " * len(m.group()), rest)
    return tuple(a for a in APPLICANTS if a in found)


def _eligibility_windows(scan: Scan) -> list[str]:
    """Each eligibility statement, with the list lines that follow when it leads into a list (or is the
    heading "Zuwendungsempfänger"), in text order; state-aid boilerplate sentences are left out."""
    text, sentences = scan.text, scan.sentences
    windows: list[str] = []
    last_end = -1
    for match in scan.matches(ELIGIBILITY, "eligibility"):
        if match.start() < last_end:
            continue
        index = sentences.index(match.start())
        start, end = sentences.spans[index]
        parts = [text[start:end]]
        heading = _is_heading(text, match.start(), match.end()) and len(parts[0].strip()) < 60
        if heading or _leads_into_list(parts[0]):
            for s, e in sentences.spans[index + 1 : index + WINDOW_SENTENCES]:
                part = text[s:e]
                if e - start > WINDOW_CHARS or part.lstrip().startswith("#"):
                    break
                if not (heading or _BULLET.match(part) or _leads_into_list(part)):
                    break
                parts.append(part)
                end = e
        window = "\n".join(p for p in parts if not EXCLUDED.search(p))
        last_end = end
        if applicant_kinds(window):
            windows.append(window)
        if len(windows) >= MAX_WINDOWS:
            break
    return windows


def _leads_into_list(sentence: str) -> bool:
    tail = sentence.rstrip(" *\n")
    return tail.endswith(":") or bool(_LEAD_IN.search(tail))


_LEAD_IN = fold(r"\b(?:sind|werden|können|auch|are|include|includes)$")


def _head_sentences(text: str, sentences: Sentences) -> list[str]:
    return [text[s:e] for s, e in sentences.spans if s < HEAD_CHARS]


def _beneficiary_windows(title: str, scan: Scan) -> list[str]:
    """When no sentence says who may apply: the title and the sentences that say whom the call funds
    ("Das Land unterstützt Unternehmen …", "SMEs can get up to …"). Read in the lower-cased text, each
    sentence in place: no copy of it to lower-case."""
    found = [title] if title else []
    low = scan.low
    funding, beneficiary, excluded = FUNDING_VERB.twin, BENEFICIARY_VERB.twin, EXCLUDED.twin
    for start, end in scan.sentences.spans:
        if (funding.search(low, start, end) or beneficiary.search(low, start, end)) and not excluded.search(
            low, start, end
        ):
            found.append(scan.text[start:end])
            if len(found) >= MAX_BENEFICIARY:
                break
    return found


# --- consortium ----------------------------------------------------------------------------------


def find_consortium(scan: Scan) -> tuple[bool, str] | None:
    """True when partners are required, False when single applicants are the rule, else None.

    A hard requirement ("nur Verbundvorhaben", "at least three legal entities") outranks "Einzel- und
    Verbundvorhaben"; a softer "müssen … gemeinsam mit" only counts when nothing says single."""
    for pattern, value in ((CONSORTIUM_STRONG, True), (CONSORTIUM_NO, False), (CONSORTIUM_WEAK, True)):
        match = scan.first(pattern, "consortium")
        if match:
            return value, scan.sentences.sentence(match.start())
    return None


# --- funding ---------------------------------------------------------------------------------------


def find_funding(scan: Scan, fields: Mapping[str, str]) -> tuple[str, str] | None:
    """The first stated rate and the first stated (qualified) amount, as written."""
    sentences = scan.sentences
    rate = scan.first(RATE, "rate")
    amount = next((m for m in scan.matches(AMOUNT, "amount") if not _programme_budget(scan, m.start())), None)
    found = sorted((m for m in (rate, amount) if m), key=lambda m: m.start())
    if found:
        value = "; ".join(_LEAD_WORDS.sub("", plain(m.group())) for m in found)
        return value, " … ".join(sentences.sentence(m.start(), 200) for m in found)
    budget = fields.get("Budget")
    if budget:
        return f"Budget {budget}", f"field:Budget: {budget}"
    return None


def _programme_budget(scan: Scan, offset: int) -> bool:
    """An amount in a sentence about the programme's whole budget ("Für die Maßnahme stehen bis zu 100 Mio.
    Euro zur Verfügung") is not what one project can get."""
    start, end = scan.sentences.span(offset)
    return bool(PROGRAMME_BUDGET.search(scan.text, start, end)) and not PER_PROJECT.search(
        scan.text, start, end
    )


_LEAD_WORDS = fold(
    r"^(?:Förderquote|funding rate)\s+(?:\w+\s+){0,3}?(?=(?:bis zu|up to|maximal|max\.|höchstens)\s)"
)


# --- identifier ------------------------------------------------------------------------------------


def find_identifier(text: str, fields: Mapping[str, str]) -> tuple[str, str] | None:
    """The funder's id: the source's "Identifier" field, else an EU topic id or a BAnz reference."""
    for label in ("Identifier", "Call identifier"):
        if fields.get(label):
            return fields[label], f"field:{label}: {fields[label]}"
    for pattern, pieces in _IDENTIFIERS:
        first = pieces.search(text)  # the earliest piece, in one scan (each piece alone is a scan)
        match = pattern.search(text, max(0, first.start() - 1)) if first else None
        if match:
            value = " ".join(match.group().split())
            return value, value
    return None


# --- region ----------------------------------------------------------------------------------------


def find_region(scan: Scan, fields: Mapping[str, str]) -> tuple[str, str] | None:
    """The Land the call is restricted to: the "Fördergebiet" field, else a seat/site condition naming
    a Land ("Betriebsstätte in Sachsen"). Nationwide or EU-wide is None."""
    stated = fields.get("Fördergebiet")
    if stated:
        if NATIONWIDE.search(stated):
            return None
        return " ".join(stated.split()), f"field:Fördergebiet: {stated}"
    for match in scan.matches(REGION_CUE, "region"):
        start, end = scan.sentences.span(match.start())
        names = regions_in(scan.text[start:end])
        if names:
            return ", ".join(dict.fromkeys(region_name(n) for n in names)), scan.sentences.sentence(
                match.start()
            )
    return None
