"""Benchmark: match 50 members against 20,000 open calls (fits, eligibility, proposed consortia).

Invented members (8 competence terms each from a vocabulary of 80) and invented calls (about 4,000
characters of text, the length matching reads; random applicants, regions, consortium needs). Two cases:
the pure matching (``foerderradar.matching.match_calls``) over typed records, and the whole step as the
digest run does it (``match_step``: read the open calls from a tmp SQLite store, match, write the
``matches`` and ``consortia`` tables). Prints a table and writes the "## Matching" section of BENCHMARKS.md.

    .venv/bin/python bench/bench_matching.py [--calls 20000] [--members 50] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from foerderradar.configuration import Member, Source, load_config  # noqa: E402
from foerderradar.matching import MatchCall, match_calls  # noqa: E402
from foerderradar.models import Call, call_id_for  # noqa: E402
from foerderradar.steps import match_step  # noqa: E402
from foerderradar.store import Store  # noqa: E402

TODAY = date(2026, 11, 23)
LANDS = ["Hessen", "Bayern", "Sachsen", "Berlin", "Nordrhein-Westfalen", "Niedersachsen", "Hamburg"]
APPLICANTS = ["kmu", "unternehmen", "startup", "hochschule", "forschung", "kommune"]
TOPICS = ["ki", "daten", "digital", "technologieoffen"]
FILLER = ("Gefördert werden Vorhaben, die neue Verfahren entwickeln und in der Praxis erproben. "
          "Die Zuwendung wird als nicht rückzahlbarer Zuschuss gewährt. ")  # fmt: skip
VOCABULARY = [f"{stem}{suffix}" for stem in ("Bild", "Daten", "Sprach", "Robot", "Sicher", "Logistik", "Energie",
              "Cloud", "Quanten", "Sensor") for suffix in ("verarbeitung", "analyse", "modelle", "plattform",
              "systeme", "prognose", "netze", "dienste")]  # fmt: skip


def make_members(count: int, rng: random.Random) -> list[Member]:
    kinds = ["kmu"] * 7 + ["hochschule", "forschung", "unternehmen"]
    return [
        Member(
            id=f"m{n}",
            name=f"Mitglied {n}",
            kind=rng.choice(kinds),
            land=rng.choice(LANDS),
            topics=rng.sample(TOPICS, 2),
            competences=rng.sample(VOCABULARY, 8),
            programmes=rng.sample(["ZIM", "KMU-innovativ", "Horizon Europe", "EXIST"], 1),
        )
        for n in range(count)
    ]


def make_calls(count: int, rng: random.Random) -> list[MatchCall]:
    calls = []
    for n in range(count):
        terms = " ".join(rng.sample(VOCABULARY, 6))
        verbund = rng.random() < 0.4
        text = (
            f"Aufruf {n}: {terms}. " + ("Gefördert werden Verbundprojekte. " if verbund else "") + FILLER * 28
        )
        calls.append(
            MatchCall(
                id=f"c{n}",
                title=f"Aufruf {n} {terms[:40]}",
                topics=tuple(rng.sample(TOPICS, rng.randint(1, 3))),
                text=text[:4000],
                applicants=tuple(rng.sample(APPLICANTS, rng.randint(0, 3))),
                consortium=True if verbund else rng.choice([False, None]),
                region=rng.choice([None, None, None, "bundesweit", *LANDS]),
            )
        )
    return calls


def time_pure(calls: list[MatchCall], members: list[Member]) -> dict[str, float]:
    start, cpu = time.perf_counter(), time.process_time()
    results = match_calls(calls, members, TODAY, {}, {})
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    eligible = sum(1 for r in results for f in r.fits if f.eligible)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "pairs": len(calls) * len(members),
        "eligible": eligible,
        "consortia": sum(len(r.consortia) for r in results),
    }


def fill_store(store: Store, calls: list[MatchCall]) -> None:
    """The invented calls as stored, relevant and open rows (the setup is not what is measured)."""
    store.sync_sources([Source(id="bench", name="Benchmark", kind="feed", url="https://bench.example/feed")])
    rows, classes = [], []
    for call in calls:
        url = f"https://bench.example/{call.id}"
        record = Call(id=call_id_for("bench", url), source_id="bench", url=url, title=call.title, text=call.text,
                      fields={"Fördergebiet": call.region or "bundesweit"})  # fmt: skip
        rows.append(
            {**record.as_row(), "first_seen": "2026-11-20", "last_seen": "2026-11-20", "content_hash": "x"}
        )
        classes.append({"call_id": record.id, "relevant": 1, "score": 0.8, "topics": json.dumps(call.topics),
                        "deadlines": "[]", "next_deadline": "2027-02-01", "status": "open", "rolling": 0})  # fmt: skip
    with store.db.conn:
        store.db["calls"].insert_all(rows, batch_size=2000)
        store.db["classifications"].insert_all(classes, batch_size=2000)


def time_step(calls: list[MatchCall], members: list[Member]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        fill_store(store, calls)
        config = replace(load_config(ROOT / "config"), members=tuple(members))
        start, cpu = time.perf_counter(), time.process_time()
        report = match_step(config, store, TODAY)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        store.close()
    return {"seconds": seconds, "cpu": cpu, "pairs": len(calls) * len(members), "eligible": report.fits,
            "consortia": report.consortia}  # fmt: skip


def report(args, pure: dict[str, float], step: dict[str, float]) -> str:
    load = os.getloadavg()[0]
    lines = [
        "## Matching",
        "",
        f"`bench/bench_matching.py`: {args.members} invented members × {args.calls:,} invented open calls "
        "(4,000 characters of text each, random applicants, regions and consortium needs; 40 % need a "
        f"consortium). Python {platform.python_version()}, {platform.machine()}, load average {load:.1f} "
        "(2 cores shared; under load the wall time runs well above the CPU time). Target: well under a minute.",
        "",
        "| case | seconds (wall) | CPU seconds | member × call pairs | pairs per wall second | eligible fits (step: stored) "
        "| proposed consortia |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in (
        ("pure matching (match_calls)", pure),
        ("match_step: read store, match, write", step),
    ):
        lines.append(
            f"| {name} | {result['seconds']:.2f} | {result['cpu']:.2f} | {result['pairs']:,} | {result['pairs'] / result['seconds']:,.0f} | "
            f"{result['eligible']:,} | {result['consortia']:,} |"
        )
    return "\n".join(lines + [""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    rng = random.Random(14)
    members, calls = make_members(args.members, rng), make_calls(args.calls, rng)
    text = report(args, time_pure(calls, members), time_step(calls, members))
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
