"""The learned role of a date mention: a multinomial logistic regression over sparse feature names.

Inference is a dot product: for each class, the sum of the weights of the mention's features, then a
softmax. The weights live in ``classifier/deadline_model.json`` (written by ``classifier.deadline_train``)
with the version of the feature code they fit and a hash of the data they were trained on; a missing, broken
or stale file is one ``ModelError`` that names it.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.date_features import FEATURES_VERSION
from classifier.model import ModelError  # one error type for every trained file of the classifier

MODEL_PATH = Path(__file__).with_name("deadline_model.json")
FORMAT = "foerderradar-deadline-model"
CLASSES = ("none", "single", "skizze", "antrag", "stichtag", "other")
NONE = 0


@dataclass(frozen=True)
class Decision:
    """What the model says about one date mention."""

    probability: float  # that it is a submission deadline (1 - P(none))
    kind: str  # the most likely deadline kind
    evidence: tuple[tuple[str, float], ...]  # the features that pushed most towards the decision


@dataclass(frozen=True)
class DeadlineModel:
    weights: dict[str, tuple[float, ...]]  # feature name → one weight per class
    threshold: float
    training_data: str  # hash of the training records
    seed: int

    def decide(self, features: list[str], evidence: int = 0) -> Decision:
        """The decision on one mention; when it is a deadline, with the ``evidence`` strongest features."""
        known = [(name, row) for name in features if (row := self.weights.get(name)) is not None]
        # per class, the sum of its weights over the known features (one C-level sum per column)
        scores = (
            [sum(column) for column in zip(*(row for _, row in known), strict=True)]
            if known
            else [0.0] * len(CLASSES)
        )
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        probability = 1.0 - exp[NONE] / total
        best = max(range(1, len(CLASSES)), key=lambda k: scores[k])
        strongest: tuple[tuple[str, float], ...] = ()
        if evidence and probability >= self.threshold:
            push = [(name, row[best] - row[NONE]) for name, row in known]
            push.sort(key=lambda p: -abs(p[1]))
            strongest = tuple((name, round(value, 3)) for name, value in push[:evidence])
        return Decision(probability, CLASSES[best], strongest)

    def is_deadline(self, decision: Decision) -> bool:
        return decision.probability >= self.threshold  # decide's test for naming evidence, too


def model_payload(
    weights: dict[str, list[float]], threshold: float, training_data: str, seed: int, counts: dict[str, Any]
) -> dict[str, Any]:
    """The JSON object ``deadline_train`` writes (and ``parse_model`` reads)."""
    return {
        "format": FORMAT,
        "features_version": FEATURES_VERSION,
        "classes": list(CLASSES),
        "threshold": threshold,
        "training_data": training_data,
        "seed": seed,
        "counts": counts,
        "weights": weights,
    }


def parse_model(payload: Any, path: Path) -> DeadlineModel:
    """The model in ``payload``, or ModelError naming ``path`` when it does not fit this code."""
    retrain = "retrain it with `python -m classifier.deadline_train`"
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelError(f"{path}: not a deadline model file; {retrain}")
    if payload.get("features_version") != FEATURES_VERSION or payload.get("classes") != list(CLASSES):
        raise ModelError(
            f"{path}: stale deadline model (features version {payload.get('features_version')!r}, "
            f"the code needs {FEATURES_VERSION!r}); {retrain}"
        )
    weights = payload.get("weights")
    if not isinstance(weights, dict) or any(
        not isinstance(row, list) or len(row) != len(CLASSES) for row in weights.values()
    ):
        raise ModelError(f"{path}: broken weights in the deadline model; {retrain}")
    return DeadlineModel(
        {name: tuple(float(w) for w in row) for name, row in weights.items()},
        float(payload.get("threshold", 0.5)),
        str(payload.get("training_data", "")),
        int(payload.get("seed", 0)),
    )


def load_model(path: Path | str | None = None) -> DeadlineModel:
    """The weights file (default: the one shipped in the package), checked against this code."""
    return _load(Path(path) if path is not None else MODEL_PATH)


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> DeadlineModel:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"{path}: deadline model missing; train it with `python -m classifier.deadline_train`"
        ) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read the deadline model ({exc})") from None
    return parse_model(payload, path)
