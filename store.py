"""The one module that speaks SQL: the SQLite file every stage reads from and writes to.

Stages hand off through these tables: the crawler writes ``calls`` (and ``call_versions``,
``crawl_runs``), the classifier ``classifications``, the review ``reviews``, the alerts
``digests`` and ``deliveries``. Schema changes are numbered migrations recorded in ``migrations``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from models import Call, Classification

VERSIONED_FIELDS = ("title", "text", "published", "funder", "fields")


def utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# --- migrations ----------------------------------------------------------------------------

_SCHEMA_1 = """
CREATE TABLE sources (
    id TEXT PRIMARY KEY, name TEXT, kind TEXT, url TEXT, enabled INTEGER,
    first_seen TEXT, config TEXT
);
CREATE TABLE calls (
    id TEXT PRIMARY KEY, source_id TEXT NOT NULL REFERENCES sources(id), url TEXT NOT NULL,
    title TEXT NOT NULL, text TEXT NOT NULL, published TEXT, funder TEXT, language TEXT,
    external_id TEXT, fields TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    content_hash TEXT NOT NULL, canonical_id TEXT
);
CREATE INDEX calls_source ON calls(source_id);
CREATE TABLE call_versions (
    id INTEGER PRIMARY KEY, call_id TEXT NOT NULL REFERENCES calls(id), seen_at TEXT NOT NULL,
    changed TEXT NOT NULL, previous TEXT NOT NULL, content_hash TEXT NOT NULL
);
CREATE INDEX call_versions_call ON call_versions(call_id);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, source_id TEXT NOT NULL, started TEXT,
    finished TEXT, requests INTEGER DEFAULT 0, responses TEXT DEFAULT '{}', items INTEGER DEFAULT 0,
    new INTEGER DEFAULT 0, changed INTEGER DEFAULT 0, unchanged INTEGER DEFAULT 0,
    dropped INTEGER DEFAULT 0, errors INTEGER DEFAULT 0, blocked INTEGER DEFAULT 0,
    error_messages TEXT DEFAULT '[]'
);
CREATE INDEX crawl_runs_source ON crawl_runs(source_id, id);
CREATE TABLE classifications (
    call_id TEXT PRIMARY KEY REFERENCES calls(id), language TEXT, relevant INTEGER, score REAL,
    topics TEXT, deadlines TEXT, next_deadline TEXT, rolling INTEGER, status TEXT, evidence TEXT,
    flagged INTEGER DEFAULT 0, flag_reasons TEXT DEFAULT '[]', content_hash TEXT,
    model_version TEXT, config_version TEXT, classified_at TEXT
);
CREATE TABLE reviews (
    call_id TEXT PRIMARY KEY REFERENCES calls(id), decision TEXT NOT NULL, reason TEXT,
    note TEXT, by TEXT, at TEXT NOT NULL, content_hash TEXT
);
CREATE TABLE digests (
    id TEXT PRIMARY KEY, list_id TEXT NOT NULL, created TEXT NOT NULL, status TEXT NOT NULL,
    message_id TEXT NOT NULL, subject TEXT, call_ids TEXT NOT NULL, message TEXT NOT NULL,
    attempts INTEGER DEFAULT 0, last_error TEXT, sent_at TEXT
);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY, list_id TEXT NOT NULL, call_id TEXT NOT NULL REFERENCES calls(id),
    digest_id TEXT NOT NULL REFERENCES digests(id), message_id TEXT NOT NULL, sent_at TEXT NOT NULL,
    version_id INTEGER
);
CREATE UNIQUE INDEX deliveries_once ON deliveries(list_id, call_id, ifnull(version_id, 0));
"""

_VIEWS_1 = """
CREATE VIEW review_queue AS
SELECT c.id, c.title, c.source_id, c.url, k.score, k.topics, k.next_deadline,
       k.flag_reasons AS why_flagged, r.decision, r.reason, c.first_seen
FROM calls c JOIN classifications k ON k.call_id = c.id
LEFT JOIN reviews r ON r.call_id = c.id
WHERE k.flagged = 1 AND (r.decision IS NULL OR r.content_hash IS NOT c.content_hash)
ORDER BY c.first_seen DESC, c.id;

CREATE VIEW open_calls AS
SELECT c.id, c.title, c.funder, c.source_id, c.url, k.score, k.topics, k.next_deadline,
       k.status, k.rolling, r.decision
FROM calls c JOIN classifications k ON k.call_id = c.id
LEFT JOIN reviews r ON r.call_id = c.id
WHERE (k.relevant = 1 OR r.decision = 'accept') AND r.decision IS NOT 'reject'
  AND k.status != 'closed'
ORDER BY k.next_deadline IS NULL, k.next_deadline, c.title;
"""


def _migration_1(db: sqlite_utils.Database) -> None:
    db.executescript(_SCHEMA_1)
    db["calls"].enable_fts(["title", "text", "funder"], create_triggers=True)
    db.executescript(_VIEWS_1)


MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "initial schema: sources, calls, versions, runs, classifications, reviews, digests", _migration_1),
]


class StoreError(Exception):
    """The database file cannot be opened or migrated."""


class Store:
    """The SQLite file, migrated on open, in WAL mode."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except Exception as exc:  # sqlite3.DatabaseError for a file that is not a database
            raise StoreError(f"{self.path}: cannot open the database ({exc})") from exc

    def close(self) -> None:
        self.db.close()

    def migrate(self) -> list[int]:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
        )
        done = {row[0] for row in self.db.execute("SELECT version FROM migrations").fetchall()}
        applied = []
        for version, name, step in sorted(MIGRATIONS, key=lambda m: m[0]):
            if version in done:
                continue
            with self.db.conn:
                step(self.db)
                self.db["migrations"].insert({"version": version, "name": name, "applied_at": utcnow()})
            applied.append(version)
        return applied

    def rows(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    # --- sources -------------------------------------------------------------------------

    def sync_sources(self, sources: Iterable[Any]) -> None:
        """Record the configured sources (config objects with id, name, kind, url, enabled)."""
        now = utcnow()
        with self.db.conn:
            for source in sources:
                existing = self.rows("SELECT first_seen FROM sources WHERE id = ?", [source.id])
                self.db["sources"].upsert(
                    {
                        "id": source.id,
                        "name": source.name,
                        "kind": source.kind,
                        "url": source.url,
                        "enabled": int(source.enabled),
                        "first_seen": existing[0]["first_seen"] if existing else now,
                        "config": source.model_dump_json(),
                    },
                    pk="id",
                )

    # --- calls ---------------------------------------------------------------------------

    def save_call(self, call: Call, seen_at: str | None = None) -> str:
        """Insert or update one call; returns ``new``, ``changed`` or ``unchanged``.

        A changed call keeps its first_seen and gets a ``call_versions`` row naming the fields that
        changed and their previous values.
        """
        seen_at = seen_at or utcnow()
        row = call.as_row()
        content_hash = call.content_hash()
        with self.db.conn:
            old = self.rows("SELECT * FROM calls WHERE id = ?", [call.id])
            if not old:
                self.db["calls"].insert(
                    {**row, "first_seen": seen_at, "last_seen": seen_at, "content_hash": content_hash}
                )
                return "new"
            previous = old[0]
            if previous["content_hash"] == content_hash:
                self.db.execute("UPDATE calls SET last_seen = ? WHERE id = ?", [seen_at, call.id])
                return "unchanged"
            changed = [f for f in VERSIONED_FIELDS if previous[f] != row[f]]
            self.db["call_versions"].insert(
                {
                    "call_id": call.id,
                    "seen_at": seen_at,
                    "changed": json.dumps(changed),
                    "previous": json.dumps({f: previous[f] for f in changed}, ensure_ascii=False),
                    "content_hash": previous["content_hash"],
                }
            )
            self.db["calls"].update(
                call.id, {**row, "last_seen": seen_at, "content_hash": content_hash}
            )
            return "changed"

    def call(self, call_id: str) -> dict[str, Any] | None:
        found = self.rows("SELECT * FROM calls WHERE id = ?", [call_id])
        return found[0] if found else None

    def calls_to_classify(
        self, model_version: str, config_version: str, everything: bool = False
    ) -> Iterator[Call]:
        """Calls without a classification, or whose text, model or keywords changed since."""
        sql = """SELECT c.* FROM calls c LEFT JOIN classifications k ON k.call_id = c.id
                 WHERE ? OR k.call_id IS NULL OR k.content_hash IS NOT c.content_hash
                    OR k.model_version IS NOT ? OR k.config_version IS NOT ?
                 ORDER BY c.id"""
        for row in self.db.query(sql, [int(everything), model_version, config_version]):
            yield call_from_row(row)

    # --- crawl runs ----------------------------------------------------------------------

    def record_crawl_run(self, run: dict[str, Any]) -> int:
        row = dict(run)
        for key in ("responses", "error_messages"):
            if key in row and not isinstance(row[key], str):
                row[key] = json.dumps(row[key], ensure_ascii=False)
        return self.db["crawl_runs"].insert(row).last_pk

    def crawl_runs(self, run_id: str | None = None) -> list[dict[str, Any]]:
        if run_id:
            return self.rows("SELECT * FROM crawl_runs WHERE run_id = ? ORDER BY id", [run_id])
        return self.rows("SELECT * FROM crawl_runs ORDER BY id")

    # --- classifications -----------------------------------------------------------------

    def save_classification(
        self,
        result: Classification,
        content_hash: str,
        flag_reasons: list[str],
        at: str | None = None,
    ) -> None:
        self.db["classifications"].upsert(
            {
                "call_id": result.call_id,
                "language": result.language,
                "relevant": int(result.relevant),
                "score": result.score,
                "topics": json.dumps(list(result.topics)),
                "deadlines": json.dumps([asdict(d) for d in result.deadlines], ensure_ascii=False),
                "next_deadline": result.next_deadline,
                "rolling": int(result.rolling),
                "status": result.status,
                "evidence": json.dumps([asdict(e) for e in result.evidence], ensure_ascii=False),
                "flagged": int(bool(flag_reasons)),
                "flag_reasons": json.dumps(flag_reasons, ensure_ascii=False),
                "content_hash": content_hash,
                "model_version": result.model_version,
                "config_version": result.config_version,
                "classified_at": at or utcnow(),
            },
            pk="call_id",
        )

    def classification(self, call_id: str) -> dict[str, Any] | None:
        found = self.rows("SELECT * FROM classifications WHERE call_id = ?", [call_id])
        return found[0] if found else None

    # --- reviews -------------------------------------------------------------------------

    def review_queue(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM review_queue")

    def save_reviews(self, decisions: list[dict[str, Any]]) -> int:
        """Store coordinator decisions all at once (all or nothing); keyed on the call id."""
        with self.db.conn:
            for decision in decisions:
                current = self.call(decision["call_id"])
                if current is None:
                    raise KeyError(decision["call_id"])
                self.db["reviews"].upsert(
                    {**decision, "content_hash": current["content_hash"]}, pk="call_id"
                )
        return len(decisions)

    # --- digests and deliveries ----------------------------------------------------------

    def digest_candidates(self, list_id: str) -> list[dict[str, Any]]:
        """Classified calls not yet delivered to this list, with their review decision."""
        sql = """SELECT c.*, k.relevant, k.score, k.topics, k.deadlines, k.next_deadline, k.rolling,
                        k.status, k.evidence, r.decision, r.reason AS review_reason
                 FROM calls c JOIN classifications k ON k.call_id = c.id
                 LEFT JOIN reviews r ON r.call_id = c.id
                 WHERE NOT EXISTS (SELECT 1 FROM deliveries d
                                   WHERE d.list_id = ? AND d.call_id = c.id AND d.version_id IS NULL)"""
        return self.rows(sql, [list_id])

    def pending_digests(self, list_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM digests WHERE status = 'pending'"
        params: list[Any] = []
        if list_id:
            sql += " AND list_id = ?"
            params.append(list_id)
        return self.rows(sql + " ORDER BY created", params)

    def record_digest(self, digest: dict[str, Any]) -> None:
        """Store a built digest as pending before anything is sent (exactly-once delivery)."""
        row = {**digest, "call_ids": json.dumps(list(digest["call_ids"])), "status": "pending"}
        self.db["digests"].insert(row, pk="id")

    def mark_digest_sent(self, digest_id: str, sent_at: str | None = None) -> None:
        """Mark the digest sent and write one delivery per call, in one transaction."""
        sent_at = sent_at or utcnow()
        with self.db.conn:
            digest = self.rows("SELECT * FROM digests WHERE id = ?", [digest_id])[0]
            self.db.execute(
                "UPDATE digests SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                [sent_at, digest_id],
            )
            for call_id in json.loads(digest["call_ids"]):
                self.db.execute(
                    """INSERT OR IGNORE INTO deliveries (list_id, call_id, digest_id, message_id, sent_at)
                       VALUES (?, ?, ?, ?, ?)""",
                    [digest["list_id"], call_id, digest_id, digest["message_id"], sent_at],
                )

    def mark_digest_failed(self, digest_id: str, error: str) -> None:
        self.db.execute(
            "UPDATE digests SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            [error[:500], digest_id],
        )

    # --- overview ------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "calls": one("SELECT count(*) FROM calls"),
            "relevant": one("SELECT count(*) FROM classifications WHERE relevant = 1"),
            "flagged": one("SELECT count(*) FROM review_queue"),
            "with_deadline": one("SELECT count(*) FROM classifications WHERE deadlines != '[]'"),
            "digests_sent": one("SELECT count(*) FROM digests WHERE status = 'sent'"),
            "digests_pending": one("SELECT count(*) FROM digests WHERE status = 'pending'"),
        }


def call_from_row(row: dict[str, Any]) -> Call:
    return Call(
        id=row["id"],
        source_id=row["source_id"],
        url=row["url"],
        title=row["title"],
        text=row["text"],
        published=row["published"],
        funder=row["funder"],
        language=row["language"],
        external_id=row["external_id"],
        fields=json.loads(row["fields"] or "{}"),
    )
