"""Calls and what is written about them: versions, crawl runs, duplicate links, classifications."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict
from typing import Any, cast

from foerderradar.models import Call, CallFacts, Classification
from foerderradar.store.base import Tables, utcnow
from foerderradar.store.rows import (
    CallCopy,
    CrawlRun,
    LinkingRow,
    SourceYield,
    StoredClassification,
    TrainingExample,
)

VERSIONED_FIELDS = ("title", "text", "published", "funder", "fields")


class CallTables(Tables):
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

    def start_crawl_run(self, run_id: str, source_id: str, started: str, pid: int) -> int:
        """The row of a source's crawl as it starts: status ``running``, owned by process ``pid``."""
        with self.db.conn:
            return self.record_crawl_run(
                {
                    "run_id": run_id,
                    "source_id": source_id,
                    "started": started,
                    "status": "running",
                    "pid": pid,
                }
            )

    def finish_crawl_run(self, row_id: int, run: dict[str, Any]) -> None:
        """Write a source's figures into its row (``status`` in ``run``: finished or interrupted)."""
        row = dict(run)
        for key in ("responses", "error_messages"):
            if key in row and not isinstance(row[key], str):
                row[key] = json.dumps(row[key], ensure_ascii=False)
        with self.db.conn:
            self.db.table("crawl_runs").update(row_id, row)

    def interrupt_crawl_runs(self, dead: Callable[[int], bool], run_id: str | None = None) -> int:
        """Mark rows still ``running`` whose process is gone (``dead(pid)``) as interrupted; how many."""
        sql = "SELECT id, pid FROM crawl_runs WHERE status = 'running'"
        rows = self.rows(sql + (" AND run_id = ?" if run_id else ""), [run_id] if run_id else [])
        gone = [row["id"] for row in rows if row["pid"] is None or dead(row["pid"])]
        note = json.dumps(
            {"url": "", "message": "interrupted: the crawl process ended before this source finished",
             "level": "error"}
        )  # fmt: skip
        with self.db.conn:
            for row_id in gone:
                self.db.execute(
                    """UPDATE crawl_runs SET status = 'interrupted', errors = errors + 1,
                       finished = coalesce(finished, ?),
                       error_messages = json_insert(coalesce(nullif(error_messages, ''), '[]'), '$[#]', json(?))
                       WHERE id = ?""",
                    [utcnow(), note, row_id],
                )
        return len(gone)

    def crawl_runs(self, run_id: str | None = None) -> list[CrawlRun]:
        if run_id:
            return cast(
                list[CrawlRun], self.rows("SELECT * FROM crawl_runs WHERE run_id = ? ORDER BY id", [run_id])
            )
        return cast(list[CrawlRun], self.rows("SELECT * FROM crawl_runs ORDER BY id"))

    def recent_crawl_runs(self, per_source: int = 10) -> dict[str, list[CrawlRun]]:
        """The last ``per_source`` runs of each source, oldest first (for health and ``status``)."""
        sql = """SELECT * FROM (
                   SELECT *, row_number() OVER (PARTITION BY source_id ORDER BY id DESC) AS recent
                   FROM crawl_runs)
                 WHERE recent <= ? ORDER BY source_id, id"""
        runs: dict[str, list[CrawlRun]] = {}
        for row in self.db.query(sql, [per_source]):
            row.pop("recent", None)
            runs.setdefault(row["source_id"], []).append(cast(CrawlRun, row))
        return runs

    def source_yields(self, min_text: int = 200) -> dict[str, SourceYield]:
        """Per source: stored calls, how many have a title, how many a text of ``min_text`` chars or
        more, and the call seen last as an example (for ``status``: a wrong selector shows at once)."""
        sql = """SELECT source_id, count(*) AS calls, sum(title != '') AS titled,
                        sum(length(text) >= :min) AS texted,
                        max(CASE WHEN latest = 1 THEN title END) AS example_title,
                        max(CASE WHEN latest = 1 THEN url END) AS example_url,
                        max(CASE WHEN latest = 1 THEN length(text) END) AS example_chars
                 FROM (SELECT source_id, title, url, text, row_number() OVER
                         (PARTITION BY source_id ORDER BY last_seen DESC, id) AS latest FROM calls)
                 GROUP BY source_id"""
        return {row.source_id: row for row in self.records(SourceYield, sql, {"min": min_text})}

    # --- crawler: cross-source duplicates (crawler/links.py) ------------------------------

    def calls_for_linking(self) -> Iterator[LinkingRow]:
        """What duplicate matching reads of every call (text cut: dates stand early), streamed so
        only one call's text is in memory at a time, however many calls are stored."""
        sql = """SELECT id, source_id, title, funder, external_id, first_seen, substr(text, 1, 20000) AS text
                 FROM calls ORDER BY id"""
        for row in self.db.query(sql):
            yield cast(LinkingRow, row)

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

    def call_copies(self, call_id: str) -> list[CallCopy]:
        """Every copy of the call this id belongs to: source, URL and when each was first seen."""
        sql = """SELECT * FROM call_copies WHERE canonical_id =
                   (SELECT coalesce(canonical_id, id) FROM calls WHERE id = ?)"""
        return self.records(CallCopy, sql, [call_id])

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
                "deadlines": json.dumps([d.as_json() for d in result.deadlines], ensure_ascii=False),
                "next_deadline": result.next_deadline,
                "rolling": int(result.rolling),
                "status": result.status,
                "evidence": json.dumps([asdict(e) for e in result.evidence], ensure_ascii=False),
                "facts": json.dumps(result.facts.as_stored(), ensure_ascii=False),
                "flagged": int(bool(flag_reasons)),
                "flag_reasons": json.dumps(flag_reasons, ensure_ascii=False),
                "content_hash": content_hash,
                "model_version": result.model_version,
                "config_version": result.config_version,
                "classified_at": at or utcnow(),
            },
            pk="call_id",
        )

    def classification(self, call_id: str) -> StoredClassification | None:
        found = self.records(
            StoredClassification, "SELECT * FROM classifications WHERE call_id = ?", [call_id]
        )
        return found[0] if found else None

    def call_facts(self, call_id: str) -> CallFacts | None:
        """The stored facts of a call (with their evidence), or None when it was never classified."""
        row = self.db.execute("SELECT facts FROM classifications WHERE call_id = ?", [call_id]).fetchone()
        return None if row is None else facts_from_column(row[0])

    def calls_with_facts(self) -> Iterator[tuple[str, CallFacts]]:
        """(call id, facts) of every classified call, streamed in id order."""
        for call_id, facts in self.db.execute("SELECT call_id, facts FROM classifications ORDER BY call_id"):
            yield call_id, facts_from_column(facts)

    # --- classifier: training data (classifier/train.py) ---------------------------------

    def training_examples(self) -> list[TrainingExample]:
        """The coordinator's decisions with their calls' text: accept → relevant, reject → not."""
        sql = """SELECT c.id, c.title, c.text, c.language, r.decision
                 FROM reviews r JOIN calls c ON c.id = r.call_id
                 WHERE r.decision IN ('accept', 'reject') ORDER BY c.id"""
        return cast(list[TrainingExample], self.rows(sql))


def facts_from_column(value: str | None) -> CallFacts:
    """``classifications.facts`` (JSON: the tag object plus ``evidence``) as ``CallFacts``."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        data = {}
    return CallFacts.from_stored(data if isinstance(data, dict) else {})


def call_from_row(row: Mapping[str, Any]) -> Call:
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
