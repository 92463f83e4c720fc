"""The one place that speaks SQL: the SQLite file every stage reads from and writes to.

Stages hand off through these tables: the crawler writes ``calls`` (and ``call_versions``,
``crawl_runs``), the classifier ``classifications``, the review ``reviews``, the alerts
``digests`` and ``deliveries``. Schema changes are numbered migrations (``store/schema.py``)
recorded in ``migrations``. The SQL is grouped by what it is about: ``calls.py``, ``review.py``,
``digests.py``, ``members.py``; ``Store`` mixes them into one object.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from foerderradar.store.base import Tables, utcnow
from foerderradar.store.calls import VERSIONED_FIELDS, CallTables, call_from_row
from foerderradar.store.digests import DigestTables
from foerderradar.store.members import MemberTables
from foerderradar.store.review import ReviewTables
from foerderradar.store.schema import MIGRATIONS

__all__ = ["MIGRATIONS", "VERSIONED_FIELDS", "Store", "StoreError", "Tables", "call_from_row", "utcnow"]


class StoreError(Exception):
    """The database file cannot be opened or migrated."""


class Store(CallTables, ReviewTables, DigestTables, MemberTables):
    """The SQLite file, migrated on open, in WAL mode."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA journal_mode=WAL")
            # WAL's recommended level: no fsync per commit (a crawl commits once per call); a power
            # cut can lose the last commits, never corrupt the file
            self.db.execute("PRAGMA synchronous=NORMAL")
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
                self.db.table("migrations").insert({"version": version, "name": name, "applied_at": utcnow()})
            applied.append(version)
        return applied

    # --- sources -------------------------------------------------------------------------

    def sync_sources(self, sources: Iterable[Any]) -> None:
        """Record the configured sources (config objects with id, name, kind, url, enabled)."""
        now = utcnow()
        with self.db.conn:
            for source in sources:
                existing = self.rows("SELECT first_seen FROM sources WHERE id = ?", [source.id])
                self.db.table("sources").upsert(
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

    # --- scheduler (jobs.py) -------------------------------------------------------------

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the live database via SQLite's online backup API (safe under WAL)."""

        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        destination = sqlite3.connect(partial)
        try:
            with destination:
                self.db.conn.backup(destination)
        finally:
            destination.close()
        partial.replace(target)  # a crash mid-backup never leaves a half file under the real name
        return target

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
