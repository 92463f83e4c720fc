"""Crawl benchmark: a generated local site with thousands of calls, crawled twice by the real crawler.

Measures calls per second with politeness off (no delay, 16 parallel requests, robots.txt not
fetched), the crawl process's peak memory, and what a second run over the unchanged site costs in
requests and bytes compared to the first (target: under 10 % of the bytes). Prints a table and
writes it as the "## Crawl" section of BENCHMARKS.md.

    .venv/bin/python bench/bench_crawl.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from crawler.run import crawl  # noqa: E402
from foerderradar.configuration import load_config  # noqa: E402
from foerderradar.demo.server import SampleSite  # noqa: E402

PER_PAGE = 50
BOILERPLATE = "".join(
    f'<li><a href="/navigation/bereich-{n}.html">Bereich {n}: Förderung, Beratung und Service</a></li>'
    for n in range(40)
)
PARAGRAPH = (
    "Gefördert werden Vorhaben kleiner und mittlerer Unternehmen, die Verfahren der Künstlichen "
    "Intelligenz in Produktion, Logistik oder Verwaltung erproben und in den Betrieb überführen. "
)


def detail_page(number: int) -> str:
    day = 1 + number % 28
    text = "".join(f"<p>{PARAGRAPH}Absatz {p} des Aufrufs {number}.</p>" for p in range(12))
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Aufruf {number}</title>'
        f'<link rel="canonical" href="https://bench.example/aufruf/{number}"></head><body>'
        f'<nav><ul>{BOILERPLATE}</ul></nav><h1 class="title">Förderaufruf Nr. {number}: '
        f'KI im Mittelstand</h1><p class="date">Stand: {day:02d}.03.2026</p>'
        f'<dl><dt>Fördergeber:</dt><dd class="foerdergeber"><span class="link--label">'
        f'Bench-Ministerium</span></dd></dl><div class="rich--text">{text}'
        f"<p>Skizzen bis zum {day:02d}.10.2027.</p></div><footer>{BOILERPLATE}</footer></body></html>"
    )


def list_page(page: int, pages: int, calls: int) -> str:
    first = (page - 1) * PER_PAGE
    cards = "".join(
        f'<div class="card card--fundingprogram"><p class="card--title">'
        f'<a href="/calls/{n}.html">Aufruf {n}</a></p></div>'
        for n in range(first, min(first + PER_PAGE, calls))
    )
    nxt = f'<a class="forward button" href="/liste.html?page={page + 1}">weiter</a>' if page < pages else ""
    return f"<!DOCTYPE html><html><head><title>Liste {page}</title></head><body>{cards}{nxt}</body></html>"


def generate(root: Path, calls: int) -> int:
    (root / "calls").mkdir(parents=True)
    pages = -(-calls // PER_PAGE)
    for page in range(1, pages + 1):
        name = "liste.html" if page == 1 else f"liste--page={page}.html"
        (root / name).write_text(list_page(page, pages, calls), encoding="utf-8")
    for number in range(calls):
        (root / "calls" / f"{number}.html").write_text(detail_page(number), encoding="utf-8")
    return pages


def write_config(folder: Path, base_url: str, pages: int) -> Path:
    folder.mkdir(parents=True)
    crawl_settings = {
        "download_delay": 0,
        "concurrent_requests_per_domain": 16,
        "autothrottle": False,
        "obey_robots_txt": False,
        "retries": 0,
        "max_pages": pages + 1,
    }
    (folder / "settings.yaml").write_text(
        "database: data/bench.db\nuser_agent: 'Foerderradar-Bench/0.1 (+mailto:bench@example.org)'\n"
        f"crawl: {json.dumps(crawl_settings)}\n",
        encoding="utf-8",
    )
    (folder / "keywords.yaml").write_text("topics:\n  - {id: ki, name: KI, terms: [KI]}\n", encoding="utf-8")
    (folder / "lists.yaml").write_text(
        "lists:\n  - {id: l, name: L, address: l@example.org}\n", encoding="utf-8"
    )
    selectors = (
        '{item: "div.card--fundingprogram p.card--title a::attr(href)", next_page: "a.forward.button::attr(href)", '
        'title: h1.title, text: div.rich--text, published: p.date, funder: "dd.foerdergeber span.link--label"}'
    )
    (folder / "sources.yaml").write_text(
        f'sources:\n  - {{id: bench, name: Bench, allow_private: true, kind: html, url: "{base_url}/liste.html", selectors: {selectors}}}\n',
        encoding="utf-8",
    )
    return folder


def measure(site: SampleSite, folder: Path, run_id: str) -> dict:
    mark = len(site.log)
    cpu_before = _child_cpu()
    started = time.perf_counter()
    runs = crawl(load_config(folder), run_id, None)
    seconds = time.perf_counter() - started
    cpu = _child_cpu() - cpu_before
    served = site.log[mark:]
    run = runs[0]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "items": run["items"],
        "new": run["new"],
        "unchanged": run["unchanged"],
        "requests": len(served),
        "not_modified": sum(1 for e in served if e.status == 304),
        "body_bytes": sum(e.bytes for e in served),
        "wire_bytes": run["bytes"],
        "errors": run["errors"],
        "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def table(calls: int, first: dict, second: dict, load: float) -> str:
    ratio = second["wire_bytes"] / first["wire_bytes"] if first["wire_bytes"] else 0.0
    rows = [
        ("calls stored (first run)", f"{first['new']:,}", f"{second['unchanged']:,} unchanged"),
        (
            "requests the server saw",
            f"{first['requests']:,}",
            f"{second['requests']:,} ({second['not_modified']:,} × 304)",
        ),
        ("response body bytes", f"{first['body_bytes']:,}", f"{second['body_bytes']:,}"),
        (
            "bytes received incl. headers",
            f"{first['wire_bytes']:,}",
            f"{second['wire_bytes']:,} ({ratio:.1%} of first)",
        ),
        ("wall time incl. process start", f"{first['seconds']:.1f} s", f"{second['seconds']:.1f} s"),
        (
            "calls per second",
            f"{first['items'] / first['seconds']:.0f}",
            f"{second['items'] / second['seconds']:.0f}",
        ),
        ("CPU time of the crawl process", f"{first['cpu']:.1f} s", f"{second['cpu']:.1f} s"),
        (
            "peak memory of the crawl process",
            f"{first['peak_mb']:.0f} MB",
            f"{second['peak_mb']:.0f} MB (max of both)",
        ),
        ("errors", str(first["errors"]), str(second["errors"])),
    ]
    lines = [
        "## Crawl",
        "",
        f"`bench/bench_crawl.py`: a generated local site of {calls:,} calls ({PER_PAGE} per list page, "
        "detail pages of about 10 KB with navigation boilerplate), one `html` source, crawled twice by the "
        "real crawler process (Scrapy, pipelines, SQLite). Politeness off: no delay, no AutoThrottle, "
        "16 parallel requests, robots.txt not fetched. The second run is over the unchanged site: every "
        "page is revalidated with `If-None-Match` and answered `304 Not Modified`.",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, {_cpus()} CPUs, load average "
        f"{load:.1f} at the start (a shared machine: times vary by about a third).",
        "",
        "| measure | first run | second run (unchanged) |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
        f"Target: the second run under 10 % of the first run's bytes — {'met' if ratio < 0.1 else 'NOT met'} "
        f"({ratio:.1%}).",
        "",
    ]
    return "\n".join(lines)


def _cpus() -> int:
    return os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        site_root = Path(tmp) / "site"
        pages = generate(site_root, args.calls)
        with SampleSite(root=site_root) as site:
            folder = write_config(Path(tmp) / "project" / "config", site.base_url, pages)
            first = measure(site, folder, "bench-1")
            second = measure(site, folder, "bench-2")
    text = table(args.calls, first, second, load)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
