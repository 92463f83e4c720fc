"""End to end: `foerderradar demo` crawls the bundled sample site on loopback, classifies, writes
digests and the review CSV; a second run finds everything unchanged and sends nothing new."""

from __future__ import annotations

import csv
import email
import email.policy
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_demo(out: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "foerderradar", "demo", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    first = run_demo(out)
    emls_after_first = sorted((out / "outbox").glob("*.eml"))
    second = run_demo(out)
    return out, first, second, emls_after_first


def test_summary_names_every_figure(demo_runs):
    out, first, _, _ = demo_runs
    for label in (
        "sources crawled",
        "calls",
        "classified",
        "flagged",
        "deadlines found",
        "digests",
        "outbox",
        "review CSV",
    ):
        assert label in first, f"summary lacks '{label}'"
    assert "2 (0 with errors)" in first


def test_first_run_stores_the_sample_calls_once(demo_runs):
    out, *_ = demo_runs
    with sqlite3.connect(out / "data" / "foerderradar.db") as db:
        calls = db.execute("SELECT count(*) FROM calls").fetchone()[0]
        distinct_urls = db.execute("SELECT count(DISTINCT url) FROM calls").fetchone()[0]
        classified = db.execute("SELECT count(*) FROM classifications").fetchone()[0]
    assert 20 <= calls <= 40
    assert distinct_urls == calls
    assert classified == calls


def test_digests_are_real_mime_with_html_preview(demo_runs):
    out, _, _, emls = demo_runs
    assert emls, "the demo writes at least one digest"
    ids = set()
    for path in emls:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert path.with_suffix(".html").is_file()
        kinds = [part.get_content_type() for part in message.walk()]
        assert "multipart/alternative" in kinds and "text/plain" in kinds and "text/html" in kinds
        ids.add(message["Message-ID"])
        assert "Förderradar" in message["Subject"]
        assert message.get_body(("plain",)).get_content().strip()
    assert len(ids) == len(emls), "every digest has its own Message-ID"


def test_review_csv_opens_in_a_spreadsheet(demo_runs):
    out, *_ = demo_runs
    raw = (out / "review.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "BOM so Excel reads UTF-8"
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:2] == ["id", "title"]


def test_second_run_finds_everything_unchanged_and_sends_nothing(demo_runs):
    out, first, second, emls = demo_runs
    assert "0 new, 0 updated" in second
    assert sorted((out / "outbox").glob("*.eml")) == emls
    with sqlite3.connect(out / "data" / "foerderradar.db") as db:
        versions = db.execute("SELECT count(*) FROM call_versions").fetchone()[0]
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT list_id, call_id, kind, item_key FROM deliveries"
            " GROUP BY 1, 2, 3, 4 HAVING count(*) > 1)"
        ).fetchone()[0]
    assert versions == 0 and duplicates == 0


def test_digests_name_fitting_members_and_a_consortium(demo_runs):
    """The demo's invented members (foerderradar/demo/config/members.yaml) fit the sample calls."""
    out, first, _, emls = demo_runs
    assert "members matched   21 members" in first
    texts = {}
    for path in emls:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        texts[path.name] = " ".join(message.get_body(("plain",)).get_content().split())
    network = next(t for name, t in texts.items() if name.startswith("ki-netzwerk"))
    assert "Passt zu: " in network and "Mögliches Konsortium: " in network and "(Lead, KMU)" in network
    personal = next(t for name, t in texts.items() if name.startswith("datenwerk-persoenlich"))
    assert "Passt zu Ihnen: " in personal and "Agrarinvestitionsförderung" not in personal
