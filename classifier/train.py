"""Trains the relevance text classifier (spaCy ``textcat``, bag of words) from review decisions and the seed set."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path
from typing import Any

from classifier import TEXTCAT_DIR, model_dir
from classifier.text import clean_text
from foerderradar.configuration import Config
from foerderradar.store import Store

SEED_FILE = Path(__file__).with_name("seed.jsonl")
EPOCHS = 12
MAX_CHARS = 20_000


class TrainingError(Exception):
    """There is not enough labelled data to train on."""


def load_seed(path: Path | None = None) -> list[dict[str, Any]]:
    """The seed examples shipped with the classifier: title, text, language, relevant."""
    path = path or SEED_FILE
    if not path.is_file():
        return []
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if isinstance(record.get("relevant"), bool):
                examples.append(record)
    return examples


def examples_from(config: Config, store: Store) -> list[tuple[str, bool]]:
    """(text, relevant) pairs: the coordinator's decisions (accept → relevant) plus the seed set."""
    pairs = [(_text(r), r["decision"] == "accept") for r in store.training_examples()]
    pairs += [(_text(r), bool(r["relevant"])) for r in load_seed()]
    return pairs


def train_model(config: Config, store: Store, seed: int = 0) -> str:
    """Train, save under the model folder with a new version, and say what was done in one line."""
    pairs = examples_from(config, store)
    labels = {relevant for _, relevant in pairs}
    if len(pairs) < 4 or len(labels) < 2:
        raise TrainingError(f"need relevant and not relevant examples to train; have {len(pairs)}")
    nlp = _train(pairs, seed)
    version = (
        "textcat-"
        + hashlib.sha256(json.dumps(sorted(pairs), ensure_ascii=False).encode("utf-8")).hexdigest()[:10]
    )
    nlp.meta["foerderradar_version"] = version
    nlp.meta["foerderradar_examples"] = len(pairs)
    _save(nlp, model_dir(config) / TEXTCAT_DIR)
    reviewed = len(store.training_examples())
    relevant = sum(relevant for _, relevant in pairs)
    return (
        f"trained {version} on {len(pairs)} examples ({reviewed} review decisions, "
        f"{len(pairs) - reviewed} seed; {relevant} relevant); the next classify re-tags every call"
    )


def _train(pairs: list[tuple[str, bool]], seed: int) -> Any:
    import spacy
    from spacy.training import Example

    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("de")  # the German tokenizer also splits English well enough for bag-of-words
    textcat = nlp.add_pipe(
        "textcat",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": True,
                "ngram_size": 1,
                "no_output_layer": False,
            }
        },
    )
    textcat.add_label("relevant")
    textcat.add_label("other")
    examples = [
        Example.from_dict(nlp.make_doc(text), {"cats": {"relevant": float(rel), "other": float(not rel)}})
        for text, rel in pairs
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(EPOCHS):
        random.shuffle(examples)
        for start in range(0, len(examples), 8):
            nlp.update(examples[start : start + 8], sgd=optimizer)
    return nlp


def _save(nlp: Any, target: Path) -> None:
    """Write to a fresh folder, then swap it in, so a running classify never reads half a model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(target.name + ".new")
    if fresh.exists():
        shutil.rmtree(fresh)
    nlp.to_disk(fresh)
    if target.exists():
        shutil.rmtree(target)
    fresh.rename(target)


def _text(record: dict[str, Any]) -> str:
    return clean_text(f"{record.get('title') or ''}\n\n{record.get('text') or ''}")[:MAX_CHARS]
