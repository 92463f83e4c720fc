"""The coordinator's side: review queue, decisions, flag context, the web view's write queries."""

from __future__ import annotations

import json
from typing import Any, cast

from foerderradar.store.base import Tables
from foerderradar.store.review_rows import (
    CannedQuery,
    FlagContext,
    QueueRow,
    ReviewCsvRow,
    ReviewPageRow,
    ReviewState,
    StoredReview,
)


class ReviewTables(Tables):
    # --- reviews (review/: flags, CSV, web view) -----------------------------------------

    def review_queue(self) -> list[QueueRow]:
        return cast(list[QueueRow], self.rows("SELECT * FROM review_queue"))

    def review_rows(
        self, everything: bool = False, since: str | None = None, until: str | None = None
    ) -> list[ReviewCsvRow]:
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
        return cast(list[ReviewCsvRow], self.rows(sql, [since, since, until, until]))

    def review_state(self) -> dict[str, ReviewState]:
        """Every call id with its stored decision and whether that decision saw the current state."""
        sql = """SELECT c.id, r.decision, r.reason, r.note, r.by,
                        (r.material IS m.material AND r.decision IS NOT NULL) AS current
                 FROM calls c LEFT JOIN reviews r ON r.call_id = c.id
                 LEFT JOIN call_material m ON m.call_id = c.id"""
        return {row.pop("id"): ReviewState(**row) for row in self.rows(sql)}

    def flag_context(self, call_id: str) -> FlagContext:
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
        row = found[0]
        previous = row["previous_deadlines"]
        canonical = row["canonical_id"] if row["canonical_id"] != call_id else None
        # a call with the same title from another source is most likely the same call
        same = self.rows(
            """SELECT id FROM calls WHERE id != ? AND source_id != (SELECT source_id FROM calls WHERE id = ?)
               AND lower(trim(title)) = lower(trim(?)) ORDER BY first_seen, id LIMIT 1""",
            [call_id, call_id, row.pop("title")],
        )
        return FlagContext(
            **{
                **row,
                "previous_deadlines": (
                    None if previous is None else tuple(d.get("date") for d in json.loads(previous))
                ),
                "previous_reasons": tuple(json.loads(row["previous_reasons"] or "[]")),
                "canonical_id": canonical,
                "duplicate_of": canonical or (same[0]["id"] if same else None),
            }
        )

    def web_queries(self) -> dict[str, CannedQuery]:
        """Datasette canned queries for the review web view (read only: decisions go through the page)."""
        health = """SELECT s.id AS source_id, s.name, s.enabled, r.started AS last_run, r.requests,
                r.items, r.new, r.changed, r.errors, r.blocked, r.error_messages,
                (SELECT count(*) FROM calls c WHERE c.source_id = s.id) AS calls
            FROM sources s LEFT JOIN crawl_runs r
              ON r.id = (SELECT max(id) FROM crawl_runs WHERE source_id = s.id)
            ORDER BY r.errors + r.blocked DESC, s.id"""
        return {"source_health": {"sql": health}}

    # --- the review page (review/page.py) ------------------------------------------------

    def review_page_rows(self, limit: int) -> list[ReviewPageRow]:
        """Queue entries with what the page shows of each call; the call facts when the view has them.

        ``q.*`` carries whatever columns ``review_queue`` has (summary, applicants, … once the facts
        migration is in), so the page reads them by name and skips the ones that are missing.
        """
        sql = """SELECT q.*, c.funder AS call_funder, c.external_id, k.deadlines, k.evidence, k.rolling,
                        k.status
                 FROM review_queue q JOIN calls c ON c.id = q.id JOIN classifications k ON k.call_id = q.id
                 ORDER BY q.first_seen DESC, q.id LIMIT ?"""
        return cast(list[ReviewPageRow], self.rows(sql, [limit]))

    def review_queue_ids(self) -> list[str]:
        return [row["id"] for row in self.rows("SELECT id FROM review_queue ORDER BY first_seen DESC, id")]

    def review_of(self, call_id: str) -> StoredReview | None:
        """A call's title and its stored decision (None when there is no such call)."""
        found = self.records(
            StoredReview,
            """SELECT c.id, c.title, r.decision, r.reason, r.note, r.by, r.at
               FROM calls c LEFT JOIN reviews r ON r.call_id = c.id WHERE c.id = ?""",
            [call_id],
        )
        return found[0] if found else None

    def record_decision(self, decision: dict[str, Any], seen: str | None) -> str:
        """Save one decision from the page if the call's review is still as the form saw it.

        ``seen`` is the ``at`` of the review the form was rendered with (None: undecided). Returns
        ``saved``, ``unknown`` (no such call) or ``stale`` (decided meanwhile, e.g. a double submit);
        the check and the write are one statement, so two submits can never both be saved.
        """
        if self.call(decision["call_id"]) is None:
            return "unknown"
        sql = """INSERT INTO reviews (call_id, decision, reason, note, by, at)
                 VALUES (:call_id, :decision, :reason, :note, :by, :at)
                 ON CONFLICT(call_id) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
                    note = excluded.note, by = excluded.by, at = excluded.at
                 WHERE reviews.at IS :seen"""
        with self.db.conn:
            cursor = self.db.execute(sql, {**decision, "seen": seen})
        return "saved" if cursor.rowcount == 1 else "stale"

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
