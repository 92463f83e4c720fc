"""Writes one benchmark's section of BENCHMARKS.md: the one place every bench script records its figures."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def replace_section(document: str, text: str) -> str:
    """``document`` with the section that ``text`` heads ("## Name" line) replaced, or appended."""
    heading = text.split("\n", 1)[0]
    lines = document.split("\n")
    if heading not in lines:
        return document.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    rest = "\n".join(lines[end:])
    return "\n".join(lines[:start]) + "\n" + text.rstrip("\n") + "\n" + ("\n" + rest if rest else "")


def write_section(text: str, path: Path = BENCHMARKS) -> None:
    """Replace (or append) the section of BENCHMARKS.md that ``text`` starts with."""
    current = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    path.write_text(replace_section(current, text).rstrip("\n") + "\n", encoding="utf-8")
