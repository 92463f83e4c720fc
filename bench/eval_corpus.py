"""Deadline figures of the classifier on the labelled corpus (../shared/corpus, ``split: dev``), per slice.

Runs the real CLI once (``foerderradar tag --input DEV.jsonl``, the records without their gold fields) and
scores each slice (whole-de, beginnings, whole-en) and each language as spec/classifier.md §3 does: deadline
date precision and recall (a predicted date counts when the gold list holds the same date; a year-less
``null`` counts against a gold ``null``), false deadlines (share of documents without any gold deadline that
got one) and rolling accuracy. Writes the "## Classifier on the corpus (deadlines)" section of BENCHMARKS.md.

    .venv/bin/python bench/eval_corpus.py [--split dev] [--errors] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from report import write_section  # noqa: E402 (bench/ is the script's folder)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SLICES = ("whole-de", "beginnings", "whole-en")
INPUT_FIELDS = ("id", "title", "text", "url", "published", "language")
SECTION = "## Classifier on the corpus (deadlines)"


def load(split: str) -> list[dict]:
    records = []
    for name in SLICES:
        for line in (CORPUS / f"{name}.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            if record.get("split") == split:
                records.append({**record, "slice": name})
    return records


def tag(records: list[dict]) -> list[dict]:
    """The real CLI on the records' input fields; one output object per record, in order."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps({k: record.get(k) for k in INPUT_FIELDS}, ensure_ascii=False) + "\n")
    try:
        command = [str(ROOT / ".venv" / "bin" / "foerderradar"), "tag", "--input", handle.name]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    finally:
        os.unlink(handle.name)
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def dates(record: dict) -> list[str]:
    return sorted(d.get("date") or "null" for d in record.get("deadlines") or [])


def score(pairs: list[tuple[dict, dict]]) -> dict:
    c: Counter[str] = Counter()
    for gold, predicted in pairs:
        g, p = dates(gold), dates(predicted)
        c["predicted"] += len(p)
        c["hits"] += sum(d in g for d in p)
        c["gold"] += len(g)
        c["found"] += sum(d in p for d in g)
        c["no_gold"] += not g
        c["false"] += not g and bool(p)
        if gold.get("rolling") is not None:
            c["rolling_n"] += 1
            c["rolling_ok"] += bool(predicted.get("rolling")) == bool(gold["rolling"])
    return {
        "docs": len(pairs),
        "precision": c["hits"] / c["predicted"] if c["predicted"] else 1.0,
        "recall": c["found"] / c["gold"] if c["gold"] else 1.0,
        "false": c["false"] / c["no_gold"] if c["no_gold"] else 0.0,
        "false_n": f"{c['false']}/{c['no_gold']}",
        "rolling": c["rolling_ok"] / c["rolling_n"] if c["rolling_n"] else 1.0,
        "counts": f"{c['hits']}/{c['predicted']} · {c['found']}/{c['gold']}",
    }


def table(records: list[dict], predicted: list[dict]) -> list[str]:
    pairs = list(zip(records, predicted, strict=True))
    groups = [(name, [p for p in pairs if p[0]["slice"] == name]) for name in SLICES]
    groups += [(f"language {lang}", [p for p in pairs if p[0]["language"] == lang]) for lang in ("de", "en")]
    groups.append(("all", pairs))
    lines = [
        "| slice | docs | date P | date R | hits/pred · found/gold | false deadlines | rolling acc. |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for name, group in groups:
        s = score(group)
        lines.append(
            f"| {name} | {s['docs']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['counts']} | "
            f"{s['false']:.1%} ({s['false_n']}) | {s['rolling']:.1%} |"
        )
    return lines


def errors(records: list[dict], predicted: list[dict]) -> list[str]:
    out = []
    for gold, p in zip(records, predicted, strict=True):
        g, q = dates(gold), dates(p)
        if set(g) != set(q) or bool(p.get("rolling")) != bool(gold.get("rolling")):
            missed = sorted(set(g) - set(q))
            extra = sorted(set(q) - set(g))
            rolling = (
                "" if bool(p.get("rolling")) == bool(gold.get("rolling")) else f" rolling={p.get('rolling')}"
            )
            out.append(f"{gold['slice']:10} {gold['id']}: missed {missed} extra {extra}{rolling}")
    return out


def whole_text_speed() -> tuple[int, float, int]:
    """``tag`` in this process (pipeline load excluded) on every whole Förderdatenbank page of the corpus
    (train and dev; most are 30k–60k characters): documents, CPU docs/s on one core, median characters."""
    sys.path.insert(0, str(ROOT))
    from classifier import Classifier
    from foerderradar.configuration import load_config

    classifier = Classifier(load_config(ROOT / "config"))
    records = [json.loads(line) for line in (CORPUS / "whole-de.jsonl").open(encoding="utf-8")]
    lines = [json.dumps({k: r.get(k) for k in INPUT_FIELDS}, ensure_ascii=False) for r in records]
    list(classifier.tag_lines(lines[:2], None))  # warm up
    started = time.process_time()
    list(classifier.tag_lines(lines, None))
    rate = len(lines) / (time.process_time() - started)
    sizes = sorted(len(r["text"]) for r in records)
    return len(lines), rate, sizes[len(sizes) // 2]


def record(lines: list[str]) -> None:
    """This script's section of BENCHMARKS.md."""
    write_section(f"{SECTION}\n\n" + "\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--errors", action="store_true", help="list every document whose dates differ")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found: {CORPUS}")
    records = load(args.split)
    predicted = tag(records)
    lines = table(records, predicted)
    docs, rate, median = whole_text_speed()
    lines += [
        "",
        f"Speed on whole guidelines: `tag` on all {docs} whole Förderdatenbank pages (median {median:,} "
        f"characters, capped at 60,000 before any pattern runs): {rate:.0f} docs/s CPU time on one core "
        "(pipeline load excluded).",
    ]
    print("\n".join(lines))
    if args.errors:
        print("\n".join(errors(records, predicted)))
    if not args.no_write:
        load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        intro = [
            f"`bench/eval_corpus.py` on `split: {args.split}` of ../shared/corpus after training on `train` "
            f"only; `foerderradar tag` without `--today` (Python {platform.python_version()}, load {load_avg}).",
            "Dates count as spec §3 scores them; a year-less cut-off counts as `null`.",
            "",
        ]
        record(intro + lines)


if __name__ == "__main__":
    main()
