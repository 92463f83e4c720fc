"""The coordinator's side: review queue, decisions, flag context, the web view's write queries."""

from __future__ import annotations

import json
from typing import Any

from foerderradar.store.base import Tables


class ReviewTables(Tables):
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
