"""Call facts against the labelled corpus: does "companies may apply" agree with ``sme_eligible``?

Reads ../shared/corpus (skips with a message when it is absent), prepares each record's text the way the
classifier does (title + text, cleaned, capped) and extracts the facts. "Companies may apply" is
``kmu``, ``unternehmen`` or ``startup`` in ``applicants``; it is compared with ``sme_eligible`` on the
records that state it (not null). Also reports how often each fact was found and checks that every
summary is made of the record's own sentences. Develop on ``--split train``; the section of
BENCHMARKS.md ("## Call facts on the corpus") is written from ``--split dev``.

    .venv/bin/python bench/eval_facts.py [--split dev] [--misses] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from classifier.facts import call_facts  # noqa: E402
from classifier.text import cap_text, clean_text, detect_language  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
SLICES = ("whole-de", "beginnings", "whole-en")
COMPANIES = {"kmu", "unternehmen", "startup"}
SECTION = "## Call facts on the corpus"
FACTS = ("summary", "applicants", "consortium", "funding", "identifier", "region")


def records(split: str) -> dict[str, list[dict]]:
    return {
        name: [
            r
            for r in map(json.loads, (CORPUS / f"{name}.jsonl").open(encoding="utf-8"))
            if r["split"] == split
        ]
        for name in SLICES
    }


def prepared(record: dict) -> str:
    return cap_text(clean_text(f"{record.get('title') or ''}\n\n{record.get('text') or ''}"))


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def summary_is_own(summary: str, text: str) -> bool:
    """Every sentence of the summary stands in the text (letters and digits compared, so Markdown
    escapes and collapsed whitespace do not count as a difference); a cut sentence ends in " …"."""
    own = squash(text)
    return all(squash(part.removesuffix(" …")) in own for part in re.split(r"(?<=[.!?])\s+", summary) if part)


def evaluate(rows: list[dict], misses: bool) -> dict:
    stated = agree = with_applicants = own = 0
    found = dict.fromkeys(FACTS, 0)
    for record in rows:
        text = prepared(record)
        facts = call_facts(text, {}, record.get("language") or detect_language(text))
        data = facts.as_tag_json()
        for name in FACTS:
            found[name] += data[name] not in (None, "", [])
        own += summary_is_own(facts.summary, text)
        with_applicants += bool(facts.applicants)
        if record.get("sme_eligible") is None:
            continue
        stated += 1
        companies = bool(COMPANIES & set(facts.applicants))
        agree += companies == record["sme_eligible"]
        if misses and companies != record["sme_eligible"]:
            print(
                f"  MISS {record['id']} gold={record['sme_eligible']} got={list(facts.applicants)} "
                f"| {record['title'][:60]} | {facts.evidence.get('applicants', '')[:160]}"
            )
    return {"docs": len(rows), "stated": stated, "agree": agree, "found": found, "own": own}


def table(results: dict[str, dict], split: str) -> str:
    lines = [
        f"`split: {split}` · companies may apply = `kmu`/`unternehmen`/`startup` in `applicants`, "
        "compared with `sme_eligible` where it is not null",
        "",
        "| slice | docs | sme_eligible stated | agree | agreement | summary found | summaries own text | "
        "applicants | consortium | funding | identifier | region |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total = {"docs": 0, "stated": 0, "agree": 0, "own": 0, "found": dict.fromkeys(FACTS, 0)}
    for name, r in [*results.items(), ("all", total)]:
        if name != "all":
            for key in ("docs", "stated", "agree", "own"):
                total[key] += r[key]
            for fact in FACTS:
                total["found"][fact] += r["found"][fact]
        share = f"{100 * r['agree'] / r['stated']:.1f} %" if r["stated"] else "–"
        f = r["found"]
        lines.append(
            f"| {name} | {r['docs']} | {r['stated']} | {r['agree']} | {share} | {f['summary']} | {r['own']} | "
            f"{f['applicants']} | {f['consortium']} | {f['funding']} | {f['identifier']} | {f['region']} |"
        )
    return "\n".join(lines)


def record(body: str) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    section = (
        f"{SECTION}\n\n`.venv/bin/python bench/eval_facts.py` (load average {load:.1f}; "
        f"texts from ../shared/corpus, never copied).\n\n{body}\n\n"
    )
    write_section(section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("train", "dev"))
    parser.add_argument("--misses", action="store_true", help="print every disagreement")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"{CORPUS}: corpus not found; nothing to measure")
        return 0
    results = {}
    for name, rows in records(args.split).items():
        if args.misses:
            print(name)
        results[name] = evaluate(rows, args.misses)
    started = time.perf_counter()
    texts = [prepared(r) for rows in records(args.split).values() for r in rows]
    prepared_at = time.perf_counter()
    for text in texts:
        call_facts(text)
    per_doc = (time.perf_counter() - prepared_at) / max(1, len(texts)) * 1000
    chars = sum(map(len, texts)) / max(1, len(texts))
    body = table(results, args.split)
    body += (
        f"\n\nExtraction time: {per_doc:.1f} ms per document (mean {chars:,.0f} characters after cleaning; "
        f"preparing the texts took {prepared_at - started:.1f} s)."
    )
    if args.split == "dev":
        train = [evaluate(rows, False) for rows in records("train").values()]
        agree, stated = sum(r["agree"] for r in train), sum(r["stated"] for r in train)
        body += (
            f" Developed on `split: train`: {agree}/{stated} = {100 * agree / stated:.1f} % agreement there; "
            "no rule names a corpus document."
        )
    print(body)
    if args.split == "dev" and not args.no_write:
        record(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
