"""Benchmark of ``tag``: documents per second on ~2,000-character calls, against dateparser as a baseline.

Builds DOCS documents of about 2,000 characters from the gold and seed texts (several texts joined,
cut at a sentence end), tags them with the classifier (pipeline load excluded) and runs
``dateparser.search_dates(text, languages=[lang], settings={"DATE_ORDER": "DMY"})`` on a sample of
the same documents, the two in alternation in one process (ROUNDS rounds): each rate is its best round,
the ratio the median of the rounds' own ratios, so a machine whose speed drifts within minutes slows both
sides of a ratio alike. Prints the rates, the ratio, the eval figures on the gold sets, and writes the
"## Classifier" section of BENCHMARKS.md.

    .venv/bin/python bench/bench_tag.py [--docs 1000] [--baseline 200] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from classifier import Classifier  # noqa: E402
from classifier.evaluate import format_report, run_eval  # noqa: E402
from foerderradar.configuration import load_config  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "gold.jsonl"
SEED = ROOT / "classifier" / "seed.jsonl"
HOLDOUT = ROOT / "tests" / "gold" / "holdout.jsonl"
TARGET_CHARS = 2000
REPEATS = 3
ROUNDS = 5  # paired rounds of tag and dateparser
SECTION = "## Classifier"


def documents(count: int) -> list[dict]:
    """``count`` records of about 2,000 characters, each joined from consecutive gold/seed texts."""
    sources = [
        json.loads(line)
        for path in (GOLD, SEED)
        if path.is_file()
        for line in path.open(encoding="utf-8")
        if line.strip()
    ]
    by_lang = {lang: [s for s in sources if (s.get("language") or "de") == lang] for lang in ("de", "en")}
    docs, index = [], 0
    while len(docs) < count:
        lang = "en" if index % 4 == 3 else "de"
        pool = by_lang[lang] or sources
        parts, size, j = [], 0, index
        while size < TARGET_CHARS:
            record = pool[j % len(pool)]
            parts.append(f"{record.get('title', '')}\n{record.get('text', '')}")
            size += len(parts[-1])
            j += 7
        text = _cut("\n\n".join(parts))
        docs.append(
            {
                "id": f"bench-{index}",
                "title": "",
                "text": text,
                "url": None,
                "published": "2026-06-01",
                "language": lang,
            }
        )
        index += 1
    return docs


def _cut(text: str) -> str:
    """About TARGET_CHARS characters, ending at a sentence end when one is near."""
    end = text.rfind(". ", 0, TARGET_CHARS + 150)
    return text[: end + 1] if end > TARGET_CHARS * 0.9 else text[:TARGET_CHARS]


def bench_paired(docs: list[dict], sample: list[dict]) -> dict[str, float]:
    """``tag`` on all documents and dateparser on the sample, in alternation for ROUNDS rounds in this one
    process: each rate is its best round, and the ratio is the median of the rounds' own ratios, so a
    machine that drifts within minutes slows both sides of each ratio alike."""
    from dateparser.search import search_dates

    classifier = Classifier.load(load_config(ROOT / "config"))
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    list(classifier.tag_lines(lines[:20], None))  # warm up
    for lang, text in (("de", "Frist: 31.03.2026"), ("en", "Deadline: 31 March 2026")):
        search_dates(
            text, languages=[lang], settings={"DATE_ORDER": "DMY"}
        )  # a language's first call is slow
    walls, cpus, bases, ratios = [], [], [], []
    for _ in range(ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        out = list(classifier.tag_lines(lines, None))
        walls.append(len(docs) / (time.perf_counter() - started))
        cpus.append(len(docs) / (time.process_time() - cpu))
        assert len(out) == len(docs)
        started = time.process_time()
        for doc in sample:
            search_dates(doc["text"], languages=[doc["language"]], settings={"DATE_ORDER": "DMY"})
        bases.append(len(sample) / (time.process_time() - started))
        ratios.append(cpus[-1] / bases[-1])
    return {
        "wall": max(walls),
        "cpu": max(cpus),
        "dateparser": max(bases),
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "chars": sum(len(d["text"]) for d in docs) / len(docs),
    }


def bench_reference(docs: list[dict]) -> float:
    """A fixed spaCy configuration (measured at about 1,600 docs/s on an idle machine of this kind): spaCy's blank German pipeline
    (its own rule tokenizer) plus a Matcher and a PhraseMatcher. It calibrates this machine."""
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = spacy.blank("de")
    matcher = Matcher(nlp.vocab)
    matcher.add("DATE", [[{"TEXT": {"REGEX": r"^\d{1,2}\.\d{1,2}\.\d{4}\.?$"}}], [{"LOWER": "frist"}]])
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    phrases.add("KI", [nlp.make_doc(t) for t in ("künstliche intelligenz", "ki", "maschinelles lernen")])
    best = float("inf")
    for _ in range(REPEATS):
        started = time.process_time()
        for doc in nlp.pipe(d["text"] for d in docs):
            matcher(doc)
            phrases(doc)
        best = min(best, time.process_time() - started)
    return len(docs) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=200, help="documents for the (slow) dateparser run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    docs = documents(args.docs)
    sample = docs[: args.baseline]
    paired = bench_paired(docs, sample)
    reference = bench_reference(docs)
    config = load_config(ROOT / "config")
    classifier = Classifier.load(config)
    reports = {}
    for path in (GOLD, HOLDOUT):
        with path.open(encoding="utf-8") as lines:
            reports[path.name] = run_eval(classifier, lines, None)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    rates = {**paired, "reference": reference, "peak_mb": peak}
    table = _table(len(docs), paired["chars"], rates, len(sample), reports)
    print(table)
    if not args.no_write:
        write_section(table)


def _table(n: int, chars: float, rates: dict[str, float], sample: int, reports: dict) -> str:
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, one process"
    )
    return "\n".join(
        [
            SECTION,
            "",
            f"`bench/bench_tag.py` on {machine}; {n} documents of ~{chars:.0f} characters built from the gold",
            "and seed texts (German and English, 3:1), pipeline load excluded, with the shipped deadline and",
            f"relevance models; peak RSS of the process {rates['peak_mb']:.0f} MB;",
            "each rate is the best of its runs (other work on a shared machine only slows a run down): `tag` and",
            f"dateparser ran in alternation, {ROUNDS} rounds, the reference {REPEATS} times.",
            "",
            "| what | documents | docs/s |",
            "|---|---:|---:|",
            f"| `tag` — wall clock | {n} | {rates['wall']:.0f} |",
            f"| `tag` — CPU time of the process (one core) | {n} | {rates['cpu']:.0f} |",
            f'| reference: `spacy.blank("de")` + Matcher + PhraseMatcher (CPU time) | {n} | {rates["reference"]:.0f} |',
            f"| `dateparser.search_dates(text, languages=[lang], DMY)` (CPU time) | {sample} (sample) | {rates['dateparser']:.1f} |",
            f"| ratio `tag` / dateparser (median of the {ROUNDS} rounds' own ratios) | | {rates['ratio']:.1f}× |",
            f"| ratio `tag` / reference | | {rates['cpu'] / rates['reference']:.2f} |",
            "",
            "Ratio of each round: " + ", ".join(f"{r:.2f}" for r in rates["ratios"]) + ".",
            "",
            "dateparser runs on a sample because it is slow, and it only finds dates; it does not decide which one",
            "is a deadline. The reference row calibrates the machine: that fixed configuration was measured",
            "at about 1,600 docs/s on 2,000-character German documents on an idle machine of this kind; where it runs slower (a slower or shared",
            "machine), `tag` slows the same way, so `tag` ≈ ratio × 1,600 docs/s there.",
            "",
        ]
        + [
            line
            for name, report in reports.items()
            for line in (
                f"Eval on `tests/gold/{name}` (`foerderradar eval tests/gold/{name}`, {report['documents']} documents):",
                "",
                "```",
                format_report(report),
                "```",
                "",
            )
        ]
    )


if __name__ == "__main__":
    main()
