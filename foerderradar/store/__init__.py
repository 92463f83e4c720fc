"""The one place that speaks SQL: the SQLite file every stage reads from and writes to.

Stages hand off through these tables: the crawler writes ``calls`` (and ``call_versions``,
``crawl_runs``), the classifier ``classifications``, the review ``reviews``, the alerts
``digests`` and ``deliveries``. Schema changes are numbered migrations (``store/schema.py``)
recorded in ``migrations``. The SQL is grouped by what it is about: ``calls.py``, ``review.py``,
``digests.py``, ``members.py``; ``Store`` mixes them into one object. What the queries return are
the typed rows of ``store/rows.py`` and ``store/review_rows.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from foerderradar.store.base import Tables, utcnow
from foerderradar.store.calls import VERSIONED_FIELDS, CallTables, call_from_row, facts_from_column
from foerderradar.store.checks import (
    StoreError,
    check_file,
    check_integrity,
    describe_sqlite_error,
    read_only_uri,
)
from foerderradar.store.digests import DigestTables
from foerderradar.store.members import MemberTables
from foerderradar.store.review import ReviewTables
from foerderradar.store.review_rows import (
    CannedQuery,
    FlagContext,
    QueueRow,
    ReviewCsvRow,
    ReviewPageRow,
    ReviewState,
    StoredReview,
)
from foerderradar.store.rows import (
    AlertRow,
    CallCopy,
    CallRow,
    CrawlRun,
    Delivery,
    DigestRow,
    InterestMark,
    LinkingRow,
    MatchRow,
    MatchRun,
    MemberMatch,
    NewDigest,
    SourceYield,
    StoredClassification,
    StoredConsortium,
    StoredFit,
    TrainingExample,
    WaitingCall,
)
from foerderradar.store.schema import MIGRATIONS

__all__ = [
    "MIGRATIONS",
    "VERSIONED_FIELDS",
    "AlertRow",
    "CallCopy",
    "CallRow",
    "CannedQuery",
    "CrawlRun",
    "Delivery",
    "DigestRow",
    "FlagContext",
    "InterestMark",
    "LinkingRow",
    "MatchRow",
    "MatchRun",
    "MemberMatch",
    "NewDigest",
    "QueueRow",
    "ReviewCsvRow",
    "ReviewPageRow",
    "ReviewState",
    "SourceYield",
    "Store",
    "StoreError",
    "StoredClassification",
    "StoredConsortium",
    "StoredFit",
    "StoredReview",
    "Tables",
    "TrainingExample",
    "WaitingCall",
    "call_from_row",
    "describe_sqlite_error",
    "facts_from_column",
    "utcnow",
]


class Store(CallTables, ReviewTables, DigestTables, MemberTables):
    """The SQLite file, checked and migrated on open, in WAL mode.

    ``reading_only`` is for commands that only read (``status``, ``review export``): they work on a file the
    user may not write (a copy, a backup, another user's database) and never migrate or write it.
    """

    def __init__(self, path: str | Path, *, reading_only: bool = False) -> None:
        self.path = Path(path)
        self.readonly = False
        try:
            self.readonly = check_file(self.path, reading_only)
            self.db = self._connect()
            try:
                self._check_and_migrate()
            except BaseException:
                self.db.close()  # a refused file is not held open
                raise
        except StoreError:
            raise
        except sqlite3.Error as exc:  # sqlite3.DatabaseError for a file that is not a database
            raise StoreError(describe_sqlite_error(exc, self.path)) from exc
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the database ({exc.strerror or exc})") from exc

    def _check_and_migrate(self) -> None:
        check_integrity(self.db, self.path)
        if self.readonly:
            self._check_migrated()
        else:
            self.migrate()

    def _connect(self) -> sqlite_utils.Database:
        if self.readonly:
            return sqlite_utils.Database(sqlite3.connect(read_only_uri(self.path), uri=True))
        db = sqlite_utils.Database(self.path)
        db.execute("PRAGMA busy_timeout=10000")  # first: switching to WAL waits for another writer too
        db.execute("PRAGMA journal_mode=WAL")
        # WAL's recommended level: no fsync per commit (a crawl commits once per call); a power
        # cut can lose the last commits, never corrupt the file
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def _check_migrated(self) -> None:
        done = {row[0] for row in self.db.execute("SELECT version FROM migrations").fetchall()}
        missing = sorted(version for version, _, _ in MIGRATIONS if version not in done)
        if missing:
            raise StoreError(
                f"{self.path}: read-only and not yet migrated to this version (missing migration "
                f"{', '.join(map(str, missing))}); run any writing command once as the file's owner"
            )

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
        one = self.scalar
        return {
            "calls": one("SELECT count(*) FROM calls"),
            "relevant": one("SELECT count(*) FROM classifications WHERE relevant = 1"),
            "flagged": one("SELECT count(*) FROM review_queue"),
            "with_deadline": one("SELECT count(*) FROM classifications WHERE deadlines != '[]'"),
            "digests_sent": one("SELECT count(*) FROM digests WHERE status = 'sent'"),
            "digests_pending": one("SELECT count(*) FROM digests WHERE status = 'pending'"),
        }
