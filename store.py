"""The one module that speaks SQL: the SQLite file every stage reads from and writes to.

Stages hand off through these tables: the crawler writes ``calls`` (and ``call_versions``,
``crawl_runs``), the classifier ``classifications``, the review ``reviews``, the alerts
``digests`` and ``deliveries``. Schema changes are numbered migrations recorded in ``migrations``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from models import Call, Classification

VERSIONED_FIELDS = ("title", "text", "published", "funder", "fields")


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


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
    db.table("calls").enable_fts(["title", "text", "funder"], create_triggers=True)
    db.executescript(_VIEWS_1)


# Review (review/): what a decision "saw" is the call's material state — its title and the dates
# and kinds of its deadlines. A decided call whose material state changes (a new deadline, a new
# stage) comes back to the queue; a reworded paragraph or a call closing by date does not.
_REVIEW_MATERIAL = """
ALTER TABLE reviews ADD COLUMN material TEXT;
CREATE VIEW call_material AS
SELECT k.call_id, json_array(c.title, (
         SELECT json_group_array(x) FROM (
           SELECT DISTINCT ifnull(json_extract(d.value, '$.date'), '?') || ' ' ||
                           ifnull(json_extract(d.value, '$.kind'), '') AS x
           FROM json_each(k.deadlines) d ORDER BY x))) AS material
FROM classifications k JOIN calls c ON c.id = k.call_id;
UPDATE reviews SET material = (SELECT material FROM call_material m WHERE m.call_id = reviews.call_id)
WHERE content_hash IS (SELECT content_hash FROM calls WHERE calls.id = reviews.call_id);
CREATE TRIGGER reviews_seen_insert AFTER INSERT ON reviews BEGIN
  UPDATE reviews SET material = (SELECT material FROM call_material WHERE call_id = NEW.call_id),
                     content_hash = (SELECT content_hash FROM calls WHERE id = NEW.call_id)
  WHERE call_id = NEW.call_id;
END;
CREATE TRIGGER reviews_seen_update AFTER UPDATE OF decision, reason, note, at ON reviews BEGIN
  UPDATE reviews SET material = (SELECT material FROM call_material WHERE call_id = NEW.call_id),
                     content_hash = (SELECT content_hash FROM calls WHERE id = NEW.call_id)
  WHERE call_id = NEW.call_id;
END;
DROP VIEW review_queue;
CREATE VIEW review_queue AS
SELECT c.id, c.title, c.source_id, c.url, k.score, k.topics, k.next_deadline,
       CASE WHEN r.decision IS NULL THEN k.flag_reasons
            ELSE json_insert(k.flag_reasons, '$[#]',
                             'geändert seit der Entscheidung (' || r.decision || ')') END AS why_flagged,
       r.decision, r.reason, r.note, r.by AS decided_by, r.at AS decided_at, c.first_seen
FROM calls c JOIN classifications k ON k.call_id = c.id
LEFT JOIN reviews r ON r.call_id = c.id
LEFT JOIN call_material m ON m.call_id = c.id
WHERE (r.decision IS NULL AND k.flagged = 1) OR (r.decision IS NOT NULL AND r.material IS NOT m.material)
ORDER BY c.first_seen DESC, c.id;
"""


def _migration_review_material(db: sqlite_utils.Database) -> None:
    db.executescript(_REVIEW_MATERIAL)


def _migration_review_title_index(db: sqlite_utils.Database) -> None:
    # Store.flag_context looks up calls by normalised title once per classified call
    db.execute("CREATE INDEX IF NOT EXISTS calls_title_key ON calls(lower(trim(title)))")


# Crawler (crawler/): bytes downloaded per run, so an incremental run can be compared to a full one.
def _migration_crawl_bytes(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE crawl_runs ADD COLUMN bytes INTEGER DEFAULT 0")


# Alerts (alerts/): a delivery remembers what kind of news it was (a new call, an update of a
# call, a closing-soon reminder for one stage's deadline), the key that makes it unique (the call
# version, the deadline) and a snapshot of the deadlines as the list was told them, so the next
# digest can say "Frist verschoben: 15.04. → 30.04.". A digest stores its items before it is sent.
_ALERT_ITEMS = """
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'new';
ALTER TABLE deliveries ADD COLUMN item_key TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN snapshot TEXT;
DROP INDEX deliveries_once;
CREATE UNIQUE INDEX deliveries_once ON deliveries(list_id, call_id, kind, item_key);
CREATE INDEX deliveries_list ON deliveries(list_id, call_id);
ALTER TABLE digests ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
ALTER TABLE digests ADD COLUMN day TEXT;
CREATE INDEX digests_list ON digests(list_id, status);
"""


def _migration_alert_items(db: sqlite_utils.Database) -> None:
    db.executescript(_ALERT_ITEMS)


# Crawler (crawler/links.py): the same call reached through two sources. Each copy stays a row of
# its own (where and when it was first seen); later copies point at the first seen through
# ``calls.canonical_id``, and ``call_links`` says why. ``call_copies`` lists every copy per call.
_CALL_LINKS = """
CREATE TABLE call_links (
    call_id TEXT PRIMARY KEY REFERENCES calls(id), canonical_id TEXT NOT NULL REFERENCES calls(id),
    score REAL, reason TEXT, linked_at TEXT
);
CREATE INDEX calls_canonical ON calls(canonical_id);
CREATE VIEW call_copies AS
SELECT coalesce(c.canonical_id, c.id) AS canonical_id, c.id, c.source_id, c.url, c.first_seen,
       l.reason, l.score
FROM calls c LEFT JOIN call_links l ON l.call_id = c.id
ORDER BY coalesce(c.canonical_id, c.id), c.first_seen, c.id;
"""


def _migration_call_links(db: sqlite_utils.Database) -> None:
    db.executescript(_CALL_LINKS)


MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "initial schema: sources, calls, versions, runs, classifications, reviews, digests", _migration_1),
    (
        2,
        "review: decisions remember the material state they saw; review_queue v2",
        _migration_review_material,
    ),
    (3, "crawler: bytes downloaded per crawl run", _migration_crawl_bytes),
    (4, "alerts: delivery kinds (new, update, closing), snapshots, digest items", _migration_alert_items),
    (5, "crawler: cross-source duplicate links (call_links, call_copies)", _migration_call_links),
    (6, "review: index for the same-title duplicate flag", _migration_review_title_index),
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

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

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
                self.db.table("calls").insert(
                    {**row, "first_seen": seen_at, "last_seen": seen_at, "content_hash": content_hash}
                )
                return "new"
            previous = old[0]
            if previous["content_hash"] == content_hash:
                self.db.execute("UPDATE calls SET last_seen = ? WHERE id = ?", [seen_at, call.id])
                return "unchanged"
            changed = [f for f in VERSIONED_FIELDS if previous[f] != row[f]]
            self.db.table("call_versions").insert(
                {
                    "call_id": call.id,
                    "seen_at": seen_at,
                    "changed": json.dumps(changed),
                    "previous": json.dumps({f: previous[f] for f in changed}, ensure_ascii=False),
                    "content_hash": previous["content_hash"],
                }
            )
            self.db.table("calls").update(
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
        return int(self.db.table("crawl_runs").insert(row).last_pk or 0)

    def crawl_runs(self, run_id: str | None = None) -> list[dict[str, Any]]:
        if run_id:
            return self.rows("SELECT * FROM crawl_runs WHERE run_id = ? ORDER BY id", [run_id])
        return self.rows("SELECT * FROM crawl_runs ORDER BY id")

    def recent_crawl_runs(self, per_source: int = 10) -> dict[str, list[dict[str, Any]]]:
        """The last ``per_source`` runs of each source, oldest first (for health and ``status``)."""
        sql = """SELECT * FROM (
                   SELECT *, row_number() OVER (PARTITION BY source_id ORDER BY id DESC) AS recent
                   FROM crawl_runs)
                 WHERE recent <= ? ORDER BY source_id, id"""
        runs: dict[str, list[dict[str, Any]]] = {}
        for row in self.db.query(sql, [per_source]):
            row.pop("recent", None)
            runs.setdefault(row["source_id"], []).append(row)
        return runs

    # --- crawler: cross-source duplicates (crawler/links.py) ------------------------------

    def calls_for_linking(self) -> list[dict[str, Any]]:
        """What duplicate matching reads of every call (text cut: dates stand early)."""
        return self.rows(
            """SELECT id, source_id, title, funder, external_id, first_seen, substr(text, 1, 20000) AS text
               FROM calls ORDER BY id"""
        )

    def save_links(self, links: list[tuple[str, str, float, str]], at: str | None = None) -> None:
        """Replace the duplicate links: (call_id, canonical_id, score, reason) per later copy."""
        at = at or utcnow()
        with self.db.conn:
            self.db.execute("DELETE FROM call_links")
            self.db.execute("UPDATE calls SET canonical_id = NULL WHERE canonical_id IS NOT NULL")
            for call_id, canonical_id, score, reason in links:
                self.db.execute(
                    "INSERT INTO call_links (call_id, canonical_id, score, reason, linked_at) VALUES (?, ?, ?, ?, ?)",
                    [call_id, canonical_id, score, reason, at],
                )
                self.db.execute("UPDATE calls SET canonical_id = ? WHERE id = ?", [canonical_id, call_id])

    def call_copies(self, call_id: str) -> list[dict[str, Any]]:
        """Every copy of the call this id belongs to: source, URL and when each was first seen."""
        sql = """SELECT * FROM call_copies WHERE canonical_id =
                   (SELECT coalesce(canonical_id, id) FROM calls WHERE id = ?)"""
        return self.rows(sql, [call_id])

    # --- classifications -----------------------------------------------------------------

    def save_classification(
        self,
        result: Classification,
        content_hash: str,
        flag_reasons: list[str],
        at: str | None = None,
    ) -> None:
        self.db.table("classifications").upsert(
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

    # --- classifier: training data (classifier/train.py) ---------------------------------

    def training_examples(self) -> list[dict[str, Any]]:
        """The coordinator's decisions with their calls' text: accept → relevant, reject → not."""
        sql = """SELECT c.id, c.title, c.text, c.language, r.decision
                 FROM reviews r JOIN calls c ON c.id = r.call_id
                 WHERE r.decision IN ('accept', 'reject') ORDER BY c.id"""
        return self.rows(sql)

    # --- reviews (review/: flags, CSV, web view) -----------------------------------------

    def review_queue(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM review_queue")

    def review_rows(
        self, everything: bool = False, since: str | None = None, until: str | None = None
    ) -> list[dict[str, Any]]:
        """The queue (or every classified call) for the CSV, optionally by first_seen date range.

        ``decision_current`` is false where the call changed materially since it was decided.
        """
        if everything:
            sql = """SELECT c.id, c.title, c.source_id, c.url, k.score, k.topics, k.next_deadline,
                            k.flag_reasons AS why_flagged, r.decision, r.reason, r.note, c.first_seen
                     FROM calls c JOIN classifications k ON k.call_id = c.id
                     LEFT JOIN reviews r ON r.call_id = c.id"""
        else:
            sql = "SELECT * FROM review_queue"
        sql = f"""SELECT q.*, (r.material IS m.material) AS decision_current FROM ({sql}) q
                  LEFT JOIN reviews r ON r.call_id = q.id LEFT JOIN call_material m ON m.call_id = q.id"""
        sql = f"SELECT * FROM ({sql}) WHERE (? IS NULL OR substr(first_seen, 1, 10) >= ?)"
        sql += " AND (? IS NULL OR substr(first_seen, 1, 10) <= ?) ORDER BY first_seen DESC, id"
        return self.rows(sql, [since, since, until, until])

    def review_state(self) -> dict[str, dict[str, Any]]:
        """Every call id with its stored decision and whether that decision saw the current state."""
        sql = """SELECT c.id, r.decision, r.reason, r.note, r.by,
                        (r.material IS m.material AND r.decision IS NOT NULL) AS current
                 FROM calls c LEFT JOIN reviews r ON r.call_id = c.id
                 LEFT JOIN call_material m ON m.call_id = c.id"""
        return {row.pop("id"): row for row in self.rows(sql)}

    def flag_context(self, call_id: str) -> dict[str, Any]:
        """What the flagging rules need to know about a call beyond its new classification."""
        sql = """SELECT c.first_seen AS call_first_seen, c.canonical_id, c.title,
                        s.first_seen AS source_first_seen,
                        (SELECT min(first_seen) FROM sources) AS install_first_seen,
                        k.deadlines AS previous_deadlines, k.flag_reasons AS previous_reasons,
                        k.classified_at AS previous_classified_at,
                        r.decision, r.at AS decided_at
                 FROM calls c LEFT JOIN sources s ON s.id = c.source_id
                 LEFT JOIN classifications k ON k.call_id = c.id
                 LEFT JOIN reviews r ON r.call_id = c.id WHERE c.id = ?"""
        found = self.rows(sql, [call_id])
        if not found:
            raise KeyError(call_id)
        context = found[0]
        previous = context["previous_deadlines"]
        context["previous_deadlines"] = (
            None if previous is None else [d.get("date") for d in json.loads(previous)]
        )
        context["previous_reasons"] = json.loads(context["previous_reasons"] or "[]")
        if context["canonical_id"] == call_id:
            context["canonical_id"] = None
        # a call with the same title from another source is most likely the same call
        same = self.rows(
            """SELECT id FROM calls WHERE id != ? AND source_id != (SELECT source_id FROM calls WHERE id = ?)
               AND lower(trim(title)) = lower(trim(?)) ORDER BY first_seen, id LIMIT 1""",
            [call_id, call_id, context.pop("title")],
        )
        context["duplicate_of"] = context["canonical_id"] or (same[0]["id"] if same else None)
        return context

    def web_queries(self, reason_codes: list[str]) -> dict[str, dict[str, Any]]:
        """Datasette canned queries for the review web view (accept, reject, sources' health)."""
        codes = ", ".join("'" + code.replace("'", "''") + "'" for code in reason_codes) or "NULL"
        # an unknown id or reason leaves decision NULL, so the NOT NULL constraint refuses the write
        # and the web view shows the error message instead of a silent "0 rows affected"
        upsert = """INSERT INTO reviews (call_id, decision, reason, note, by, at)
            SELECT trim(:call_id),
                   CASE WHEN EXISTS (SELECT 1 FROM calls WHERE id = trim(:call_id)) AND {reason_ok}
                        THEN '{decision}' END,
                   nullif(trim(:reason), ''), nullif(trim(:note), ''), :_actor_id, :_now_datetime_utc
            WHERE 1
            ON CONFLICT(call_id) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
               note = excluded.note, by = excluded.by, at = excluded.at"""
        health = """SELECT s.id AS source_id, s.name, s.enabled, r.started AS last_run, r.requests,
                r.items, r.new, r.changed, r.errors, r.blocked, r.error_messages,
                (SELECT count(*) FROM calls c WHERE c.source_id = s.id) AS calls
            FROM sources s LEFT JOIN crawl_runs r
              ON r.id = (SELECT max(id) FROM crawl_runs WHERE source_id = s.id)
            ORDER BY r.errors + r.blocked DESC, s.id"""
        return {
            "accept_call": {
                "sql": upsert.format(
                    decision="accept", reason_ok=f"(trim(:reason) = '' OR trim(:reason) IN ({codes}))"
                ),
                "write": True,
            },
            "reject_call": {
                "sql": upsert.format(decision="reject", reason_ok=f"trim(:reason) IN ({codes})"),
                "write": True,
            },
            "source_health": {"sql": health},
        }

    def save_reviews(self, decisions: list[dict[str, Any]]) -> int:
        """Store coordinator decisions all at once (all or nothing); keyed on the call id."""
        with self.db.conn:
            for decision in decisions:
                current = self.call(decision["call_id"])
                if current is None:
                    raise KeyError(decision["call_id"])
                self.db.table("reviews").upsert(
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
                                   WHERE d.list_id = ? AND d.call_id = c.id AND d.kind = 'new')"""
        return self.rows(sql, [list_id])

    def alert_rows(self) -> list[dict[str, Any]]:
        """What the digest needs of every call that some list may get (relevant or accepted, not
        rejected, not a later copy of a call another source published first): no call text, so 20,000 calls load in a blink. ``version_id`` is the call's
        latest ``call_versions`` row, the key of an update."""
        sql = """SELECT c.id, c.source_id, s.name AS source_name, c.url, c.title, c.funder, c.fields,
                        c.published, c.first_seen, k.relevant, k.score, k.topics, k.deadlines,
                        k.next_deadline, k.rolling, k.status, k.flagged, r.decision,
                        (SELECT max(v.id) FROM call_versions v WHERE v.call_id = c.id) AS version_id
                 FROM calls c JOIN classifications k ON k.call_id = c.id
                 LEFT JOIN sources s ON s.id = c.source_id
                 LEFT JOIN reviews r ON r.call_id = c.id
                 WHERE (k.relevant = 1 OR r.decision = 'accept') AND r.decision IS NOT 'reject'
                   AND (c.canonical_id IS NULL OR c.canonical_id = c.id)"""
        return self.rows(sql)

    def deliveries_for(self, list_id: str) -> list[dict[str, Any]]:
        """Every item this list was sent, oldest first (kind, item_key, version_id, snapshot)."""
        sql = """SELECT call_id, kind, item_key, version_id, snapshot, sent_at FROM deliveries
                 WHERE list_id = ? ORDER BY id"""
        return self.rows(sql, [list_id])

    def last_digest_day(self, list_id: str) -> str | None:
        """Reference day (``YYYY-MM-DD``) of the newest digest built for this list, sent or not."""
        sql = "SELECT max(ifnull(day, substr(created, 1, 10))) FROM digests WHERE list_id = ?"
        return self.db.execute(sql, [list_id]).fetchone()[0]

    def digest(self, digest_id: str) -> dict[str, Any] | None:
        found = self.rows("SELECT * FROM digests WHERE id = ?", [digest_id])
        return found[0] if found else None

    def review_waiting(self) -> list[dict[str, Any]]:
        """Undecided calls in the review queue with the day they were first seen, oldest first."""
        sql = """SELECT id, title, first_seen FROM review_queue WHERE decision IS NULL
                 ORDER BY first_seen, id"""
        return self.rows(sql)

    def pending_digests(self, list_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM digests WHERE status = 'pending'"
        params: list[Any] = []
        if list_id:
            sql += " AND list_id = ?"
            params.append(list_id)
        return self.rows(sql + " ORDER BY created", params)

    def record_digest(self, digest: dict[str, Any]) -> bool:
        """Store a built digest as pending before anything is sent (exactly-once delivery).

        Returns False and stores nothing when another run got there first: the list already has a
        pending digest, or one of this digest's items was delivered since it was built. The check and
        the insert share one write transaction (BEGIN IMMEDIATE), so two runs cannot both pass it.
        """
        row = {**digest, "call_ids": json.dumps(list(digest["call_ids"])), "status": "pending"}
        items = row.get("items") or []
        if isinstance(items, str):
            items = json.loads(items)
        row["items"] = json.dumps(items, ensure_ascii=False)
        conn = self.db.conn
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        try:
            pending = conn.execute(
                "SELECT 1 FROM digests WHERE list_id = ? AND status = 'pending'", [row["list_id"]]
            ).fetchone()
            delivered = any(
                conn.execute(
                    "SELECT 1 FROM deliveries WHERE list_id = ? AND call_id = ? AND kind = ? AND item_key = ?",
                    [row["list_id"], i["call_id"], i.get("kind", "new"), i.get("item_key", "")],
                ).fetchone()
                for i in items
            )
            if pending or delivered:
                conn.rollback()
                return False
            self.db.table("digests").insert(row, pk="id")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        return True

    def mark_digest_sent(self, digest_id: str, sent_at: str | None = None) -> None:
        """Mark the digest sent and write one delivery per call, in one transaction."""
        sent_at = sent_at or utcnow()
        with self.db.conn:
            digest = self.rows("SELECT * FROM digests WHERE id = ?", [digest_id])[0]
            self.db.execute(
                "UPDATE digests SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                [sent_at, digest_id],
            )
            items = json.loads(digest.get("items") or "[]") or [
                {"call_id": call_id} for call_id in json.loads(digest["call_ids"])
            ]
            for item in items:
                snapshot = item.get("snapshot")
                self.db.execute(
                    """INSERT OR IGNORE INTO deliveries (list_id, call_id, digest_id, message_id, sent_at,
                                                        version_id, kind, item_key, snapshot)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [
                        digest["list_id"],
                        item["call_id"],
                        digest_id,
                        digest["message_id"],
                        sent_at,
                        item.get("version_id"),
                        item.get("kind", "new"),
                        item.get("item_key", ""),
                        None if snapshot is None else json.dumps(snapshot, ensure_ascii=False),
                    ],
                )

    def mark_digest_failed(self, digest_id: str, error: str) -> None:
        self.db.execute(
            "UPDATE digests SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            [error[:500], digest_id],
        )

    # --- scheduler (jobs.py) -------------------------------------------------------------

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the live database via SQLite's online backup API (safe under WAL)."""
        import sqlite3

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
