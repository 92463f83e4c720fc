"""The schema as numbered migrations; each runs once per database and is recorded in ``migrations``."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

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


# Classifier (classifier/facts.py): the call facts with their evidence, one JSON object per
# classification — exactly the ``tag`` "facts" object plus ``evidence`` (field → span). The views
# expose each fact as a column for the review page and the members' matching.
_CALL_FACTS = """
ALTER TABLE classifications ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
DROP VIEW review_queue;
CREATE VIEW review_queue AS
SELECT c.id, c.title, c.source_id, c.url, k.score, k.topics, k.next_deadline,
       CASE WHEN r.decision IS NULL THEN k.flag_reasons
            ELSE json_insert(k.flag_reasons, '$[#]',
                             'geändert seit der Entscheidung (' || r.decision || ')') END AS why_flagged,
       r.decision, r.reason, r.note, r.by AS decided_by, r.at AS decided_at, c.first_seen,
       c.funder, FACT_COLUMNS
FROM calls c JOIN classifications k ON k.call_id = c.id
LEFT JOIN reviews r ON r.call_id = c.id
LEFT JOIN call_material m ON m.call_id = c.id
WHERE (r.decision IS NULL AND k.flagged = 1) OR (r.decision IS NOT NULL AND r.material IS NOT m.material)
ORDER BY c.first_seen DESC, c.id;
DROP VIEW open_calls;
CREATE VIEW open_calls AS
SELECT c.id, c.title, c.funder, c.source_id, c.url, k.score, k.topics, k.next_deadline,
       k.status, k.rolling, r.decision, FACT_COLUMNS
FROM calls c JOIN classifications k ON k.call_id = c.id
LEFT JOIN reviews r ON r.call_id = c.id
WHERE (k.relevant = 1 OR r.decision = 'accept') AND r.decision IS NOT 'reject'
  AND k.status != 'closed'
ORDER BY k.next_deadline IS NULL, k.next_deadline, c.title;
""".replace(
    "FACT_COLUMNS",
    "nullif(json_extract(k.facts, '$.summary'), '') AS summary, "
    "ifnull(json_extract(k.facts, '$.applicants'), '[]') AS applicants, "
    "json_extract(k.facts, '$.consortium') AS consortium, json_extract(k.facts, '$.funding') AS funding, "
    "json_extract(k.facts, '$.identifier') AS identifier, json_extract(k.facts, '$.region') AS region",
)


def _migration_call_facts(db: sqlite_utils.Database) -> None:
    db.executescript(_CALL_FACTS)


# Members (foerderradar/matching.py): the members as configured, their interest marks on calls, and
# the latest matching run — every member's fit per call with its reasons, and the proposed consortia.
# ``matches`` and ``consortia`` are rewritten by each run; ``interest`` is what members said and stays.
_MEMBERS = """
CREATE TABLE members (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, land TEXT, country TEXT,
    lists TEXT NOT NULL DEFAULT '[]', synced_at TEXT
);
CREATE TABLE interest (
    call_id TEXT NOT NULL REFERENCES calls(id), member_id TEXT NOT NULL,
    mark TEXT NOT NULL CHECK (mark IN ('interessiert', 'nicht für uns')),
    note TEXT, by TEXT, at TEXT NOT NULL, PRIMARY KEY (call_id, member_id)
);
CREATE TABLE matches (
    call_id TEXT NOT NULL REFERENCES calls(id), member_id TEXT NOT NULL, rank INTEGER NOT NULL,
    fit REAL NOT NULL, eligible INTEGER NOT NULL, reasons TEXT NOT NULL DEFAULT '[]', interest TEXT,
    matched_at TEXT, PRIMARY KEY (call_id, member_id)
);
CREATE INDEX matches_member ON matches(member_id, fit DESC);
CREATE TABLE consortia (
    call_id TEXT NOT NULL REFERENCES calls(id), rank INTEGER NOT NULL, members TEXT NOT NULL,
    line TEXT NOT NULL, why TEXT, missing TEXT NOT NULL DEFAULT '[]', needs TEXT, score REAL,
    matched_at TEXT, PRIMARY KEY (call_id, rank)
);
CREATE TABLE match_runs (
    id INTEGER PRIMARY KEY, inputs TEXT NOT NULL, day TEXT NOT NULL, matched_at TEXT NOT NULL,
    calls INTEGER, fits INTEGER, consortia INTEGER
);
CREATE VIEW member_matches AS
SELECT x.call_id, c.title, k.next_deadline, x.member_id, m.name AS member, m.kind, m.land,
       round(x.fit, 2) AS fit, x.eligible,
       (SELECT group_concat(r.value, ' · ') FROM json_each(x.reasons) r) AS reasons,
       i.mark AS interest, i.by AS interest_by, i.at AS interest_at,
       (SELECT group_concat(p.line, ' | ') FROM consortia p
         WHERE p.call_id = x.call_id AND EXISTS (
           SELECT 1 FROM json_each(p.members) e WHERE json_extract(e.value, '$[0]') = x.member_id)
       ) AS consortia,
       c.url
FROM matches x JOIN calls c ON c.id = x.call_id
LEFT JOIN classifications k ON k.call_id = x.call_id
LEFT JOIN members m ON m.id = x.member_id
LEFT JOIN interest i ON i.call_id = x.call_id AND i.member_id = x.member_id
ORDER BY k.next_deadline IS NULL, k.next_deadline, x.call_id, x.rank;
CREATE VIEW call_consortia AS
SELECT p.call_id, c.title, k.next_deadline, p.rank, p.line AS consortium, p.needs, p.why,
       (SELECT group_concat(e.value, ', ') FROM json_each(p.missing) e) AS missing,
       (SELECT group_concat(m.name, ', ') FROM interest i JOIN members m ON m.id = i.member_id
         WHERE i.call_id = p.call_id AND i.mark = 'interessiert') AS interested,
       c.url
FROM consortia p JOIN calls c ON c.id = p.call_id
LEFT JOIN classifications k ON k.call_id = p.call_id
ORDER BY k.next_deadline IS NULL, k.next_deadline, p.call_id, p.rank;
CREATE VIEW member_interest AS
SELECT i.member_id, m.name AS member, i.mark, i.call_id, c.title, k.next_deadline, i.note, i.by, i.at
FROM interest i JOIN calls c ON c.id = i.call_id
LEFT JOIN members m ON m.id = i.member_id
LEFT JOIN classifications k ON k.call_id = i.call_id
ORDER BY i.mark, k.next_deadline IS NULL, k.next_deadline, i.call_id, i.member_id;
"""


def _migration_members(db: sqlite_utils.Database) -> None:
    db.executescript(_MEMBERS)


# Crawler (crawler/pipelines.py): a source's row is written when its crawl starts ("running", with
# the crawl process's pid) and finished at the end, so a killed crawl leaves a row that says so:
# rows of a process that is gone are marked "interrupted" by the next crawl.
_CRAWL_RUN_STATUS = """
ALTER TABLE crawl_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'finished';
ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;
"""


def _migration_crawl_run_status(db: sqlite_utils.Database) -> None:
    db.executescript(_CRAWL_RUN_STATUS)


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
    (
        7,
        "classifier: call facts with evidence (classifications.facts); fact columns in the views",
        _migration_call_facts,
    ),
    (8, "members: members, interest marks, matches, consortia; matrix views", _migration_members),
    (10, "crawler: crawl run status (running, finished, interrupted) and pid", _migration_crawl_run_status),
]
