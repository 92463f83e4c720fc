"""Deadlines on texts the model has not seen: seeded cross-validation over the corpus train split.

The shipped deadline model has seen every train record, so its figures there say little about new texts.
This script splits the train records into FOLDS parts by record. For each part it trains the model
(``deadline_train.fit``) on the other parts plus the team's gold set, and reads the held-out records with
the rules and that model (``deadlines.extract_deadlines``). It scores them as ``foerderradar eval`` does:
date precision and recall (a year-less ``null`` counts against a gold ``null``) and false deadlines, in all
and per slice (whole texts and page beginnings, German and English: the issue's targets hold for each). It
prints each wrong record with its slice, what was expected and what came out. With ``--write`` it writes the
"## Deadlines cross-validated on the corpus train split" section of BENCHMARKS.md.

    .venv/bin/python bench/cv_deadlines.py [--seeds 0 1] [--write]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from classifier import deadline_train  # noqa: E402
from classifier.deadline_model import DeadlineModel  # noqa: E402
from classifier.deadlines import extract_deadlines  # noqa: E402
from classifier.doctypes import document_types  # noqa: E402
from classifier.evaluate import date_list  # noqa: E402

FOLDS = 4
SECTION = "## Deadlines cross-validated on the corpus train split"


COUNTS = ("predicted", "hits", "gold", "found", "no_gold", "false")


def slice_of() -> dict[str, str]:
    """Each corpus record's slice and language, "whole-de/de", "beginnings/en", …"""
    found = {}
    for name in deadline_train.SLICES:
        for line in (deadline_train.CORPUS / name).open(encoding="utf-8"):
            record = json.loads(line)
            found[record["id"]] = f"{name.split('.')[0]}/{record.get('language') or '?'}"
    return found


def cross_validate(seed: int) -> tuple[dict[str, dict[str, int]], list[tuple[str, list[str], list[str]]]]:
    """Counts over the held-out records, in "all" and per slice, and the records whose dates differ:
    (slice and id, expected, predicted)."""
    slices = slice_of()
    records = deadline_train.training_records(gold=None)
    gold = [json.loads(line) for line in deadline_train.GOLD.open(encoding="utf-8") if line.strip()]
    gold_examples = [ex for record in gold for ex in deadline_train.examples_of(record)]
    examples = [deadline_train.examples_of(record) for record in records]
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    counts: dict[str, dict[str, int]] = {"all": dict.fromkeys(COUNTS, 0)}
    wrong = []
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        train = [ex for i, exs in enumerate(examples) if i not in held for ex in exs] + gold_examples
        weights = deadline_train.fit(train, deadline_train.SEED)
        model = DeadlineModel(
            {name: tuple(w) for name, w in weights.items()}, deadline_train.THRESHOLD, "", deadline_train.SEED
        )
        for i in sorted(held):
            record = records[i]
            text = deadline_train.call_text(record)
            published = date.fromisoformat(record["published"]) if record.get("published") else None
            types = document_types(record.get("title") or "", text)
            found = extract_deadlines(text, published, None, types, model).deadlines
            predicted = date_list({"deadlines": [{"date": d.date} for d in found]})
            expected = date_list(record)
            where = slices[record["id"]]
            for c in (counts["all"], counts.setdefault(where, dict.fromkeys(COUNTS, 0))):
                c["predicted"] += len(predicted)
                c["hits"] += sum(d in expected for d in predicted)
                c["gold"] += len(expected)
                c["found"] += sum(d in predicted for d in expected)
                c["no_gold"] += not expected
                c["false"] += bool(predicted) and not expected
            if set(predicted) != set(expected):
                wrong.append((f"{where} {record['id']}", expected, predicted))
    return counts, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--write", action="store_true", help="write the section of BENCHMARKS.md")
    args = parser.parse_args()
    if not deadline_train.CORPUS.is_dir():
        raise SystemExit(f"{deadline_train.CORPUS}: corpus folder not found")
    rows = []
    for seed in args.seeds:
        counts, wrong = cross_validate(seed)
        for where in ["all", *sorted(k for k in counts if k != "all")]:
            c = counts[where]
            precision = c["hits"] / c["predicted"] if c["predicted"] else 1.0
            recall = c["found"] / c["gold"] if c["gold"] else 1.0
            errors = len(wrong) if where == "all" else sum(w[0].startswith(where + " ") for w in wrong)
            rows.append(
                f"| {seed} | {where} | {precision:.3f} | {recall:.3f} | {c['hits']}/{c['predicted']} · "
                f"{c['found']}/{c['gold']} | {c['false'] / max(c['no_gold'], 1):.1%} ({c['false']}/{c['no_gold']}) | "
                f"{errors} |"
            )
        print(f"seed {seed}: {len(wrong)} records with other dates than expected")
        for ident, expected, predicted in wrong:
            print(f"  {ident}: expected {expected}, got {predicted}")
    table = "\n".join(
        [
            SECTION,
            "",
            f"`bench/cv_deadlines.py`: {FOLDS}-fold cross-validation by record over the corpus train split",
            "(the team's gold set always trains, never scores); each held-out record is read by the rules and a",
            "model trained without it. This is the figure for texts the model has not seen.",
            "",
            "| seed | slice | date P | date R | hits/pred · found/gold | false deadlines | records wrong |",
            "|---:|---|---:|---:|---|---:|---:|",
            *rows,
            "",
        ]
    )
    print(table)
    if args.write:
        write_section(table)


if __name__ == "__main__":
    main()
