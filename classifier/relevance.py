"""Relevance of a call to the network: the trained model's probability over the named features, with its evidence (pure).

How the score is made (also in README.md, "Classifier"):

1. ``classifier.sections`` reads the headings of the text and gives every position a role (head, purpose,
   applicants, procedure, funding, legal, body).
2. ``classifier.features`` turns the text into named features in [0, 1]: keywords.yaml topic evidence by
   place (title/head/purpose/applicants as ``@key``, other sections as ``@body``, legal boilerplate not at
   all), who may apply, funding and innovation words, the not-funding document types, "the text says it is
   closed", excluded applicants or fields, keywords.yaml exclusions, and the fields a source states.
3. ``classifier.model`` weighs them with a logistic regression trained on labelled real calls
   (``foerderradar train``); its probability is the score.

The evidence names the matched topic terms with their sentences and the features that pushed the decision
most, with their contribution to the log-odds. The call is relevant when the score reaches
``review.relevance_threshold``. Nothing here reads the reference date.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifier.features import Hit, Inputs, features, topic_hits
from classifier.model import RelevanceModel
from foerderradar.models import Evidence

__all__ = ["Hit", "Relevance", "score_call"]


@dataclass(frozen=True)
class Relevance:
    score: float
    topics: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    features: dict[str, float]


def score_call(inputs: Inputs, model: RelevanceModel | None, explain: bool = True) -> Relevance:
    """The features of one call and, when a model is given, its score and evidence (see the module docstring).
    ``explain=False``: the evidence is the topic terms only, without the model's and the gates' lines."""
    values = features(inputs, model.vocabulary if model is not None else None)
    evidence = _topic_evidence(inputs)
    topics = tuple(dict.fromkeys(e.label for e in evidence))
    if model is None:
        return Relevance(0.0, topics, tuple(evidence), values)
    named = {name: value for name, value in values.items() if not name.startswith("word:")}
    score = model.probability(values)  # a feature the model does not weigh adds nothing
    opened = gates(named, model.meta.get("untrusted_gates") or [])
    for _, factor in opened:
        score *= factor
    if explain:
        weighed = {name: value for name, value in values.items() if name in model.weights}
        evidence += _signal_evidence(named, model)
        for name, contribution in model.strongest(weighed):
            evidence.append(Evidence("model", name, _term_of(name, evidence), "", round(contribution, 3)))
        evidence += [Evidence("gate", name, "", "", round(factor - 1, 3)) for name, factor in opened]
    return Relevance(score, topics, tuple(evidence), values)


# The spec's necessary conditions (rule 1: public funding; rule 3: an IT SME or institute can apply; rule 4:
# not closed by the text) gate the learned score: a linear model adds evidence up, but a job ad full of AI
# words is still no funding call. Training drops a gate whose detector misfires on real texts.
GATES = (
    ("type:", 0.2),
    ("closed:final", 0.2),
    ("signal:restricted_applicants", 0.3),
    ("signal:ai_excluded", 0.3),
    ("signal:field_excluded", 0.6),
)


def gates(values: dict[str, float], untrusted: list[str] | tuple[str, ...] = ()) -> list[tuple[str, float]]:
    """The gates a call's features open: (feature, factor), the not-funding types counting once. Gate
    features that training found misfiring (``classifier.train.untrusted_gates``) do not count."""
    found = []
    for prefix, factor in GATES:
        names = sorted(n for n in values if n.startswith(prefix) and values[n] and n not in untrusted)
        if names:
            found.append((names[0], factor))
    return found


def _topic_evidence(inputs: Inputs) -> list[Evidence]:
    """One evidence line per distinct topic term that counted, with the sentence it stands in."""
    counted = topic_hits(inputs).terms
    terms = {(label, term) for place in counted.values() for label, found in place.items() for term in found}
    evidence, seen = [], set()
    for hit in inputs.hits:
        key = (hit.label, hit.term.lower())
        if hit.kind == "topic" and key in terms and key not in seen:
            if inputs.sections.role_at(hit.start) == "legal":
                continue
            seen.add(key)
            evidence.append(Evidence("topic", hit.label, hit.term, inputs.sentence_of(hit.start), hit.weight))
    return evidence


def _signal_name(feature: str) -> tuple[str, str] | None:
    """The (signal, label) a review reader knows for a feature: not_funding:job, signal:closed, exclusion:lehre …"""
    kind, _, rest = feature.partition(":")
    if kind == "type":
        return "not_funding", rest
    if kind in ("signal", "exclusion"):
        return kind, rest
    return _SIGNALS.get(feature)


_SIGNALS = {
    "closed:final": ("signal", "closed"),
    "closed:early": ("signal", "closed"),
    "closed:later": ("signal", "closed"),
    "funding:key": ("signal", "funding"),
    "applicants:companies": ("signal", "applicant"),
    "applicants:research": ("signal", "applicant"),
    "innovation:key": ("signal", "innovation"),
    "innovation:any": ("signal", "innovation"),
}


def _signal_evidence(values: dict[str, float], model: RelevanceModel) -> list[Evidence]:
    """One evidence line per signal the text shows, with the model's weight of it (log-odds)."""
    lines: dict[tuple[str, str], float] = {}
    for name, value in sorted(values.items()):
        known = _signal_name(name)
        if known and value:
            lines[known] = lines.get(known, 0.0) + model.weights.get(name, 0.0) * value
    return [Evidence(signal, label, "", "", round(weight, 3)) for (signal, label), weight in lines.items()]


def _term_of(name: str, evidence: list[Evidence]) -> str:
    """For a topic feature, the first matched term of that topic, so the evidence line reads on its own."""
    if name.startswith("topic:"):
        label = name[6:].split("@")[0]
        return next((e.term for e in evidence if e.label == label), "")
    return ""
