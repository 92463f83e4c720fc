"""Benchmark: build and render the digests of 50 mailing lists over 20,000 stored calls.

Fills a tmp database with invented calls and classifications, then times, for every list, what
the weekly run does before sending: load the rows, select, render HTML + text + iCalendar, build
the MIME message. Two cases: the first run (everything is new) and a steady week (every call was
delivered already; a few hundred are new, changed or closing soon). Prints a table and writes it
as the "## Digest" section of BENCHMARKS.md.

    .venv/bin/python bench/bench_digest.py [--calls 20000] [--lists 50] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from alerts.digest import build_digest, plan_for  # noqa: E402
from alerts.select import parse_rows  # noqa: E402
from foerderradar.configuration import MailingList, Source, load_config  # noqa: E402
from foerderradar.models import Call, call_id_for  # noqa: E402
from foerderradar.store import Store  # noqa: E402

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)
KINDS = ("single", "skizze", "antrag", "stichtag")
WORDS = "KI Daten Plattform Mittelstand Forschung Verbund Förderung Innovation Transfer Cloud".split()


def fill(store: Store, count: int, topics: list[str], rng: random.Random, path: str = "aufruf") -> None:
    """Invented calls + classifications, inserted in bulk (the setup is not what is measured)."""
    store.sync_sources([Source(id="bench", name="Benchmark", kind="feed", url="https://bench.example/feed")])
    calls, classes = [], []
    for n in range(count):
        url = f"https://bench.example/{path}/{n}"
        call = Call(
            id=call_id_for("bench", url),
            source_id="bench",
            url=url,
            title=" ".join(rng.choices(WORDS, k=8)) + f" ({n})",
            text="Text. " * 300,
            funder=rng.choice(["BMFTR", "BMWE", "EU", "Land Bayern"]),
            fields={"Fördergebiet": rng.choice(["bundesweit", "Bayern", "Berlin", "Sachsen"])},
        )
        row = call.as_row()
        calls.append(
            {
                **row,
                "first_seen": "2026-11-20T06:00:00+00:00",
                "last_seen": "2026-11-20T06:00:00+00:00",
                "content_hash": call.content_hash(),
            }
        )
        deadlines = [_deadline(rng) for _ in range(rng.randint(0, 3))]
        classes.append(
            {
                "call_id": call.id,
                "language": "de",
                "relevant": int(rng.random() < 0.4),
                "score": round(rng.random(), 3),
                "topics": json.dumps(rng.sample(topics, rng.randint(0, 2))),
                "deadlines": json.dumps(deadlines, ensure_ascii=False),
                "next_deadline": None,
                "rolling": int(not deadlines and rng.random() < 0.3),
                "status": "open",
                "evidence": "[]",
                "flagged": 0,
                "flag_reasons": "[]",
                "content_hash": call.content_hash(),
                "model_version": "bench",
                "config_version": "bench",
                "classified_at": "2026-11-20T06:00:00+00:00",
            }
        )
    with store.db.conn:
        store.db["calls"].insert_all(calls, batch_size=1000)
        store.db["classifications"].insert_all(classes, batch_size=1000)


def _deadline(rng: random.Random) -> dict[str, object]:
    day = TODAY + timedelta(days=rng.randint(-60, 300))
    return {
        "date": day.isoformat(),
        "time": None,
        "timezone": None,
        "kind": rng.choice(KINDS),
        "raw": f"bis zum {day:%d.%m.%Y}",
    }


def make_lists(count: int, topics: list[str], rng: random.Random) -> list[MailingList]:
    return [
        MailingList(
            id=f"liste-{n:02d}",
            name=f"Liste {n}",
            address=f"liste-{n:02d}@lists.example.org",
            topics=rng.sample(topics, rng.randint(0, 2)),
            min_score=rng.choice([0.5, 0.6, 0.7]),
            frequency="immediate",
        )
        for n in range(count)
    ]


def measure(store: Store, config, lists: list[MailingList]) -> dict[str, float]:
    """Seconds for loading + selecting + rendering every list's digest; messages and bytes built."""
    started = time.perf_counter()
    calls = parse_rows(store.alert_rows())
    built, size, entries = 0, 0, 0
    for mailing_list in lists:
        digest = build_digest(store, config, mailing_list, calls, TODAY, NOW)
        if digest is not None:
            built += 1
            size += len(digest["message"])
            entries += len(digest["items"])
    return {"seconds": time.perf_counter() - started, "digests": built, "bytes": size, "items": entries}


def mark_all_delivered(store: Store, lists: list[MailingList], config) -> None:
    """Pretend every list was sent everything it wants (uncapped; no message needed for that)."""
    calls = parse_rows(store.alert_rows())
    for mailing_list in lists:
        plan = plan_for(store, config, mailing_list, calls, TODAY)
        digest_id = f"{mailing_list.id}-bench"
        store.record_digest(
            {
                "id": digest_id,
                "list_id": mailing_list.id,
                "created": "2026-11-16T06:00:00+00:00",
                "day": "2026-11-16",
                "message_id": f"<{digest_id}@bench>",
                "subject": "",
                "call_ids": plan.call_ids,
                "items": plan.items,
                "message": "",
            }
        )
        store.mark_digest_sent(digest_id)


def peak_memory(store: Store, config, lists: list[MailingList]) -> float:
    tracemalloc.start()
    measure(store, config, lists)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--lists", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    rng = random.Random(48)
    config = load_config(ROOT / "config")
    topics = [t.id for t in config.keywords.topics]
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        store = Store(Path(tmp) / "bench.db")
        fill(store, args.calls, topics, rng)
        lists = make_lists(args.lists, topics, rng)
        first = measure(store, config, lists)
        first_peak = peak_memory(store, config, lists)
        steady_setup(store, config, lists, rng, args.calls)
        steady = measure(store, config, lists)
        steady_peak = peak_memory(store, config, lists)
        store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = report(args, first, first_peak, steady, steady_peak, rss)
    print(text)
    if not args.no_write:
        write_section(text)


def steady_setup(store: Store, config, lists: list[MailingList], rng: random.Random, count: int) -> None:
    """Deliver everything once (uncapped), then a week's news: 200 new calls, 100 moved deadlines."""
    import dataclasses

    mail = config.settings.mail.model_copy(update={"max_entries": count})
    mark_all_delivered(
        store, lists, dataclasses.replace(config, settings=config.settings.model_copy(update={"mail": mail}))
    )
    for row in store.alert_rows()[:100]:  # a moved deadline: a new call version and classification
        call = store.call(row["id"])
        changed = Call(
            id=call["id"],
            source_id="bench",
            url=call["url"],
            title=call["title"],
            text=call["text"] + " Frist verschoben.",
            funder=call["funder"],
        )
        store.save_call(changed, seen_at="2026-11-22T06:00:00+00:00")
        store.db["classifications"].update(call["id"], {"deadlines": json.dumps([_deadline(rng)])})
    fill(store, 200, [t.id for t in config.keywords.topics], rng, path="neu")


def report(args, first, first_peak, steady, steady_peak, rss) -> str:
    rows = [
        ("first run: everything new", first, first_peak),
        ("steady week: 200 new, 100 moved, reminders", steady, steady_peak),
    ]
    lines = [
        "## Digest",
        "",
        f"`bench/bench_digest.py`: {args.lists} mailing lists over {args.calls:,} stored calls (40 % relevant, "
        "0–3 deadlines each); load + select + render (text, HTML, iCalendar) + MIME for every list, "
        f"no sending. Python {platform.python_version()}, {platform.machine()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end (a shared machine: other work slows a run). Target: under 10 s.",
        "",
        "| case | seconds | digests | items | MIME bytes | peak Python memory (tracemalloc) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, result, peak in rows:
        lines.append(
            f"| {name} | {result['seconds']:.2f} | {result['digests']} | {result['items']:,} | "
            f"{result['bytes']:,} | {peak:.0f} MB |"
        )
    lines += ["", f"Peak resident memory of the whole benchmark process: {rss:.0f} MB.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
