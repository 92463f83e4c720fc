"""Relevance on texts the model has not seen: seeded cross-validation over the corpus train split.

The shipped relevance model has seen every train record. This script runs the check ``classifier.train.fit``
uses to choose its settings, at the shipped model's settings (C, named-feature scale, untrusted gates):
stratified 5-fold cross-validation, ten times repeated from seed 0. The team's seed sentences train in every
fold but are never scored. Each held-out score is averaged over the repeats and multiplied by the gates the
product applies. It prints precision, recall and F1 per corpus slice and each wrong record. With ``--write``
it writes the "## Relevance cross-validated on the corpus train split" section of BENCHMARKS.md.

    .venv/bin/python bench/cv_relevance.py [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from classifier import train  # noqa: E402
from classifier.model import SHIPPED, load_model  # noqa: E402
from classifier.relevance import gates  # noqa: E402
from foerderradar.configuration import load_config  # noqa: E402

SECTION = "## Relevance cross-validated on the corpus train split"


def held_out_scores(rows: list[train.Row], c: float, scale: float, untrusted: list[str]) -> list[float]:
    """Each row's out-of-fold probability (mean over the repeats, as ``train.fit`` judges) times its gates."""
    labels = [y for _, y, _ in rows]
    frequent = train._frequent_words(rows)
    names = sorted({n for r, _, _ in rows for n in r if not n.startswith("word:") or n in frequent})
    x = train._matrix(rows, names, scale)
    repeats = train.held_out(x, labels, [w for *_, w in rows], c)
    out = []
    for (values, _, _), column in zip(rows, zip(*repeats, strict=True), strict=True):
        p = sum(column) / len(column)
        for _, factor in gates(values, untrusted):
            p *= factor
        out.append(p)
    return out


def figures(pairs: list[tuple[float, bool]]) -> str:
    tp = sum(p >= 0.5 and y for p, y in pairs)
    fp = sum(p >= 0.5 and not y for p, y in pairs)
    fn = sum(p < 0.5 and y for p, y in pairs)
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return f"| {len(pairs)} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {fp} | {fn} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not train.CORPUS.is_dir():
        sys.exit(f"no corpus at {train.CORPUS}")
    shipped = load_model(SHIPPED)
    c, scale = float(shipped.meta["C"]), float(shipped.meta["named_scale"])
    untrusted = list(shipped.meta.get("untrusted_gates") or [])
    slice_of = {}
    for name in train.CORPUS_FILES:
        for line in (train.CORPUS / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                slice_of[json.loads(line)["id"]] = name.removesuffix(".jsonl")
    records = train.corpus_records(train.CORPUS)
    rows = train.feature_rows(load_config(ROOT / "config"), records + train.load_seed())
    scores = held_out_scores(rows, c, scale, untrusted)[: len(records)]  # the seed rows are not scored
    table = ["| slice | docs | P | R | F1 | false alarms | misses |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name in (*(n.removesuffix(".jsonl") for n in train.CORPUS_FILES), "all"):
        pairs = [
            (p, bool(r["relevant"]))
            for p, r in zip(scores, records, strict=True)
            if name == "all" or slice_of[r["id"]] == name
        ]
        table.append(f"| {name} " + figures(pairs))
    wrong = [
        f"- {'miss' if r['relevant'] else 'false alarm'} {p:.2f} `{r['id']}`"
        for p, r in sorted(zip(scores, records, strict=True), key=lambda t: (slice_of[t[1]["id"]], t[0]))
        if (p >= 0.5) != r["relevant"]
    ]
    text = (
        f"{SECTION}\n\n`bench/cv_relevance.py`: stratified {train.FOLDS}-fold cross-validation, "
        f"{train.REPEATS} repeats, over the corpus train split at the shipped model's settings "
        f"(C {c}, named-feature scale {scale}, untrusted gates {untrusted or 'none'}); the team's seed "
        "sentences train but are not scored; scores are the gated decision the product makes. This is the "
        "relevance figure for texts the model has not seen.\n\n" + "\n".join(table) + "\n"
    )
    print(text + "\n" + "\n".join(wrong))
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
