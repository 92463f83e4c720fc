"""Checks the hand-written gold set (tests/gold/gold.jsonl) and the textcat seed set (classifier/seed.jsonl)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "gold.jsonl"
SEED = ROOT / "classifier" / "seed.jsonl"

KINDS = {"single", "skizze", "antrag", "stichtag", "other"}
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
TAG = re.compile(r"\b[a-z]+:[a-z_]+\b")

# fmt: off
# Every shape, deadline word, kind, trap, rolling phrase and relevance case of
# spec/classifier.md, as the tag that a gold document's `notes` carries when it tests it.
REQUIRED_TAGS = {
    # date shapes
    "shape:dmy_dot", "shape:dmy_short", "shape:de_month", "shape:yearless", "shape:yearless_null",
    "shape:weekday_de", "shape:bis_zum", "shape:frist_slash_uhr", "shape:de_time", "shape:brussels_time",
    "shape:en_weekday_ampm", "shape:us_month_first", "shape:us_slash", "shape:ordinal_of",
    "shape:month_ordinal", "shape:slash_dmy", "shape:iso_slash", "shape:iso", "shape:label_after",
    "shape:header_range", "shape:final_stop", "shape:en_day_month",
    # deadline words
    "word:frist", "word:einreichungsfrist", "word:abgabetermin", "word:stichtag", "word:bewertungsstichtag",
    "word:vorlagefrist", "word:meldefrist", "word:bis_einzureichen", "word:deadline", "word:cutoff",
    "word:closing_date", "word:call_closes", "word:submission_deadline", "word:angebotsfrist",
    # kinds
    "kind:two_stage", "kind:skizze", "kind:stichtag_list", "kind:interessenbekundung", "kind:other",
    "kind:multi_call",
    # traps: dates that are not deadlines
    "trap:publication", "trap:vom", "trap:banz", "trap:stand", "trap:opening", "trap:project_period",
    "trap:project_end", "trap:validity", "trap:extended", "trap:event", "trap:statistics",
    "trap:policy_target", "trap:eligibility", "trap:superseded", "trap:repeated",
    # rolling
    "rolling:jederzeit", "rolling:laufend", "rolling:fortlaufend", "rolling:unbefristet", "rolling:ohne_frist",
    "rolling:ganzes_jahr", "rolling:fcfs", "rolling:jederzeit_stichtage",
    # relevance: positives, hard negatives, ambiguous
    "rel:ai_rd", "rel:tech_open", "rel:voucher", "rel:news_open_call",
    "neg:teaching", "neg:portal_name", "neg:unit_name", "neg:job", "neg:clinical", "neg:excluded_field",
    "neg:tender", "neg:prize", "neg:scholarship", "neg:report", "neg:news_approvals", "neg:news_budget",
    "neg:news_event", "neg:news_politics", "neg:closed", "neg:suspended", "neg:exhausted", "neg:antragsstopp",
    "neg:agriculture", "neg:culture", "neg:film", "neg:housing", "neg:labour",
    "amb:null",
}

MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
# fmt: on


def load(path: Path) -> list[dict]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number}: empty line"
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{number}: invalid JSON: {exc}")
    return records


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return load(GOLD)


@pytest.fixture(scope="module")
def seed() -> list[dict]:
    return load(SEED)


def test_gold_fields_and_types(gold):
    assert len(gold) >= 170
    fields = {
        "id",
        "title",
        "text",
        "url",
        "published",
        "language",
        "deadlines",
        "rolling",
        "relevant",
        "notes",
    }
    for doc in gold:
        assert set(doc) == fields, doc.get("id")
        assert isinstance(doc["id"], str) and isinstance(doc["title"], str) and doc["title"]
        assert doc["url"] is None or doc["url"].startswith("https://"), doc["id"]
        assert doc["published"] is None or date.fromisoformat(doc["published"]), doc["id"]
        assert doc["language"] in {"de", "en"}, doc["id"]
        assert isinstance(doc["rolling"], bool), doc["id"]
        assert doc["relevant"] in (True, False, None), doc["id"]
        assert 400 <= len(doc["text"]) <= 3000, (doc["id"], len(doc["text"]))
        assert "\n\n" in doc["text"], f"{doc['id']}: expected several paragraphs"
        assert isinstance(doc["notes"], str) and "\n" not in doc["notes"], doc["id"]


def test_gold_deadlines_are_well_formed(gold):
    for doc in gold:
        for deadline in doc["deadlines"]:
            assert set(deadline) == {"date", "time", "kind"}, doc["id"]
            assert deadline["kind"] in KINDS, doc["id"]
            assert deadline["date"] is None or date.fromisoformat(deadline["date"]), doc["id"]
            assert deadline["time"] is None or TIME.match(deadline["time"]), doc["id"]
        dates = [d["date"] for d in doc["deadlines"] if d["date"]]
        assert len(dates) == len(set(dates)), f"{doc['id']}: a repeated deadline must be listed once"
        if doc["rolling"]:
            assert not doc["deadlines"], f"{doc['id']}: rolling means no fixed deadline"


def date_renderings(day: date) -> list[str]:
    d, m, y = day.day, day.month, day.year
    de, en = MONTHS_DE[m - 1], MONTHS_EN[m - 1]
    # fmt: off
    return [
        f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y}", f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}",
        f"{d:02d}/{m:02d}/{y}", f"{m:02d}/{d:02d}/{y}", f"{d}. {de}", f"{d:02d} {en}", f"{d} {en}",
        f"{en} {d}", f"{d}th of {en}", f"{d}rd of {en}", f"{d}st of {en}", f"{d}nd of {en}",
        f"auf den {d}. {de}",
    ]
    # fmt: on


def test_gold_deadline_dates_occur_in_text(gold):
    """Guards against typos: every gold deadline date is written in the text in some shape."""
    for doc in gold:
        for deadline in doc["deadlines"]:
            if deadline["date"]:
                day = date.fromisoformat(deadline["date"])
                text = doc["title"] + "\n" + doc["text"]
                assert any(r in text for r in date_renderings(day)), (doc["id"], deadline["date"])


def test_gold_ids_unique(gold):
    ids = [doc["id"] for doc in gold]
    assert len(ids) == len(set(ids))


def test_gold_mix(gold):
    languages = Counter(doc["language"] for doc in gold)
    assert 0.55 <= languages["de"] / len(gold) <= 0.75
    judged = [doc["relevant"] for doc in gold if doc["relevant"] is not None]
    assert 0.35 <= sum(judged) / len(judged) <= 0.55
    assert sum(doc["relevant"] is None for doc in gold) >= 8
    assert sum(not doc["deadlines"] for doc in gold) / len(gold) >= 0.2
    assert any(d["date"] is None for doc in gold for d in doc["deadlines"]), "year-less date without a year"
    kinds = Counter(d["kind"] for doc in gold for d in doc["deadlines"])
    assert set(kinds) == KINDS


def test_gold_notes_cover_every_spec_case(gold):
    seen = Counter(tag for doc in gold for tag in TAG.findall(doc["notes"]))
    missing = sorted(REQUIRED_TAGS - set(seen))
    assert not missing, f"no gold document tests: {missing}"
    assert all(doc["notes"] and TAG.search(doc["notes"]) for doc in gold)


def test_seed_fields_and_mix(seed):
    assert len(seed) >= 90
    for number, doc in enumerate(seed, 1):
        assert set(doc) == {"title", "text", "language", "relevant"}, number
        assert doc["language"] in {"de", "en"}, number
        assert isinstance(doc["relevant"], bool), number
        assert doc["title"] and 200 <= len(doc["text"]) <= 1200, (number, len(doc["text"]))
    assert {doc["language"] for doc in seed} == {"de", "en"}
    share = sum(doc["relevant"] for doc in seed) / len(seed)
    assert 0.35 <= share <= 0.6


def sentences(text: str) -> set[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return {" ".join(p.split()).lower() for p in parts if len(p.strip()) >= 60}


def test_gold_and_seed_share_no_sentence(gold, seed):
    gold_sentences = set().union(*(sentences(d["title"] + "\n" + d["text"]) for d in gold))
    seed_sentences = set().union(*(sentences(d["title"] + "\n" + d["text"]) for d in seed))
    shared = gold_sentences & seed_sentences
    assert not shared, sorted(shared)[:3]
