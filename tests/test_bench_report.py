"""The bench scripts' one section writer: a section is replaced in place, others stay as they were."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from report import replace_section, write_section  # noqa: E402

DOC = "# Benchmarks\n\n## Crawl\n\nold crawl\n\n## Classifier\n\nold tag\n\n## Classifier on the corpus\n\nkept\n"


def test_a_section_is_replaced_and_its_neighbours_kept():
    updated = replace_section(DOC, "## Classifier\n\nnew tag\n")
    assert updated == DOC.replace("old tag", "new tag")


def test_a_heading_that_is_the_prefix_of_another_is_not_confused_with_it():
    updated = replace_section(DOC, "## Classifier on the corpus\n\nnew\n")
    assert "old tag" in updated and "kept" not in updated and updated.endswith("new\n")


def test_a_new_section_is_appended(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(DOC, encoding="utf-8")
    write_section("## Matching\n\nfigures\n", path)
    assert path.read_text(encoding="utf-8") == DOC + "\n## Matching\n\nfigures\n"


def test_rewriting_every_section_of_the_shipped_file_changes_nothing():
    document = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    chunks = document.split("\n## ")[1:]
    for chunk in chunks:
        section = "## " + chunk
        assert replace_section(document, section).rstrip("\n") == document.rstrip("\n")
