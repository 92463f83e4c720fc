"""The spaCy pipeline: registered components for topics, deadlines and relevance, built from config.

``build_pipeline(lang, topics, exclusions)`` gives ``spacy.blank(lang)`` plus three components whose
whole configuration (the keywords.yaml terms) is in the pipeline config, so ``nlp.to_disk`` and
``spacy.load`` round-trip it. The logic lives in pure modules (``dates``, ``deadlines``, ``relevance``);
the components only run it on a ``Doc`` and store the result in ``doc._``.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from classifier.deadlines import extract_deadlines
from classifier.relevance import Context, Hit, score_call
from classifier.text import Sentences

for _name in ("fr_hits", "fr_sentences", "fr_deadlines", "fr_relevance"):
    Doc.set_extension(_name, default=None, force=True)

_ENDINGS = ("", "e", "en", "er", "es", "em", "n", "s")
COMPOUND_MIN = 6  # single words at least this long also match as the head of a compound


@Language.factory("foerderradar_topics", default_config={"topics": [], "exclusions": []})
def make_topics(nlp: Language, name: str, topics: list[dict[str, Any]], exclusions: list[dict[str, Any]]) -> TopicMatcher:
    return TopicMatcher(nlp, topics, exclusions)


@Language.factory("foerderradar_deadlines")
def make_deadlines(nlp: Language, name: str) -> Any:
    def deadlines(doc: Doc) -> Doc:
        text = doc.user_data.get("text") or doc.text  # doc.text re-joins every token: read it once
        sentences = Sentences(text)
        doc._.fr_sentences = sentences
        doc._.fr_deadlines = extract_deadlines(text, doc.user_data.get("published"), sentences)
        return doc

    return deadlines


@Language.factory("foerderradar_relevance")
def make_relevance(nlp: Language, name: str) -> Any:
    def relevance(doc: Doc) -> Doc:
        text = doc.user_data.get("text") or doc.text
        sentences = doc._.fr_sentences or Sentences(text)
        result = doc._.fr_deadlines
        textcat = doc.cats.get("relevant") if doc.cats else doc.user_data.get("textcat")
        today = doc.user_data.get("today")
        open_deadline = bool(result and (result.rolling or any(d.date and today and d.date >= today.isoformat() for d in result.deadlines)))
        context = Context(doc.user_data.get("title", ""), textcat, open_deadline, bool(result and result.closed))
        doc._.fr_relevance = score_call(text, doc._.fr_hits or [], sentences.sentence, context)
        return doc

    return relevance


class TopicMatcher:
    """Finds keywords.yaml terms: inflected forms, compounds (``KI-basierte``) and ``*`` prefixes."""

    def __init__(self, nlp: Language, topics: list[dict[str, Any]], exclusions: list[dict[str, Any]]) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.info: dict[str, tuple[str, str, float]] = {}
        self.prefixes: list[tuple[str, str]] = []  # (lower-case prefix, key)
        for kind, entries in (("topic", topics), ("exclusion", exclusions)):
            for entry in entries:
                key = f"{kind}:{entry['id']}"
                self.info[key] = (kind, entry["id"], float(entry.get("weight", 1.0)))
                self._add_terms(nlp, key, entry["terms"])
        self.prefixes.sort(key=lambda p: -len(p[0]))
        alternatives = "|".join(re.escape(p) for p, _ in self.prefixes)
        self.prefix_re = re.compile(rf"(?<![\w-])(?:{alternatives})[\w-]+", re.I) if self.prefixes else None

    def _add_terms(self, nlp: Language, key: str, terms: list[str]) -> None:
        phrases = []
        for term in terms:
            if term.endswith("*"):
                self.prefixes.append((term[:-1].lower(), key))
                continue
            tokens = [t.lower_ for t in nlp.make_doc(term)]
            phrases += [nlp.make_doc(" ".join(v)) for v in _variants(tokens)]
            if len(tokens) == 1:
                self.prefixes.append((tokens[0] + "-", key))
                if len(tokens[0]) >= COMPOUND_MIN and tokens[0].isalpha():
                    self.prefixes.append((tokens[0], key))
        if phrases:
            self.matcher.add(key, phrases)

    def __call__(self, doc: Doc) -> Doc:
        hits = []
        for match_id, start, end in self.matcher(doc):
            kind, label, weight = self.info[doc.vocab.strings[match_id]]
            span = doc[start:end]
            hits.append(Hit(kind, label, span.text, span.start_char, weight))
        if self.prefix_re is not None:
            hits += self._prefix_hits(doc.user_data.get("text") or doc.text)
        doc._.fr_hits = hits
        return doc

    def _prefix_hits(self, text: str) -> list[Hit]:
        hits = []
        for match in self.prefix_re.finditer(text):
            low = match.group().lower()
            for prefix, key in self.prefixes:
                if low.startswith(prefix):
                    kind, label, weight = self.info[key]
                    hits.append(Hit(kind, label, match.group(), match.start(), weight))
                    break
        return hits


def _variants(tokens: list[str]) -> list[tuple[str, ...]]:
    """German inflections of a term: "künstliche Intelligenz" also as "künstlicher Intelligenz"."""
    options = [[t + e for e in _ENDINGS] if t.isalpha() and len(t) >= 4 else [t] for t in tokens]
    if len(tokens) > 2:
        options = [[t] for t in tokens[:-1]] + [options[-1]]
    return list(itertools.product(*options))


def build_pipeline(lang: str, topics: list[dict[str, Any]], exclusions: list[dict[str, Any]]) -> Language:
    """``spacy.blank(lang)`` with the three Förderradar components, configured from keywords.yaml."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("foerderradar_topics", config={"topics": topics, "exclusions": exclusions})
    nlp.add_pipe("foerderradar_deadlines")
    nlp.add_pipe("foerderradar_relevance")
    return nlp


def prepare(
    nlp: Language,
    text: str,
    published: date | None,
    textcat: float | None = None,
    today: date | None = None,
    title: str = "",
) -> Doc:
    """A Doc carrying what the components need besides the text (dates, title, model probability)."""
    doc = nlp.make_doc(text)
    doc.user_data.update(text=text, published=published, today=today, title=title)
    if textcat is not None:
        doc.user_data["textcat"] = textcat
    return doc
