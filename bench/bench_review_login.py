"""Review view benchmark: how fast a page answers while a Basic-auth flood hits the login.

Starts the real `foerderradar review serve` on loopback over a seeded database, then measures the
latency of the login page from one client, idle and during floods of Basic-auth requests sent by 8
threads: wrong passwords for the coordinator (locked out after `review.web.login_failures`), wrong
passwords for invented names from 200 rotating client addresses (each needs its own lockout), and the
right password (verified once, then remembered). Prints a table and writes it as the "## Review
login" section of BENCHMARKS.md.

    .venv/bin/python bench/bench_review_login.py [--requests 400] [--no-write]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from report import write_section  # noqa: E402 (bench/ is the script's folder)
from test_review_web import PASSWORD, free_port, seed, start_cli_server  # noqa: E402

from foerderradar.configuration import load_config  # noqa: E402

SAMPLES = 40


def get(port: int, path: str, headers: dict[str, str] | None = None, source: str = "127.0.0.1") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def page_latency(port: int) -> list[float]:
    times = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        get(port, "/-/login", source="127.0.0.250")
        times.append(time.perf_counter() - start)
    return times


def flood(port: int, total: int, kind: str) -> tuple[Counter[int], float, list[threading.Thread]]:
    """Start 8 threads sending ``total`` Basic-auth requests of one kind; returns before they end."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def worker(index: int) -> None:
        for n in range(index, total, 8):
            if kind == "wrong":
                status = get(port, "/-/review", basic("koordination", f"guess {n}"), f"127.0.1.{index + 1}")
            elif kind == "rotating":
                status = get(port, "/-/review", basic(f"user{n}", "guess"), f"127.0.2.{n % 200 + 1}")
            else:
                status = get(port, "/-/review", basic("koordination", PASSWORD), f"127.0.3.{index + 1}")
            with lock:
                statuses[status] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    return statuses, start, threads


def measure(port: int, total: int, kind: str) -> dict[str, object]:
    statuses, start, threads = flood(port, total, kind)
    times = page_latency(port)
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return {"kind": kind, "times": times, "statuses": statuses, "rate": total / seconds}


def row(label: str, result: dict[str, object] | None, times: list[float]) -> str:
    median = statistics.median(times) * 1000
    p95 = sorted(times)[int(len(times) * 0.95) - 1] * 1000
    if result is None:
        return f"| {label} | {median:.1f} | {p95:.1f} | – | – |"
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(result["statuses"].items()))  # type: ignore[union-attr]
    return f"| {label} | {median:.1f} | {p95:.1f} | {result['rate']:.0f} | {statuses} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="Basic-auth requests per flood")
    parser.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        config_dir = Path(tmp) / "project" / "config"
        shutil.copytree(ROOT / "config", config_dir)
        seed(load_config(config_dir).database_path)
        process, _ = start_cli_server(config_dir, port := free_port())
        try:
            idle = page_latency(port)
            results = [measure(port, args.requests, kind) for kind in ("right", "rotating", "wrong")]
        finally:
            process.terminate()
            process.wait(timeout=20)
    labels = {
        "wrong": "flood: wrong passwords for the coordinator, 8 clients",
        "rotating": "flood: invented names, 200 rotating client addresses",
        "right": "flood: the right password, 8 clients",
    }
    lines = [
        "## Review login",
        "",
        f"`bench/bench_review_login.py`: latency of the login page (one client, {SAMPLES} requests) while 8 "
        f"threads send {args.requests} Basic-auth requests to the review view (`review serve` on loopback, "
        "default lockout: 5 failures, 15 min). Python "
        f"{platform.python_version()}, {platform.machine()}, load average {os.getloadavg()[0]:.1f}. "
        "Target: the page stays fast during any flood.",
        "",
        "| case | page median ms | page p95 ms | flood requests/s | flood answers |",
        "|---|---:|---:|---:|---|",
        row("idle", None, idle),
        *[row(labels[r["kind"]], r, r["times"]) for r in results],  # type: ignore[arg-type,index]
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
