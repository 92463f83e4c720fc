"""Members and matching: the configured members, their interest marks, the latest fits and consortia."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

from foerderradar.store.base import Tables, utcnow
from foerderradar.store.rows import InterestMark, MatchRow, MatchRun, MemberMatch, StoredConsortium, StoredFit

# columns the call facts (issue 13) add to open_calls; read when present, unknown (NULL) otherwise
FACT_COLUMNS = ("summary", "applicants", "consortium", "funding", "identifier", "region")
TEXT_CHARS = 4000
_JSON = json.JSONEncoder(
    ensure_ascii=False
)  # reused: a run encodes the reasons of every stored fit  # matching reads the start of a call's text: the purpose and applicants come first


class MemberTables(Tables):
    # --- members (foerderradar/matching.py) ----------------------------------------------

    def sync_members(self, members: Iterable[Any]) -> None:
        """Record the configured members (id, name, kind, land, country, lists); drop removed ones.
        Interest marks of a removed member stay in ``interest``."""
        now = utcnow()
        rows = [
            {
                "id": m.id,
                "name": m.name,
                "kind": m.kind,
                "land": m.land,
                "country": m.country,
                "lists": json.dumps(list(m.lists)),
                "synced_at": now,
            }
            for m in members
        ]
        with self.db.conn:
            self.db.execute("DELETE FROM members")
            if rows:
                self.db.table("members").insert_all(rows, pk="id")

    def match_rows(self) -> list[MatchRow]:
        """Every open relevant call (first-seen copy only) with what matching reads: topics, the start of
        the text, the source's fields and the call facts where the store has them."""
        present = {row["name"] for row in self.rows("PRAGMA table_info(open_calls)")}
        facts = ", ".join(f"o.{name}" if name in present else f"NULL AS {name}" for name in FACT_COLUMNS)
        sql = f"""SELECT o.id, o.title, o.topics, o.next_deadline, substr(c.text, 1, {TEXT_CHARS}) AS text,
                         c.fields, {facts}
                  FROM open_calls o JOIN calls c ON c.id = o.id
                  WHERE c.canonical_id IS NULL OR c.canonical_id = c.id"""
        return cast(list[MatchRow], self.rows(sql))

    def interest_marks(self) -> dict[tuple[str, str], str]:
        """(call id, member id) → "interessiert" or "nicht für uns"."""
        return {(r["call_id"], r["member_id"]): r["mark"] for r in self.rows("SELECT * FROM interest")}

    def interest_by_call(self) -> dict[str, list[InterestMark]]:
        found: dict[str, list[InterestMark]] = {}
        for mark in self.records(InterestMark, "SELECT * FROM interest ORDER BY call_id, member_id"):
            found.setdefault(mark.call_id, []).append(mark)
        return found

    def save_interest(self, marks: Sequence[dict[str, Any]]) -> int:
        """Store marks (call_id, member_id, mark or None to clear, note, by) all at once; unknown call ids
        raise KeyError and nothing is stored."""
        at = utcnow()
        for mark in marks:  # check every call first: nothing is stored when one is unknown
            if self.call(mark["call_id"]) is None:
                raise KeyError(mark["call_id"])
        with self.db.conn:
            for mark in marks:
                key = [mark["call_id"], mark["member_id"]]
                if mark.get("mark") is None:
                    self.db.execute("DELETE FROM interest WHERE call_id = ? AND member_id = ?", key)
                    continue
                self.db.execute(
                    """INSERT INTO interest (call_id, member_id, mark, note, by, at) VALUES (?, ?, ?, ?, ?, ?)
                       ON CONFLICT(call_id, member_id) DO UPDATE SET mark = excluded.mark,
                         note = excluded.note, by = excluded.by, at = excluded.at""",
                    [*key, mark["mark"], mark.get("note"), mark.get("by"), mark.get("at") or at],
                )
        return len(marks)

    def save_matches(self, matches: Sequence[dict[str, Any]], consortia: Sequence[dict[str, Any]]) -> None:
        """Replace the stored matching run (rows of ``matches`` and ``consortia``) in one transaction."""
        now = utcnow()
        with self.db.conn:
            self.db.execute("DELETE FROM matches")
            self.db.execute("DELETE FROM consortia")
            self.db.conn.executemany(
                """INSERT INTO matches (call_id, member_id, rank, fit, eligible, reasons, interest, matched_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    [
                        m["call_id"],
                        m["member_id"],
                        m["rank"],
                        m["fit"],
                        int(m["eligible"]),
                        json.dumps(list(m["reasons"]), ensure_ascii=False),
                        m.get("interest"),
                        now,
                    ]
                    for m in matches
                ],  # fmt: skip
            )
            self.db.conn.executemany(
                """INSERT INTO consortia (call_id, rank, members, line, why, missing, needs, score, matched_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    [
                        p["call_id"],
                        p["rank"],
                        json.dumps([list(x) for x in p["members"]]),
                        p["line"],
                        p["why"],
                        json.dumps(list(p["missing"]), ensure_ascii=False),
                        p.get("needs"),
                        p.get("score"),
                        now,
                    ]
                    for p in consortia
                ],  # fmt: skip
            )

    def match_inputs(self) -> str:
        """A fingerprint of what matching reads from the store: classifications, reviews, call links and
        interest marks. Unchanged inputs (and config and day) mean the stored run is still current."""
        one = lambda sql: self.db.execute(sql).fetchone()  # noqa: E731
        parts = [
            one("SELECT count(*), max(classified_at), total(score) FROM classifications"),
            one("SELECT count(*), max(at) FROM reviews"),
            one("SELECT count(*), max(linked_at) FROM call_links"),
            one("SELECT count(*), max(at), group_concat(mark) FROM interest"),
            one("SELECT count(*), max(last_seen) FROM calls"),
            # a new migration (the call facts) or a changed view changes what matching reads
            one("SELECT group_concat(version) FROM migrations"),
            one("SELECT sql FROM sqlite_master WHERE name = 'open_calls'"),
        ]
        return json.dumps([list(p) for p in parts], default=str)

    def last_match_run(self) -> MatchRun | None:
        found = self.records(MatchRun, "SELECT * FROM match_runs ORDER BY id DESC LIMIT 1")
        return found[0] if found else None

    def record_match_run(self, inputs: str, day: str, calls: int, fits: int, consortia: int) -> None:
        with self.db.conn:
            self.db.execute("DELETE FROM match_runs")  # only the latest run is kept
            self.db.execute(
                "INSERT INTO match_runs (inputs, day, matched_at, calls, fits, consortia) VALUES (?, ?, ?, ?, ?, ?)",
                [inputs, day, utcnow(), calls, fits, consortia],
            )

    def matches_by_call(self) -> dict[str, list[StoredFit]]:
        """The stored fits of eligible members per call, best first (reasons decoded)."""
        found: dict[str, list[StoredFit]] = {}
        sql = "SELECT * FROM matches WHERE eligible = 1 ORDER BY call_id, rank"
        for row in self.rows(sql):
            fit = StoredFit(**{**row, "reasons": tuple(json.loads(row["reasons"]))})
            found.setdefault(fit.call_id, []).append(fit)
        return found

    def consortia_by_call(self) -> dict[str, list[StoredConsortium]]:
        """The proposed consortia per call, best first (members and missing kinds decoded)."""
        found: dict[str, list[StoredConsortium]] = {}
        for row in self.rows("SELECT * FROM consortia ORDER BY call_id, rank"):
            members = tuple((member_id, role) for member_id, role in json.loads(row["members"]))
            proposal = StoredConsortium(
                **{**row, "members": members, "missing": tuple(json.loads(row["missing"]))}
            )
            found.setdefault(proposal.call_id, []).append(proposal)
        return found

    def member_calls(self, member_id: str, limit: int) -> list[MemberMatch]:
        """The open calls that fit one member best (from the latest matching run)."""
        sql = """SELECT * FROM member_matches WHERE member_id = ? AND eligible = 1
                 ORDER BY interest IS NOT 'interessiert', interest IS 'nicht für uns', fit DESC,
                          next_deadline IS NULL, next_deadline LIMIT ?"""
        return self.records(MemberMatch, sql, [member_id, limit])

    def matrix_rows(self) -> list[MemberMatch]:
        """Calls × members for the CSV: one row per stored match, calls by deadline."""
        return self.records(MemberMatch, "SELECT * FROM member_matches")

    def match_counts(self) -> dict[str, int]:
        one = self.scalar
        return {
            "members": one("SELECT count(*) FROM members"),
            "calls": one("SELECT count(DISTINCT call_id) FROM matches WHERE eligible = 1"),
            "consortia": one("SELECT count(*) FROM consortia"),
            "interest": one("SELECT count(*) FROM interest"),
        }
