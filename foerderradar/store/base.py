"""What every part of the store shares: the open database, plain queries, the clock stamp."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import sqlite_utils

from foerderradar.store.rows import CallRow

Record = TypeVar("Record")


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Tables:
    """Base of the store's parts; ``Store`` opens ``db`` and mixes the parts together."""

    db: sqlite_utils.Database

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """The low-level query: plain dicts, for the parts to turn into their typed rows."""
        return list(self.db.query(sql, params))

    def records(
        self, kind: type[Record], sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[Record]:
        """Each row as a ``kind`` (a row dataclass of ``store/rows.py``), built from its columns by name."""
        return [kind(**row) for row in self.db.query(sql, params)]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (a count, a max)."""
        return self.db.execute(sql, params).fetchone()[0]

    def call(self, call_id: str) -> CallRow | None:
        found = self.rows("SELECT * FROM calls WHERE id = ?", [call_id])
        return cast(CallRow, found[0]) if found else None
