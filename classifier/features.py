"""The named features of a call text that the relevance model weighs: topic evidence by section, signals, document type (pure).

Every feature is a number in [0, 1] with a name a person can read in the evidence ("topic:ki@key",
"applicants:companies", "type:scholarship"). Topic evidence is counted by where it stands
(``classifier.sections``): in the title, the head, the purpose and the applicant sections it counts as
``@key``, elsewhere as ``@body``, and in legal boilerplate (AGVO, ANBest, definitions) not at all. Nothing
here depends on the reference date: whether the text says the call is closed is a feature, whether its
dates lie in the past is not (that is ``status``).

FEATURES_VERSION changes whenever a feature is added, removed or changes meaning; a model trained for
another version is stale (``classifier.model``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from classifier import doctypes, signals
from classifier.fold import Lower, fold, lowered
from classifier.gates import gate, passes
from classifier.sections import KEY_ROLES, Sections

FEATURES_VERSION = 12
TOPICS = ("ki", "daten", "digital", "technologieoffen")
_STRENGTH = (0.0, 0.55, 0.75, 0.9, 1.0)
DOC_TYPES = (
    "tender", "job", "prize", "scholarship", "report", "news", "awarded", "event", "training", "papers", "education",
    "teaching", "strategy",
)  # fmt: skip

_COMPANIES = Lower(
    r"unternehmen|\bkmu\b|start-?ups?|firmen|gewerblichen wirtschaft|mittelstand|companies|enterprises|"
    r"\bsmes?\b|businesses|for-profit|industry|industrie|freiberuf|selbstständige|selbständige|gmbh|betriebe"
)
_RESEARCH = Lower(
    r"hochschule|universit|forschungseinrichtung|forschungsinstitut|research organi[sz]ation|"
    r"research institut|wissenschaftliche einrichtung|außeruniversitär|research performing"
)
_PERSONS = Lower(
    r"studierende|student|promovierende|doktorand|phd candidate|natürliche personen|privatpersonen|"
    r"individuals|nachwuchswissenschaftler|postdoc|schüler|pupils|kommunen|gemeinden|landkreise|"
    r"municipalit|landwirt|farmer|vereine|schulträger|kliniken|krankenhäuser"
)
_TEACHING = Lower(r"hochschullehre|\blehre\b|lehrveranstaltung|curricul|teaching|studiengang|studium\b")
_PAST = Lower(r"\b(?:were|was|had|wurden|wurde|hatten|hatte|waren|war|haben \w+ (?:gefördert|erhalten))\b")
_CALL_WORDS = Lower(
    r"projektskizze|förderaufruf|bekanntmachung|richtlinie|call for proposals|open call|proposals?\b|"
    r"antragsberechtigt|einreichen|einzureichen|apply\b|application"
)


@dataclass(frozen=True)
class Hit:
    """One matched keywords.yaml term: ``kind`` is "topic" or "exclusion"; ``weight`` is the entry's."""

    kind: str
    label: str
    term: str
    start: int
    weight: float


@dataclass(frozen=True)
class Inputs:
    """What the features are computed from: the text and what the pipeline already found in it."""

    text: str
    title: str
    hits: list[Hit]
    sections: Sections
    sentence_of: Callable[[int], str]
    types: list[signals.Signal]
    closed: str = ""  # the words that say the call is closed
    closed_final: bool = False  # a stop, cancellation or "keine Anträge": closes every call on the page
    closed_early: bool = False
    language: str = "de"
    dated_deadline: bool = False  # the text states a dated deadline (past or future: no reference date here)
    rolling: bool = False
    deadline_named: bool = False  # a submission deadline, dated or not ("bis Ende Juni", "30th November")
    source_fields: Mapping[str, str] = field(default_factory=dict)
    # what is computed from the rest once and read twice (the features and the evidence)
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


def features(inputs: Inputs, vocabulary: Mapping[str, str] | None = None) -> dict[str, float]:
    """The named features of one call (see the module docstring). ``vocabulary`` (a model's words, as
    word → feature name): only those word features are made, not the hundreds a model never kept."""
    low = lowered(inputs.text)
    out: dict[str, float] = {}
    out.update(_topics(inputs))
    key = key_text(inputs, low)
    out.update(_applicants(inputs, low, key))
    out.update(_signals(inputs, low, key))
    _source_fields(inputs.source_fields, out)
    veto = any(v for n, v in out.items() if n.startswith(("type:", "signal:", "closed:final")))
    # in [0, 1], zeros left out; the hundreds of word features are 1.0 each and come after the others
    values = {name: min(1.0, value) for name, value in out.items() if value > 0.0}
    values.update(words(key, vocabulary))
    clean = 0.0 if veto else min(1.0, max(0.0, out.get("topics@key", 0.0)))
    if clean:
        values["topics@key:clean"] = clean
    return values


def key_text(inputs: Inputs, low: str) -> str:
    """The lower-cased title, head, purpose and applicant sections joined (where the answers stand)."""
    s = inputs.sections
    parts = [inputs.title.lower()]
    bounds = list(s.starts) + [len(low)]
    for i, role in enumerate(s.roles):
        if role in KEY_ROLES:
            end = bounds[i + 1] if not (role == "head" and len(s.starts) == 1) else min(bounds[i + 1], 3000)
            parts.append(low[bounds[i] : end])
    return "\n".join(parts)


_WORD = re.compile(r"[a-zäöüß]{4,}")
WORD_CHARS = 6000  # the words of this much key text are features


def words(key: str, vocabulary: Mapping[str, str] | None = None) -> dict[str, float]:
    """The distinct words of the key text as ``word:…`` features (training keeps the ones that recur), or
    only those of ``vocabulary``."""
    found = set(_WORD.findall(key[:WORD_CHARS]))
    if vocabulary is not None:
        # keys() & set looks the text's few hundred words up in the dict; set.intersection(dict) would walk it
        return {vocabulary[w]: 1.0 for w in sorted(vocabulary.keys() & found)}  # sorted: stable order
    return {f"word:{w}": 1.0 for w in sorted(found)}


def _strength(found: dict[str, int]) -> float:
    """Evidence of one topic from its distinct terms (and, half, their repeats)."""
    if not found:
        return 0.0
    repeats = sum(found.values()) - len(found)
    effective = len(found) + min(2, repeats) * 0.5
    return _STRENGTH[min(4, int(effective))] + (effective % 1) * 0.1


@dataclass(frozen=True)
class TopicHits:
    """The topic terms that count, by place ("key" / "body") and topic with their counts, and by place the
    topics named as a funded area there (``named_area``)."""

    terms: dict[str, dict[str, dict[str, int]]]
    listed: dict[str, set[str]]


def topic_hits(inputs: Inputs) -> TopicHits:
    """Distinct topic terms by place and topic; legal boilerplate and incidental uses left out. Computed
    once per call (the features and the evidence both read it)."""
    known = inputs.memo.get("topic_hits")
    if isinstance(known, TopicHits):
        return known
    found = TopicHits({"key": {}, "body": {}}, {"key": set(), "body": set()})
    inputs.memo["topic_hits"] = found
    incidental: dict[str, bool] = {}
    for hit in inputs.hits:
        if hit.kind != "topic":
            continue
        role = inputs.sections.role_at(hit.start)
        if role == "legal":
            continue
        sentence = inputs.sentence_of(hit.start)
        if sentence not in incidental:
            incidental[sentence] = signals.is_incidental(sentence)
        if incidental[sentence] or signals.in_institution_name(inputs.text, hit.start, hit.term):
            continue
        place = "key" if role in KEY_ROLES else "body"
        listed = found.listed[place]
        if hit.label not in listed and named_area(inputs.text, hit.start):
            listed.add(hit.label)
        terms = found.terms[place].setdefault(hit.label, {})
        terms[hit.term.lower()] = terms.get(hit.term.lower(), 0) + 1
    return found


_ITEM = re.compile(r"\s*(?:#+|[-*•–·]|\(?[0-9a-z]{1,3}[.)]|\d+(?:\.\d+)*\.?)\s")  # a heading or list mark
AREA_LINE = 90  # characters: a line this short is a heading or a list entry, not prose
AREA_LEAD = 60  # a topic word this far into a list entry or heading still names it


# what a call is for, right before the topic word: "Förderaufruf für KI", "call for AI projects"
_CALL_FOR = Lower(
    r"(?:förder\w*|aufruf|richtlinie|bekanntmachung|ausschreibung|wettbewerb|programm\w*|calls?|funding|"
    r"grants?)\s+(?:für|zur|zum|von|im bereich|for|on|in the field of)\s+(?:[\w-]+\s+){0,2}$"
)

_CALL_FOR_GATE = gate(_CALL_FOR)


def named_area(text: str, start: int) -> bool:
    """The topic word at ``start`` names a funded area: it stands early in a heading, a list item or a short
    line ("- Digitalisierung der Energiewende"), or right after what a call is for ("Förderaufruf für KI"),
    not somewhere in prose."""
    line = text.rfind("\n", 0, start) + 1
    if start - line <= AREA_LEAD:
        end = text.find("\n", start)
        if (end if end >= 0 else len(text)) - line <= AREA_LINE or _ITEM.match(text, line, start):
            return True
    before = text[max(0, start - AREA_LEAD) : start].lower()
    return passes(_CALL_FOR_GATE, before) and bool(_CALL_FOR.search(before))


def _topics(inputs: Inputs) -> dict[str, float]:
    out: dict[str, float] = {}
    found = topic_hits(inputs)
    places = found.terms
    # a domain programme that names digital topics as funded areas (a list item, a heading) against one
    # that mentions them in passing: the labels' line between borderline programmes
    for place, labels in found.listed.items():
        if labels:
            out[f"topics@{place}:listed"] = min(1.0, len(labels) / 2)
    title = inputs.title.lower()
    weights = {h.label: h.weight for h in inputs.hits if h.kind == "topic"}
    for place, by_topic in places.items():
        remaining = 1.0
        for label in by_topic:
            strength = _strength(by_topic[label])
            if label in TOPICS:
                out[f"topic:{label}@{place}"] = strength
            # topics combine like independent evidence, each by its keywords.yaml weight
            remaining *= 1 - min(1.0, weights[label] * strength)
        out[f"topics@{place}"] = 1 - remaining
    # How much of the text is about the topics, not only whether they occur: a domain programme names
    # "Digitalisierung" once among many aims, a digital one names its topics throughout.
    mentions = _topic_mentions(inputs)
    for place, (count, chars) in mentions.items():
        out[f"topics@{place}:density"] = min(1.0, count * 1000 / max(chars, 1000) / 4)
    out["topic:in_title"] = float(
        any(h.kind == "topic" and h.start < len(title) + 2 and h.term.lower() in title for h in inputs.hits)
    )
    return out


def _topic_mentions(inputs: Inputs) -> dict[str, tuple[int, int]]:
    """Topic hits (repeats included) and characters of text, in the key sections and in the whole text
    without legal boilerplate."""
    s = inputs.sections
    bounds = list(s.starts) + [len(inputs.text)]
    chars = {"key": len(inputs.title), "text": 0}
    for i, role in enumerate(s.roles):
        size = bounds[i + 1] - bounds[i]
        if role != "legal":
            chars["text"] += size
            if role in KEY_ROLES:
                chars["key"] += size
    counts = {"key": 0, "text": 0}
    for hit in inputs.hits:
        if hit.kind == "topic":
            role = s.role_at(hit.start)
            if role != "legal":
                counts["text"] += 1
                counts["key"] += role in KEY_ROLES
    return {place: (counts[place], chars[place]) for place in counts}


def _applicants(inputs: Inputs, low: str, key: str) -> dict[str, float]:
    """Who may apply, read from the applicant sections when there are any, else from the key text."""
    s = inputs.sections
    bounds = list(s.starts) + [len(low)]
    section = " ".join(
        low[bounds[i] : bounds[i + 1]][:3000] for i, r in enumerate(s.roles) if r == "applicants"
    )
    where = section or key
    return {
        "applicants:section": float(bool(section)),
        "applicants:companies": float(bool(_COMPANIES.search(where))),
        "applicants:research": float(bool(_RESEARCH.search(where))),
        "applicants:persons_only": float(
            bool(_PERSONS.search(where)) and not _COMPANIES.search(where) and not _RESEARCH.search(where)
        ),
    }


def _signals(inputs: Inputs, low: str, key: str) -> dict[str, float]:
    out: dict[str, float] = {
        "funding:key": float(bool(signals.first_word(signals.FUNDING_WORDS, key))),
        "innovation:key": float(bool(signals.first_word(signals.INNOVATION_WORDS, key))),
        "innovation:any": float(bool(signals.first_word(signals.INNOVATION_WORDS, low))),
        "call_words:key": min(1.0, len(set(_CALL_WORDS.findall(key))) / 3),
        "teaching:key": float(bool(_TEACHING.search(key))),
        "submission_invited": float(bool(signals.SUBMISSION_INVITED.search(low[:6000]))),
        "closed:final": float(bool(inputs.closed) and inputs.closed_final),
        "closed:early": float(bool(inputs.closed) and inputs.closed_early and not inputs.closed_final),
        "closed:later": float(bool(inputs.closed) and not inputs.closed_early and not inputs.closed_final),
        "language:en": float(inputs.language == "en"),
        # a text that tells what happened (results, approvals, a finished project) rather than inviting
        "tense:past": min(1.0, len(_PAST.findall(key)) * 100 / max(len(key.split()), 100) / 3),
        # a submission deadline or rolling submission, past or future: the text is a call, not about one
        "deadline:stated": float(inputs.dated_deadline or inputs.rolling),
        "length": min(1.0, math.log10(max(len(inputs.text), 10)) / 5),
        "sections:found": min(1.0, (len(set(inputs.sections.roles)) - 1) / 4),
    }
    for kind in inputs.types:
        if kind.name in DOC_TYPES:
            out[f"type:{kind.name}"] = 1.0
    # a press release or newsletter that states no deadline and no open submission reports, it does not call
    if not (inputs.deadline_named or inputs.rolling) and doctypes.news_form(inputs.title, inputs.text):
        out["type:undated_news"] = 1.0
    # Read in the key sections only: deep in a guideline the same words are about other parties (AGVO).
    for found in (signals.restricted_applicants(key, key), signals.field_excluded(key, key)):
        if found:
            out[f"signal:{found.name}"] = 1.0
    exclusions = {
        h.label for h in inputs.hits if h.kind == "exclusion" and inputs.sections.role_at(h.start) != "legal"
    }
    for label in exclusions:
        out[f"exclusion:{label}"] = 1.0
    return out


# Förderdatenbank fields as the source states them (``Call.fields``): used as stated, not re-guessed, by
# setting the features the text would have to show.
_FIELD_FEATURES = (
    ("Förderberechtigte", fold(r"unternehmen|existenzgründ"), "applicants:companies"),
    ("Förderberechtigte", fold(r"hochschule|forschungseinrichtung"), "applicants:research"),
    ("Förderberechtigte", fold(r"\w"), "applicants:section"),
    ("Förderbereich", fold(r"forschung|innovation|digitalisierung"), "innovation:key"),
    ("Förderart", fold(r"zuschuss|darlehen|beteiligung|garantie|bürgschaft"), "funding:key"),
)


def _source_fields(fields: Mapping[str, str], out: dict[str, float]) -> None:
    """The stated fields override what was read from the text (the ``classify`` path; ``tag`` has none)."""
    stated = fields.get("Förderberechtigte")
    for label, pattern, name in _FIELD_FEATURES:
        value = fields.get(label)
        if value:
            out[name] = (
                1.0
                if pattern.search(value)
                else (0.0 if label == "Förderberechtigte" else out.get(name, 0.0))
            )
    if stated:
        out["applicants:persons_only"] = float(
            not out["applicants:companies"] and not out["applicants:research"]
        )
