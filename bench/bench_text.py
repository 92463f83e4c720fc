"""Text and reader benchmark: HTML → text on hostile input (linear time) and the generic reader per page.

Measures ``foerderradar.text.html_to_text`` (the one converter the crawler and the classifier share) on
pages that made the old regex converter backtrack — text with 40,000 unclosed ``<script>`` tags, took
130 s to classify — at growing sizes, so a linear cost shows as a constant time per MB; and the
generic reader (``crawler.reader.read_page``) on generated programme pages. Prints a table and writes
it as the "## Text and generic reader" section of BENCHMARKS.md.

    .venv/bin/python bench/bench_text.py [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402 (bench/ is the script's folder)

from classifier.text import clean_text  # noqa: E402
from crawler.reader import read_page  # noqa: E402
from foerderradar.text import html_to_text  # noqa: E402

SECTION = "## Text and generic reader"
PARAGRAPH = (
    "<p>Gefördert werden Vorhaben kleiner und mittlerer Unternehmen, die Verfahren der Künstlichen "
    "Intelligenz erproben. Anträge sind bis zum 30.06.2027 einzureichen.</p>"
)


def hostile(n: int) -> str:
    return "<p>Frist 30.06.2027</p>" + "<script>" * n + "x"


def programme_page(paragraphs: int) -> str:
    nav = "".join(f'<li><a href="/bereich-{i}.html">Bereich {i} der Förderung</a></li>' for i in range(60))
    return (
        "<html lang='de'><head><title>Programm KI-Transfer | Förderbank</title>"
        "<link rel='canonical' href='https://www.foerderbank.example/programm/ki-transfer.html'></head>"
        f"<body><header><nav><ul>{nav}</ul></nav></header><main><h1>KI-Transfer</h1>"
        f"{PARAGRAPH * paragraphs}</main><footer>Impressum</footer></body></html>"
    )


def timed(func, *args, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - start)
    return best


def rows() -> list[tuple[str, str, str]]:
    out = []
    for n in (10_000, 40_000, 160_000):
        markup = hostile(n)
        seconds = timed(clean_text, markup)
        out.append(
            (
                f"classifier clean_text, {n:,} unclosed `<script>`",
                f"{len(markup) / 1e6:.2f} MB",
                f"{seconds * 1000:.1f} ms",
            )
        )
    for paragraphs in (20, 200, 2000):
        markup = programme_page(paragraphs)
        seconds = timed(html_to_text, markup)
        out.append(
            (
                f"html_to_text, page with {paragraphs} paragraphs",
                f"{len(markup) / 1e6:.2f} MB",
                f"{seconds * 1000:.1f} ms",
            )
        )
    for paragraphs in (20, 200):
        markup = programme_page(paragraphs)
        seconds = timed(read_page, markup, "https://www.foerderbank.example/x")
        out.append(
            (
                f"generic reader, page with {paragraphs} paragraphs",
                f"{len(markup) / 1e6:.2f} MB",
                f"{seconds * 1000:.1f} ms",
            )
        )
    return out


def table(found: list[tuple[str, str, str]], load: float) -> str:
    lines = [
        SECTION,
        "",
        f"`bench/bench_text.py` on {platform.python_implementation()} {platform.python_version()}, "
        f"load average {load:.2f} (2 shared cores; best of 3). Linear: time grows with the size, "
        "never with the nesting or repetition of tags.",
        "",
        "| input | size | time |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in found]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    text = table(rows(), os.getloadavg()[0])
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
