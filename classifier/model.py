"""The trained relevance model: a logistic regression over the named features, loaded from JSON, with its evidence (pure).

The weights come from ``classifier.train`` (scikit-learn's LogisticRegression, fitted on the corpus train
split, the seed set and the coordinator's decisions). Applying them needs no scikit-learn: the probability
is ``1 / (1 + exp(−(b + Σ wᵢ·xᵢ)))``, and every decision can name the features that pushed it most.

A model file is checked when it loads: missing, unreadable, or trained for another ``FEATURES_VERSION``
(the features changed since) is a ``ModelError`` that names the file and says how to rebuild it.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.features import FEATURES_VERSION

SHIPPED = Path(__file__).with_name("relevance_model.json")
EVIDENCE_FEATURES = 4  # how many of the strongest features a decision names


class ModelError(Exception):
    """A trained model file (relevance or deadlines) is missing, unreadable or stale; the message names the file."""


@dataclass(frozen=True)
class RelevanceModel:
    version: str
    weights: dict[str, float]
    bias: float
    meta: dict[str, Any]

    @functools.cached_property
    def vocabulary(self) -> dict[str, str]:
        """The words the model weighs, word → feature name: a text has hundreds of words, most of which
        the model never kept, and only the kept ones are made into features."""
        return {name[5:]: name for name in self.weights if name.startswith("word:")}

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in values.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def strongest(self, values: dict[str, float], count: int = EVIDENCE_FEATURES) -> list[tuple[str, float]]:
        """The features with the largest contributions to this decision, either way, with their contribution."""
        parts = [(name, self.weights.get(name, 0.0) * value) for name, value in values.items()]
        parts = [p for p in parts if abs(p[1]) >= 0.05]
        return sorted(parts, key=lambda p: -abs(p[1]))[:count]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "features_version": FEATURES_VERSION,
            "bias": self.bias,
            "weights": dict(sorted(self.weights.items())),
            **self.meta,
        }


def load_model(path: Path) -> RelevanceModel:
    """The model stored at ``path``; a ``ModelError`` naming the file when it is missing, broken or stale."""
    rebuild = "run `foerderradar train` (or restore the shipped classifier/relevance_model.json)"
    if not path.is_file():
        raise ModelError(f"{path}: relevance model missing; {rebuild}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        bias, version, trained_for = float(data["bias"]), str(data["version"]), int(data["features_version"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path}: not a relevance model ({exc}); {rebuild}") from None
    if trained_for != FEATURES_VERSION:
        raise ModelError(
            f"{path}: relevance model is stale (trained for features v{trained_for}, the code has "
            f"v{FEATURES_VERSION}); {rebuild}"
        )
    meta = {k: v for k, v in data.items() if k not in ("version", "features_version", "bias", "weights")}
    return RelevanceModel(version, weights, bias, meta)


def save_model(model: RelevanceModel, path: Path) -> None:
    """Write to a temporary file, then swap it in, so a running classify never reads half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    fresh.replace(path)
