"""The classifier on real Förderdatenbank detail pages from ../shared/realdata (skipped when absent)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from classifier import Classifier
from classifier.text import clean_text
from foerderradar.configuration import load_config
from foerderradar.models import Call

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
PAGES = REALDATA / "foerderdatenbank"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/realdata not present")


def page_call(name: str) -> Call:
    """The page's <main> as the crawler would store it: the title and the plain text."""
    html = (PAGES / name).read_text(encoding="utf-8", errors="replace")
    main = re.search(r"<main.*?</main>", html, re.S)
    body = main.group(0) if main else html
    title = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return Call(
        id=name,
        source_id="fdb",
        url=f"https://www.foerderdatenbank.de/{name}",
        title=clean_text(title.group(1)).strip() if title else "",
        text=clean_text(body),
    )


@pytest.fixture(scope="module")
def verdicts() -> dict[str, object]:
    classifier = Classifier.load(load_config(ROOT / "config"))
    names = sorted(p.name for p in PAGES.glob("correlaid_detail*.html"))
    calls = [page_call(name) for name in names]
    return {c.call_id: c for c in classifier.classify_many(calls, date(2026, 11, 26))}


def dates(verdicts, name: str) -> list[tuple[str | None, str]]:
    return sorted((d.date, d.kind) for d in verdicts[name].deadlines)


def test_an_ended_sketch_deadline_is_read_and_the_call_is_closed(verdicts):
    assert dates(verdicts, "correlaid_details_single_desc_alt.html") == [("2024-11-28", "skizze")]
    assert verdicts["correlaid_details_single_desc_alt.html"].status == "closed"


def test_yearly_cut_offs_with_qualifying_brackets(verdicts):
    # "jeweils bis zum 31. März (für …) oder bis zum 30. September (für …) eines jeden Jahres … einzureichen":
    # recurring every year, so no year is reported (the guideline's "vom: 31.07.2024" dates the guideline)
    assert dates(verdicts, "correlaid_detail_rechts_only.html") == [(None, "stichtag"), (None, "stichtag")]


def test_guideline_and_state_gazette_dates_are_no_deadlines(verdicts):
    for name in (
        "correlaid_detail_fail_19_12.html",
        "correlaid_detail_fail_07_25.html",
        "correlaid_detail_multi_desc.html",
    ):
        assert dates(verdicts, name) == [], name


def test_dated_application_window_among_yearly_wording(verdicts):
    assert ("2024-12-06", "single") in dates(verdicts, "correlaid_detail_single_desc.html")
