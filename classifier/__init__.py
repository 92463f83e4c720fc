"""The classifier stage: deadlines, rolling, status and relevance of funding calls with a spaCy pipeline."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from classifier.facts import call_facts
from classifier.model import SHIPPED, ModelError, RelevanceModel, load_model
from classifier.pipeline import build_pipeline, prepare
from classifier.status import closes_call, status_at
from classifier.text import TextError, cap_text, check_text, clean_text, detect_language
from foerderradar.configuration import Config
from foerderradar.models import Call, Classification, Evidence

BATCH = 128
# The per-document budget: no pattern ever sees more input than this. Four times the longest real call
# text in the corpus (273,000 characters); a longer input is classified from its head and the windows
# around deadline words (cap_text), and the verdict says so in a "budget" evidence note.
MAX_INPUT_CHARS = 1_000_000
MODEL_DIR = "model"
MODEL_FILE = "relevance.json"

__all__ = ["Classifier", "ModelError", "model_dir", "model_path", "rules_version"]


def model_dir(config: Config) -> Path:
    """Where ``foerderradar train`` stores the relevance model: beside the database."""
    return config.database_path.parent / MODEL_DIR


def model_path(config: Config) -> Path:
    """The relevance model a classifier uses: the one ``foerderradar train`` wrote, else the shipped one."""
    trained = model_dir(config) / MODEL_FILE
    return trained if trained.exists() else SHIPPED


def rules_version() -> str:
    """Hash of the classifier's own rule code and deadline weights, so a changed rule or a retrained
    deadline model re-tags every call."""
    digest = hashlib.sha256()
    for path in [
        *sorted(Path(__file__).parent.glob("*.py")),
        Path(__file__).with_name("deadline_model.json"),
    ]:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@dataclass
class _Prepared:
    index: int
    call: Call
    language: str
    text: str
    published: date | None
    error: str | None = None
    note: str | None = None


class Classifier:
    """Loads once, then classifies calls in batches with ``nlp.pipe``."""

    def __init__(self, config: Config, model: RelevanceModel | None = None) -> None:
        topics = [t.model_dump() for t in config.keywords.topics]
        exclusions = [e.model_dump() for e in config.keywords.exclusions]
        self.config = config
        self.threshold = config.settings.review.relevance_threshold
        self.pipelines = {lang: build_pipeline(lang, topics, exclusions) for lang in ("de", "en")}
        for nlp in self.pipelines.values():
            nlp.get_pipe("foerderradar_relevance").model = model  # type: ignore[attr-defined]
        self.model = model
        self.config_version = config.keywords_version  # a hash of the keywords: compute it once
        base = f"rules-{rules_version()}"
        self.model_version = f"{base}+{model.version}" if model else base

    @classmethod
    def load(cls, config: Config) -> Classifier:
        """The pipelines from config plus the relevance model; ``ModelError`` naming the file when it is
        missing or stale."""
        return cls(config, load_model(model_path(config)))

    # --- classification ----------------------------------------------------------------

    def classify_many(self, calls: list[Call], today: date, explain: bool = True) -> Iterator[Classification]:
        """One Classification per call, in the same order; a broken text gets an "error" verdict.
        ``explain=False`` (``tag``, which prints no evidence): the relevance evidence is only the topic terms."""
        for start in range(0, len(calls), BATCH):
            batch = [self._prepare(i, call) for i, call in enumerate(calls[start : start + BATCH])]
            yield from self._run(batch, today, explain)

    def _prepare(self, index: int, call: Call) -> _Prepared:
        published = _parse_day(call.published)
        raw = f"{call.title or ''}\n\n{call.text or ''}"
        note = None
        if len(raw) > MAX_INPUT_CHARS:
            note = (
                f"text over the budget: {len(raw):,} characters, classified from the first part and "
                f"the passages around deadline words ({MAX_INPUT_CHARS:,} characters)"
            )
            raw = cap_text(raw, MAX_INPUT_CHARS)
        try:
            check_text(raw)
        except TextError as exc:
            return _Prepared(index, call, call.language or "de", "", published, str(exc))
        text = cap_text(clean_text(raw))
        language = call.language if call.language in ("de", "en") else detect_language(text)
        return _Prepared(index, call, language, text, published, note=note)

    def _run(self, batch: list[_Prepared], today: date, explain: bool) -> Iterator[Classification]:
        results: dict[int, Classification] = {}
        for lang, nlp in self.pipelines.items():
            items = [p for p in batch if p.language == lang]
            docs = (
                prepare(nlp, p.text, p.published, today, p.call.title or "", p.call.fields, explain)
                for p in items
            )
            for item, doc in zip(items, nlp.pipe(docs), strict=True):
                results[item.index] = self._verdict(item, doc, today)
        for item in batch:
            yield results[item.index]

    def relevance_features(self, calls: list[Call]) -> list[dict[str, float]]:
        """The relevance features of every call, in order ({} for an unreadable text): what training fits."""
        rows: list[dict[str, float]] = []
        for start in range(0, len(calls), BATCH):
            batch = [self._prepare(i, call) for i, call in enumerate(calls[start : start + BATCH])]
            found: dict[int, dict[str, float]] = {}
            for lang, nlp in self.pipelines.items():
                items = [p for p in batch if p.language == lang and not p.error]
                docs = (
                    prepare(nlp, p.text, p.published, None, p.call.title or "", p.call.fields) for p in items
                )
                for item, doc in zip(items, nlp.pipe(docs), strict=True):
                    relevance = doc._.fr_relevance
                    found[item.index] = (
                        relevance.features if relevance and not doc.user_data.get("error") else {}
                    )
            rows += [found.get(p.index, {}) for p in batch]
        return rows

    def _verdict(self, item: _Prepared, doc: Any, today: date) -> Classification:
        error = item.error or doc.user_data.get("error")
        result, relevance = doc._.fr_deadlines, doc._.fr_relevance
        if error or result is None or relevance is None:
            return self._failed(item, error or "no result")
        next_deadline, status = status_at(
            result.deadlines,
            result.openings,
            result.rolling,
            closes_call(result.closed, result.closed_early, result.deadlines, today),
            today,
        )
        return Classification(
            call_id=item.call.id,
            language=item.language,
            relevant=relevance.score >= self.threshold and not item.error,
            score=relevance.score,
            topics=relevance.topics,
            deadlines=result.deadlines,
            rolling=result.rolling,
            next_deadline=next_deadline,
            status=status,
            evidence=relevance.evidence + _budget_note(item),
            model_version=self.model_version,
            config_version=self.config_version,
            facts=call_facts(item.text, item.call.fields, item.language, doc._.fr_sentences),
        )

    def _failed(self, item: _Prepared, error: str) -> Classification:
        """The verdict for a document that could not be read: not relevant, no deadlines, the reason."""
        return Classification(
            call_id=item.call.id,
            language=item.language,
            relevant=False,
            score=0.0,
            topics=(),
            deadlines=(),
            rolling=False,
            next_deadline=None,
            status="unknown",
            evidence=(Evidence("error", "unreadable", "", error, 0.0), *_budget_note(item)),
            model_version=self.model_version,
            config_version=self.config_version,
        )

    # --- the tag contract ----------------------------------------------------------------

    def tag_lines(self, lines: Iterable[str], today: date | None) -> Iterator[dict[str, Any]]:
        """spec/classifier.md §3: one JSON object per input line, in order; bad lines get an error."""
        current = date.today()  # the edge: the only place the classifier reads the clock
        pending: list[_Line] = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            pending.append(_parse_line(number, line, today, current))
            if len(pending) >= BATCH:
                yield from self._tag_batch(pending)
                pending = []
        if pending:
            yield from self._tag_batch(pending)

    def _tag_batch(self, pending: list[_Line]) -> Iterator[dict[str, Any]]:
        by_day: dict[date, list[Call]] = {}
        for _, _, call, day, _ in pending:
            if call is not None:
                by_day.setdefault(day, []).append(call)
        verdicts: dict[int, Classification] = {}
        for day, calls in by_day.items():
            for call, verdict in zip(calls, self.classify_many(calls, day, explain=False), strict=True):
                verdicts[id(call)] = verdict
        for _, error, call, _, ident in pending:
            if call is None:
                yield error or {"id": ident, "error": "unreadable line"}
                continue
            verdict = verdicts[id(call)]
            failure = next((e.sentence for e in verdict.evidence if e.signal == "error"), None)
            yield {"id": ident, "error": failure} if failure else {**verdict.as_tag_json(), "id": ident}


def _budget_note(item: _Prepared) -> tuple[Evidence, ...]:
    return (Evidence("budget", "capped", "", item.note, 0.0),) if item.note else ()


def _parse_day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_Line = tuple[int, "dict[str, Any] | None", "Call | None", date, Any]  # number, error, call, day, id


def _parse_line(number: int, line: str, today: date | None, current: date) -> _Line:
    """One input line as a Call and its reference date, or the error object to print for it."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, ValueError) as exc:
        ident = _readable_id(line)
        return number, {"id": ident, "error": f"line {number}: not valid JSON ({exc})"}, None, current, ident
    if not isinstance(record, dict):
        return number, {"id": None, "error": f"line {number}: expected a JSON object"}, None, current, None
    ident = record.get("id")
    found = _SURROGATE.search(json.dumps(record, ensure_ascii=False))
    if found:  # "\ud800" is valid JSON but not Unicode: spaCy and the UTF-8 output would fail on it
        shown = _SURROGATE.sub("\ufffd", ident) if isinstance(ident, str) else ident
        error = f"line {number}: holds a lone surrogate (\\u{ord(found.group()):04x}), not valid Unicode text"
        return number, {"id": shown, "error": error}, None, current, shown
    title, text = record.get("title") or "", record.get("text")
    if not isinstance(text, str) or not isinstance(title, str):
        problem = {"id": ident, "error": f"line {number}: 'text' must be a string"}
        return number, problem, None, current, ident
    published = _parse_day(record.get("published"))
    language = record.get("language") if record.get("language") in ("de", "en") else None
    call = Call(
        id=str(ident) if ident is not None else f"line-{number}",
        source_id="tag",
        url=record.get("url") or "",
        title=title,
        text=text,
        published=published.isoformat() if published else None,
        language=language,
    )
    return number, None, call, today or published or current, ident


_SURROGATE = re.compile("[\ud800-\udfff]")


def _readable_id(line: str) -> Any:
    """The "id" of a broken JSON line when it can still be read, so the error can name the document."""
    match = re.search(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)', line)
    if not match:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return None
