"""Digests and deliveries: what each mailing list was built, sent and told, exactly once."""

from __future__ import annotations

import json
from typing import Any, cast

from foerderradar.store.base import Tables, utcnow
from foerderradar.store.rows import AlertRow, Delivery, DigestRow, NewDigest, WaitingCall


class DigestTables(Tables):
    # --- digests and deliveries ----------------------------------------------------------

    def alert_rows(self) -> list[AlertRow]:
        """What the digest needs of every call that some list may get (relevant or accepted, not
        rejected, not a later copy of a call another source published first): no call text, so 20,000 calls load in a blink. ``version_id`` is the call's
        latest ``call_versions`` row, the key of an update."""
        sql = """SELECT c.id, c.source_id, s.name AS source_name, c.url, c.title, c.funder, c.fields,
                        c.published, c.first_seen, k.relevant, k.score, k.topics, k.deadlines,
                        k.next_deadline, k.rolling, k.status, k.flagged, k.flag_reasons, k.facts, r.decision,
                        (SELECT json_group_array(json_array(json_extract(e.value, '$.label'),
                                                            json_extract(e.value, '$.term'),
                                                            json_extract(e.value, '$.weight')))
                         FROM json_each(k.evidence) e
                         WHERE json_extract(e.value, '$.signal') = 'topic') AS topic_hits,
                        (SELECT max(v.id) FROM call_versions v WHERE v.call_id = c.id) AS version_id
                 FROM calls c JOIN classifications k ON k.call_id = c.id
                 LEFT JOIN sources s ON s.id = c.source_id
                 LEFT JOIN reviews r ON r.call_id = c.id
                 WHERE (k.relevant = 1 OR r.decision = 'accept') AND r.decision IS NOT 'reject'
                   AND (c.canonical_id IS NULL OR c.canonical_id = c.id)"""
        return cast(list[AlertRow], self.rows(sql))

    def deliveries_for(self, list_id: str) -> list[Delivery]:
        """Every item this list was sent, oldest first (kind, item_key, version_id, snapshot)."""
        sql = """SELECT call_id, kind, item_key, version_id, snapshot, sent_at FROM deliveries
                 WHERE list_id = ? ORDER BY id"""
        return self.records(Delivery, sql, [list_id])

    def last_digest_day(self, list_id: str) -> str | None:
        """Reference day (``YYYY-MM-DD``) of the newest digest built for this list, sent or not."""
        sql = "SELECT max(ifnull(day, substr(created, 1, 10))) FROM digests WHERE list_id = ?"
        return self.scalar(sql, [list_id])

    def digest(self, digest_id: str) -> DigestRow | None:
        found = self.rows("SELECT * FROM digests WHERE id = ?", [digest_id])
        return cast(DigestRow, found[0]) if found else None

    def review_waiting(self) -> list[WaitingCall]:
        """Undecided calls in the review queue with the day they were first seen, oldest first."""
        sql = """SELECT id, title, first_seen FROM review_queue WHERE decision IS NULL
                 ORDER BY first_seen, id"""
        return self.records(WaitingCall, sql)

    def pending_digests(self, list_id: str | None = None) -> list[DigestRow]:
        sql = "SELECT * FROM digests WHERE status = 'pending'"
        params: list[Any] = []
        if list_id:
            sql += " AND list_id = ?"
            params.append(list_id)
        return cast(list[DigestRow], self.rows(sql + " ORDER BY created", params))

    def record_digest(self, digest: NewDigest) -> bool:
        """Store a built digest as pending before anything is sent (at most one distinct digest per period).

        Returns False and stores nothing when another run got there first: the list already has a
        pending digest, or one of this digest's items was delivered since it was built. The check and
        the insert share one write transaction (BEGIN IMMEDIATE), so two runs cannot both pass it.
        """
        row: dict[str, Any] = {
            **digest,
            "call_ids": json.dumps(list(digest["call_ids"])),
            "status": "pending",
        }
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
        # the ledger is what stops a resend: this one commit is fsynced even when the rest runs at NORMAL
        self.db.execute("PRAGMA synchronous=FULL")
        try:
            self._write_ledger(digest_id, sent_at)
        finally:
            self.db.execute("PRAGMA synchronous=NORMAL")

    def _write_ledger(self, digest_id: str, sent_at: str) -> None:
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
