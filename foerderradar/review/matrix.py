"""The calls × members matrix for the network meeting: a CSV a German spreadsheet opens as it should.

One row per open call that fits at least one member, one column per member: the fit (``0,85``), the
interest mark where a member set one; before them the call, its deadline, what it needs, the best
proposed consortium and who is interested. Same dialect as the review CSV (UTF-8 with BOM, ``;``, CRLF).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from foerderradar.configuration import Member
from foerderradar.review.csvio import FORMULA_START
from foerderradar.store import MemberMatch, Store, StoredConsortium

HEAD = ("id", "title", "next_deadline", "needs", "consortium", "interested")


def export_matrix(store: Store, members: Sequence[Member], path: Path) -> int:
    """Write the matrix of the latest matching run to ``path``; returns the number of calls."""
    by_call: dict[str, tuple[MemberMatch, dict[str, MemberMatch]]] = {}
    for row in store.matrix_rows():  # one row per (call, member): the first names the call
        _, cells = by_call.setdefault(row.call_id, (row, {}))
        cells[row.member_id] = row
    consortia = store.consortia_by_call()
    names = {m.id: m.name for m in members}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([*HEAD, *(f"{m.name} ({m.id})" for m in members)])
        for call_id, call in by_call.items():
            writer.writerow(_line(call_id, call, consortia.get(call_id, []), members, names))
    return len(by_call)


def _line(
    call_id: str,
    call: tuple[MemberMatch, dict[str, MemberMatch]],
    proposals: list[StoredConsortium],
    members: Sequence[Member],
    names: dict[str, str],
) -> list[str]:
    row, cells = call
    deadline = row.next_deadline
    interested = [names.get(m, m) for m, c in cells.items() if c.interest == "interessiert"]
    best = proposals[0] if proposals else None
    return [
        call_id,
        _safe(row.title or ""),
        date.fromisoformat(deadline[:10]).strftime("%d.%m.%Y") if deadline else "",
        (best.needs if best else None) or "",
        _safe(best.line) if best else "",
        ", ".join(interested),
        *(_cell(cells.get(m.id)) for m in members),
    ]


def _safe(text: str) -> str:
    """Scraped text must not become a spreadsheet formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(row: MemberMatch | None) -> str:
    if row is None:
        return ""
    parts = [f"{row.fit:.2f}".replace(".", ",")] if row.eligible else ["nicht antragsberechtigt"]
    if row.interest:
        parts.append(row.interest)
    return " ".join(parts)
