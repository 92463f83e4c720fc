"""The store: migrations, WAL, upserts keyed on the stable id, versions, decisions that survive re-crawls."""

from __future__ import annotations

import json

import pytest

from foerderradar.models import Call, Classification, call_id_for
from foerderradar.store import MIGRATIONS, Store, StoreError


def make_call(text: str = "Einreichungsfrist ist der 31.03.2027.", **over) -> Call:
    url = over.pop("url", "https://www.example.org/aufruf.html")
    fields = dict(
        id=call_id_for("src", url),
        source_id="src",
        url=url,
        title="KI für KMU",
        text=text,
        published="2026-11-02",
        funder="BMFTR",
    )
    fields.update(over)
    return Call(**fields)


@pytest.fixture
def db(store):
    store.db["sources"].insert({"id": "src", "name": "Quelle", "kind": "feed", "url": "https://x"})
    return store


def test_migrations_are_numbered_once_and_recorded(tmp_path):
    versions = [m[0] for m in MIGRATIONS]
    assert len(versions) == len(set(versions))
    first = Store(tmp_path / "a.db")
    recorded = [r["version"] for r in first.rows("SELECT version FROM migrations ORDER BY version")]
    assert recorded == sorted(versions)
    first.close()
    assert Store(tmp_path / "a.db").migrate() == [], "re-opening applies nothing twice"


def test_wal_mode(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="bad.db: the database is damaged or not a database"):
        Store(bad)
    assert bad.read_bytes().startswith(b"this is not sqlite"), "the file is left as it was"


def test_recrawl_is_idempotent_and_a_change_is_a_version(db):
    assert db.save_call(make_call()) == "new"
    assert db.save_call(make_call()) == "unchanged"
    assert db.save_call(make_call(text="Einreichungsfrist ist der 30.04.2027.")) == "changed"
    assert db.rows("SELECT count(*) AS n FROM calls")[0]["n"] == 1
    version = db.rows("SELECT * FROM call_versions")[0]
    assert json.loads(version["changed"]) == ["text"]
    assert "31.03.2027" in json.loads(version["previous"])["text"]


def test_first_seen_survives_and_last_seen_moves(db):
    db.save_call(make_call(), seen_at="2026-11-01T06:00:00+00:00")
    db.save_call(make_call(), seen_at="2026-11-08T06:00:00+00:00")
    row = db.call(make_call().id)
    assert row["first_seen"].startswith("2026-11-01") and row["last_seen"].startswith("2026-11-08")


def test_coordinator_decision_survives_a_recrawl(db):
    call = make_call()
    db.save_call(call)
    db.save_reviews(
        [
            {
                "call_id": call.id,
                "decision": "reject",
                "reason": "nicht KI",
                "by": "ck",
                "at": "2026-11-20T10:00:00+00:00",
            }
        ]
    )
    db.save_call(call)
    assert db.rows("SELECT decision FROM reviews")[0]["decision"] == "reject"


def test_views_exist_and_answer(db):
    call = make_call()
    db.save_call(call)
    result = Classification(call.id, "de", True, 0.5, ("ki",), (), False, None, "unknown")
    db.save_classification(result, call.content_hash(), ["Score zwischen den Schwellen"])
    queue = db.review_queue()
    assert [r["id"] for r in queue] == [call.id]
    assert db.rows("SELECT id FROM open_calls")[0]["id"] == call.id


def test_a_later_copy_from_another_source_is_not_offered_to_the_digest(db):
    db.db["sources"].insert({"id": "fdb", "name": "FDB", "kind": "html", "url": "https://y"})
    first = make_call()
    copy = make_call(
        url="https://www.example.org/fdb/aufruf.html",
        source_id="fdb",
        id=call_id_for("fdb", "https://www.example.org/fdb/aufruf.html"),
    )
    for call in (first, copy):
        db.save_call(call)
        result = Classification(call.id, "de", True, 0.9, ("ki",), (), False, None, "open")
        db.save_classification(result, call.content_hash(), [])
    db.save_links([(copy.id, first.id, 0.97, "same title and funder")])
    assert [row["id"] for row in db.alert_rows()] == [first.id]
