"""Relevance on the labelled real corpus (../shared/corpus), per slice, through the real ``foerderradar eval``.

For every corpus file (whole-de, beginnings, whole-en) and the wanted split, the records go into a temporary
gold file and ``.venv/bin/foerderradar eval`` scores them (a subprocess: the CLI a user runs). Beside them,
the team's own gold sets. Prints a table and writes the "## Classifier on the corpus (relevance)" section
of BENCHMARKS.md.

    .venv/bin/python bench/eval_relevance.py [--split dev] [--no-write] [--errors]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from report import write_section  # noqa: E402 (bench/ is the script's folder)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SLICES = ("whole-de", "beginnings", "whole-en")
GOLD_SETS = {
    "gold": ROOT / "tests" / "gold" / "gold.jsonl",
    "holdout": ROOT / "tests" / "gold" / "holdout.jsonl",
}
SECTION = "## Classifier on the corpus (relevance)"
FIELDS = ("id", "title", "text", "url", "published", "language", "deadlines", "rolling", "relevant")
CLI = ROOT / ".venv" / "bin" / "foerderradar"


def corpus_records(name: str, split: str) -> list[dict]:
    path = CORPUS / f"{name}.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return [{k: r.get(k) for k in FIELDS} for r in records if r.get("split") == split]


def run_eval(path: Path, errors: bool) -> tuple[dict[str, str], str]:
    """The figures ``foerderradar eval`` prints for one gold file, and its whole output."""
    command = [str(CLI), "--config", str(ROOT / "config"), "eval", str(path)] + (
        ["--errors"] if errors else []
    )
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"eval {path.name} failed: {done.stderr.strip() or done.stdout.strip()}")
    figures = {}
    for line in done.stdout.splitlines():
        parts = line.rsplit(None, 1)
        if len(parts) == 2 and "  " in line and not line.startswith(" "):
            figures[parts[0].strip()] = parts[1]
    return figures, done.stdout


def rows(split: str, errors: bool) -> list[tuple[str, int, dict[str, str], str]]:
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in SLICES:
            records = corpus_records(name, split)
            path = Path(tmp) / f"{name}-{split}.jsonl"
            path.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
            )
            figures, output = run_eval(path, errors)
            table.append((f"corpus {name} ({split})", len(records), figures, output))
    for name, path in GOLD_SETS.items():
        figures, output = run_eval(path, errors)
        table.append((f"team {name} set", sum(1 for _ in path.open()), figures, output))
    return table


COLUMNS = ("relevance precision", "relevance recall", "relevance F1", "documents per second")


def render(table: list[tuple[str, int, dict[str, str], str]]) -> str:
    lines = ["| slice | docs | relevance P | R | F1 | docs/s |", "|---|---:|---:|---:|---:|---:|"]
    for name, count, figures, _ in table:
        lines.append(f"| {name} | {count} | " + " | ".join(figures.get(c, "–") for c in COLUMNS) + " |")
    return "\n".join(lines)


def speed(count: int = 200, chars: int = 30_000, repeats: int = 3) -> str:
    """Documents per second of ``tag`` on whole guidelines (corpus texts cut to ``chars``), one process: the
    best of ``repeats`` runs by wall clock and by the process's CPU time (one core), and peak memory."""
    import resource
    import time

    sys.path.insert(0, str(ROOT))
    from classifier import Classifier
    from foerderradar.configuration import load_config

    texts = [
        r
        for r in corpus_records("whole-de", "train") + corpus_records("whole-de", "dev")
        if len(r["text"]) >= chars
    ]
    lines = [
        json.dumps({"id": i, "title": r["title"], "text": r["text"][:chars], "published": r["published"]})
        for i, r in enumerate(texts[i % len(texts)] for i in range(count))
    ]
    classifier = Classifier.load(load_config(ROOT / "config"))
    wall = cpu = float("inf")
    for _ in range(repeats):  # the best of a few runs: other work on a shared machine only slows a run down
        started, cpu_started = time.perf_counter(), time.process_time()
        out = list(classifier.tag_lines(lines, None))
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - cpu_started)
        assert len(out) == count
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"| whole guidelines ({chars:,} chars), {count} docs, one process, best of {repeats} | "
        f"{count / wall:.0f} docs/s wall · {count / cpu:.0f} docs/s CPU (one core) | peak RSS {peak:.0f} MB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("dev", "train"))
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--errors", action="store_true", help="Also print each slice's --errors report.")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"no corpus at {CORPUS}: this benchmark needs ../shared/corpus")
    table = rows(args.split, args.errors)
    rendered = render(table) + "\n\n| speed | rate | memory |\n|---|---:|---:|\n" + speed()
    print(rendered)
    if args.errors:
        for name, _, _, output in table:
            print(f"\n### {name}\n{output}")
    load = os.getloadavg()[0]
    body = (
        f"{SECTION}\n\n`bench/eval_relevance.py --split {args.split}`: the real `foerderradar eval` on each corpus "
        f"slice (trained on `split: train` only) and on the team's gold sets. Python {platform.python_version()}, "
        f"load average {load:.1f}.\n\n{rendered}\n"
    )
    if not args.no_write:
        write_section(body)
    print(f"\nload average {load:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
