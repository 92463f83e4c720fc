"""The hand-written relevance rules as one score in [0, 1]: a feature the trained model weighs (pure).

They were the whole decision before the model; the model now weighs their score beside the other features.

How the score is made (also in README.md, "Classifier"):

1. Topic evidence. Every keywords.yaml topic that matched adds ``weight × strength(n)`` where
   ``strength`` grows with the distinct terms found (0.55 for one, 0.75 for two, 0.9 for three, then 1;
   repeats of a term count half); topics combine like independent evidence,
   ``t = 1 − Π(1 − w·strength)``. A match that stands only in a portal name, a ministry unit, a
   contact line or a teaching context does not count.
2. Signals (``signals.py``). Funding words (Förderung, Zuwendung, grant, voucher, call for proposals …)
   keep ``t``; without them it is scaled by 0.7. Named applicants an IT SME or research institute can
   be (KMU, Unternehmen, Hochschulen, SMEs …) add 0.1, and so do words of an innovation or R&D
   project (FuE, Innovationsvorhaben, research and innovation, prototype …); both bonuses are scaled by
   ``min(1, t / 0.33)``, so weak evidence of a low-weight topic does not carry a call. Then factors:
   a document that is not public funding (tender, job ad, prize, scholarship, report, news, training
   subsidy: enough marker words, the title counting double) × 0.2 — news and reports are spared when
   the text still invites submissions to an open deadline; companies excluded or an eligibility list
   without companies or research bodies × 0.3; the text says the call is closed × 0.2; software work
   excluded × 0.6, AI or several digital fields excluded × 0.3; each distinct keywords.yaml exclusion
   term (up to three) × (1 − 0.5·weight).
"""

from __future__ import annotations

from dataclasses import dataclass

from classifier import signals
from foerderradar.models import Evidence

NOT_FUNDING_FACTOR = 0.2
RESTRICTED_FACTOR = 0.3
CLOSED_FACTOR = 0.2
FIELD_EXCLUDED_FACTOR = 0.6
AI_EXCLUDED_FACTOR = 0.3
NO_FUNDING_WORD_FACTOR = 0.7
APPLICANT_BONUS = 0.1
INNOVATION_BONUS = 0.1
FULL_BONUS_AT = 0.33  # topic evidence from which the bonuses count fully (one term of a 0.6 topic)
_STRENGTH = (0.0, 0.55, 0.75, 0.9, 1.0)


@dataclass(frozen=True)
class Hit:
    """One matched keywords.yaml term: ``kind`` is "topic" or "exclusion"."""

    kind: str
    label: str
    term: str
    start: int
    weight: float


@dataclass(frozen=True)
class Relevance:
    score: float
    topics: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Context:
    """What the relevance score needs to know about the rest of the verdict."""

    title: str = ""
    open_deadline: bool = False  # a deadline on or after the reference date, or rolling
    open_dated_deadline: bool = False  # a dated deadline on or after the reference date
    closed: str = ""  # the words that say the call is closed
    types: list[signals.Signal] | None = None  # not-funding document types, when already computed


def score_call(text: str, hits: list[Hit], sentence_of, context: Context = Context()) -> Relevance:
    """The relevance score and its evidence for one call text (see the module docstring)."""
    evidence: list[Evidence] = []
    topic_score, topics = _topic_score(hits, sentence_of, evidence)
    low = text.lower()
    score = topic_score
    funding = signals.first_word(signals.FUNDING_WORDS, low)
    if funding:
        evidence.append(Evidence("signal", "funding", funding.term, sentence_of(funding.start), 0.0))
    else:
        score *= NO_FUNDING_WORD_FACTOR
    # The bonuses grow with the topic evidence: one passing "Digitalisierung" in a climate call is not enough.
    scale = min(1.0, topic_score / FULL_BONUS_AT)
    for words, name, bonus in (
        (signals.APPLICANT_WORDS, "applicant", APPLICANT_BONUS),
        (signals.INNOVATION_WORDS, "innovation", INNOVATION_BONUS),
    ):
        found = signals.first_word(words, low)
        if found and scale > 0:
            score = min(1.0, score + bonus * scale)
            evidence.append(
                Evidence("signal", name, found.term, sentence_of(found.start), round(bonus * scale, 3))
            )
    score *= _factors(text, low, hits, sentence_of, context, evidence)
    return Relevance(max(0.0, min(1.0, score)), topics, tuple(evidence))


def _factors(
    text: str, low: str, hits: list[Hit], sentence_of, context: Context, evidence: list[Evidence]
) -> float:
    factor = 1.0
    types = context.types if context.types is not None else signals.document_types(context.title, text)
    for kind in types:
        if kind.name in ("news", "report") and _still_open(kind.name, context, text):
            continue  # news about an open, fitting call should surface
        factor = min(factor, NOT_FUNDING_FACTOR)
        evidence.append(
            Evidence("not_funding", kind.name, kind.term, sentence_of(kind.start), NOT_FUNDING_FACTOR - 1)
        )
    for found, weight in (
        (signals.restricted_applicants(text, low), RESTRICTED_FACTOR),
        (signals.field_excluded(text, low), FIELD_EXCLUDED_FACTOR),
    ):
        if found:
            weight = AI_EXCLUDED_FACTOR if found.name == "ai_excluded" else weight
            factor *= weight
            evidence.append(
                Evidence("signal", found.name, found.term[:80], sentence_of(found.start), weight - 1)
            )
    if context.closed:
        factor *= CLOSED_FACTOR
        at = low.find(context.closed.lower())
        evidence.append(
            Evidence("signal", "closed", context.closed, sentence_of(max(at, 0)), CLOSED_FACTOR - 1)
        )
    seen: set[str] = set()
    for hit in hits:
        if hit.kind == "exclusion" and hit.term.lower() not in seen and len(seen) < 3:
            seen.add(hit.term.lower())
            factor *= 1 - 0.5 * min(hit.weight, 1.0)
            evidence.append(Evidence("exclusion", hit.label, hit.term, sentence_of(hit.start), -hit.weight))
    return factor


def _still_open(kind: str, context: Context, text: str) -> bool:
    """News or an overview that still invites submissions to a dated deadline (news: or rolling)."""
    if not signals.SUBMISSION_INVITED.search(text.lower()):
        return False
    return context.open_deadline if kind == "news" else context.open_dated_deadline


def _topic_score(hits: list[Hit], sentence_of, evidence: list[Evidence]) -> tuple[float, tuple[str, ...]]:
    terms: dict[str, dict[str, int]] = {}
    weights: dict[str, float] = {}
    incidental: dict[str, bool] = {}
    for hit in hits:
        if hit.kind != "topic":
            continue
        sentence = sentence_of(hit.start)
        if sentence not in incidental:
            incidental[sentence] = signals.is_incidental(sentence)
        if incidental[sentence]:
            continue  # "KI" in a portal name or a ministry unit is no topic evidence
        found = terms.setdefault(hit.label, {})
        if hit.term.lower() not in found:
            evidence.append(Evidence("topic", hit.label, hit.term, sentence, hit.weight))
        found[hit.term.lower()] = found.get(hit.term.lower(), 0) + 1
        weights[hit.label] = hit.weight
    remaining = 1.0
    for label, found in terms.items():
        repeats = sum(found.values()) - len(found)
        effective = len(found) + min(2, repeats) * 0.5
        strength = _STRENGTH[min(4, int(effective))] + (effective % 1) * 0.1
        remaining *= 1 - min(1.0, weights[label] * strength)
    return 1 - remaining, tuple(terms)
