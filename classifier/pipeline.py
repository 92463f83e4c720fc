"""The spaCy pipeline: registered components for topics, deadlines and relevance, built from config.

``build_pipeline(lang, topics, exclusions)`` gives ``spacy.blank(lang)`` plus three components whose
whole configuration (the keywords.yaml terms) is in the pipeline config, so ``nlp.to_disk`` and
``spacy.load`` round-trip it. The logic lives in pure modules (``dates``, ``deadlines``, ``relevance``);
the components only run it on a ``Doc`` and store the result in ``doc._``.
"""

from __future__ import annotations

import functools
import itertools
import re
from datetime import date
from typing import Any

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from classifier.deadline_model import load_model
from classifier.deadlines import extract_deadlines
from classifier.doctypes import document_types
from classifier.features import Hit, Inputs
from classifier.fold import lower
from classifier.model import RelevanceModel
from classifier.relevance import score_call
from classifier.sections import find_sections
from classifier.status import closes_call
from classifier.text import Sentences, trie_pattern
from foerderradar.models import Deadline

for _name in ("fr_hits", "fr_sentences", "fr_types", "fr_deadlines", "fr_relevance"):
    Doc.set_extension(_name, default=None, force=True)


def guarded(component: Any) -> Any:
    """A failure on one document marks that document (``doc.user_data["error"]``), never the batch."""

    @functools.wraps(component)
    def run(*args: Any) -> Doc:
        doc = args[-1]
        if doc.user_data.get("error"):
            return doc
        try:
            return component(*args)
        except Exception as exc:  # noqa: BLE001 — reported per document, the run goes on
            doc.user_data["error"] = f"{type(exc).__name__}: {exc}"[:300]
            return doc

    return run


_ENDINGS = ("", "e", "en", "er", "es", "em", "n", "s")
COMPOUND_MIN = 6  # single words at least this long also match as the head of a compound


@Language.factory("foerderradar_topics", default_config={"topics": [], "exclusions": []})
def make_topics(
    nlp: Language, name: str, topics: list[dict[str, Any]], exclusions: list[dict[str, Any]]
) -> TopicMatcher:
    return TopicMatcher(nlp, topics, exclusions)


@Language.factory("foerderradar_deadlines")
def make_deadlines(nlp: Language, name: str) -> Any:
    model = load_model()  # once per pipeline; a missing or stale weights file fails here, clearly

    @guarded
    def deadlines(doc: Doc) -> Doc:
        text = doc.user_data.get("text") or doc.text  # doc.text re-joins every token: read it once
        sentences = Sentences(text)
        types = document_types(doc.user_data.get("title", ""), text)
        doc._.fr_sentences, doc._.fr_types = sentences, types
        doc._.fr_deadlines = extract_deadlines(text, doc.user_data.get("published"), sentences, types, model)
        return doc

    return deadlines


# Relevance must not depend on the reference date: a closed statement counts when it is a stop, a
# cancellation or stands in the head, as if a later deadline were still named (``closes_call``'s rule).
_LATER = (Deadline("9999-12-31", None, None, "single", ""),)


@Language.factory("foerderradar_relevance")
def make_relevance(nlp: Language, name: str) -> RelevanceComponent:
    return RelevanceComponent(nlp.lang or "de")


class RelevanceComponent:
    """Features of the call and, once ``model`` is set (``Classifier.load``), the trained model's decision."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.model: RelevanceModel | None = None

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        text = doc.user_data.get("text") or doc.text
        sentences = doc._.fr_sentences or Sentences(text)
        result = doc._.fr_deadlines
        closed = result.closed if result else ""
        inputs = Inputs(
            text=text,
            title=doc.user_data.get("title", ""),
            hits=doc._.fr_hits or [],
            sections=find_sections(text),
            sentence_of=sentences.sentence,
            types=doc._.fr_types if doc._.fr_types is not None else document_types("", text),
            closed=closed,
            closed_final=bool(closed)
            and (result.closed_alone or closes_call(closed, result.closed_early, _LATER, date.min)),
            closed_early=bool(result and result.closed_early),
            language=self.lang,
            dated_deadline=bool(result and any(d.date and d.kind != "other" for d in result.deadlines)),
            rolling=bool(result and result.rolling),
            deadline_named=bool(result and any(d.kind != "other" for d in result.deadlines)),
            source_fields=doc.user_data.get("fields") or {},
        )
        doc._.fr_relevance = score_call(inputs, self.model, doc.user_data.get("explain", True))
        return doc

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None  # the model is a file of its own (classifier.model), loaded by the Classifier

    def from_disk(self, path: Any, **kwargs: Any) -> RelevanceComponent:
        return self


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
        # the trie tries the longer prefix first and gives up a character only for the one [\w-] it needs
        # after it: the group is the longest prefix the word has; a prefix of two terms is the first's
        self.prefix_key: dict[str, str] = {}
        for prefix, key in self.prefixes:
            self.prefix_key.setdefault(prefix, key)
        pattern = trie_pattern(list(self.prefix_key))
        self.prefix_re = re.compile(rf"\b({pattern})[\w-]+") if self.prefixes else None  # on lower-cased text

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

    @guarded
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
        hits: list[Hit] = []
        if self.prefix_re is None:
            return hits
        lowered = lower(text)  # offsets as in the text
        for match in self.prefix_re.finditer(lowered):
            if match.start() and text[match.start() - 1] == "-":
                continue  # the tail of a compound, not its head
            kind, label, weight = self.info[self.prefix_key[match.group(1)]]
            hits.append(Hit(kind, label, text[match.start() : match.end()], match.start(), weight))
        return hits


def _variants(tokens: list[str]) -> list[tuple[str, ...]]:
    """German inflections of a term: "künstliche Intelligenz" also as "künstlicher Intelligenz"."""
    options = [[t + e for e in _ENDINGS] if t.isalpha() and len(t) >= 4 else [t] for t in tokens]
    if len(tokens) > 2:
        options = [[t] for t in tokens[:-1]] + [options[-1]]
    return list(itertools.product(*options))


# Words, hyphenated compounds ("KI-basierte") and single punctuation marks, by spaCy's own (Cython, cached)
# tokenizer with three affix rules in place of a language's hundreds: every punctuation mark is its own
# token, a hyphen or apostrophe only between word characters stays inside the word. Enough for term
# matching, and ``doc.text`` is the input exactly, so character offsets agree with the pure modules.
PUNCT_PREFIX = r"^[^\w\s]"
PUNCT_SUFFIX = r"[^\w\s]$"
PUNCT_INFIX = r"[^\w\s\-'’]|(?<!\w)[-'’]|[-'’](?!\w)"
# The tokenizer keeps the tokens of each whitespace-separated chunk it has split, up to this many chunks.
# Past spaCy's default of 10,000 (a few dozen guidelines) every chunk not kept is split again by the three
# affix patterns, about five times the cost of a kept one. The whole labelled corpus (251 texts) has about
# 53,000 distinct chunks, which take 12 MB kept: the cache grows to about 23 MB at most.
TOKEN_CACHE = 100_000


@spacy.registry.tokenizers("foerderradar.tokenizer.v2")
def create_tokenizer() -> Any:
    def make(nlp: Language) -> Tokenizer:
        # Term matching reads LOWER only; the language's other lexeme attributes (shape, like_url,
        # like_num, …) cost half the Doc's build on a text full of words not seen before.
        nlp.vocab.lex_attr_getters = {LOWER: nlp.vocab.lex_attr_getters[LOWER]}  # type: ignore[attr-defined]
        return Tokenizer(
            nlp.vocab,
            rules={},
            prefix_search=re.compile(PUNCT_PREFIX).search,
            suffix_search=re.compile(PUNCT_SUFFIX).search,
            infix_finditer=re.compile(PUNCT_INFIX).finditer,
            max_cache_size=TOKEN_CACHE,
        )

    return make


def build_pipeline(lang: str, topics: list[dict[str, Any]], exclusions: list[dict[str, Any]]) -> Language:
    """``spacy.blank(lang)`` with the punctuation tokenizer and the three Förderradar components."""
    nlp = spacy.blank(lang, config={"nlp": {"tokenizer": {"@tokenizers": "foerderradar.tokenizer.v2"}}})
    nlp.add_pipe("foerderradar_topics", config={"topics": topics, "exclusions": exclusions})
    nlp.add_pipe("foerderradar_deadlines")
    nlp.add_pipe("foerderradar_relevance")
    return nlp


def prepare(
    nlp: Language,
    text: str,
    published: date | None,
    today: date | None = None,
    title: str = "",
    fields: dict[str, str] | None = None,
    explain: bool = True,
) -> Doc:
    """A Doc carrying what the components need besides the text (dates, title, source fields, whether the
    decisions must name their evidence)."""
    doc = nlp.make_doc(text)
    doc.user_data.update(
        text=text, published=published, today=today, title=title, fields=fields or {}, explain=explain
    )
    return doc
