"""The coordinator's review CSV: export the queue for a spreadsheet, import the decisions back.

The file is UTF-8 with a BOM, ``;``-separated with CRLF line ends, so Excel and LibreOffice in a German
locale open it with umlauts intact and one value per column. The import reads ``;`` or ``,`` (and Excel's
cp1252 "CSV (Trennzeichen-getrennt)"), checks every row first and changes nothing if any row is unusable.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from foerderradar.configuration import ReviewSettings
from foerderradar.store import ReviewCsvRow, ReviewState, Store, utcnow

COLUMNS = (
    "id", "title", "source_id", "url", "score", "topics", "next_deadline",
    "why_flagged", "decision", "reason", "note", "interest",
)  # fmt: skip
# the interest column (members, issue 14): "bildwerk: interessiert, datenwerk: nicht für uns"
INTEREST_WORDS = {
    "interessiert": "interessiert", "interested": "interessiert", "ja": "interessiert",
    "nicht für uns": "nicht für uns", "nicht-für-uns": "nicht für uns", "not for us": "nicht für uns",
    "nein": "nicht für uns", "keine": None, "-": None,
}  # fmt: skip
# what a coordinator may type in the decision column (case does not matter)
DECISION_WORDS = {
    "accept": "accept", "accepted": "accept", "annehmen": "accept", "angenommen": "accept",
    "ja": "accept", "yes": "accept",
    "reject": "reject", "rejected": "reject", "ablehnen": "reject", "abgelehnt": "reject",
    "nein": "reject", "no": "reject",
}  # fmt: skip
# header spellings a spreadsheet user might produce for the columns the import reads
HEADER_ALIASES = {
    "entscheidung": "decision",
    "grund": "reason",
    "notiz": "note",
    "next deadline": "next_deadline",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- export ------------------------------------------------------------------------------------


def export_csv(store: Store, path: Path, everything: bool, since: date | None, until: date | None) -> int:
    """Write the review queue (or every classified call) to ``path``; returns the number of rows."""
    rows = store.review_rows(
        everything, since.isoformat() if since else None, until.isoformat() if until else None
    )
    marks = store.interest_by_call()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # a failed write never leaves half a file
    with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            interest = ", ".join(f"{m.member_id}: {m.mark}" for m in marks.get(row["id"], []))
            writer.writerow([_safe(cell) for cell in [*_export_row(row), interest]])
    partial.replace(path)
    return len(rows)


def _export_row(row: ReviewCsvRow) -> list[str]:
    score = row.get("score")
    deadline = row.get("next_deadline")
    why = json.loads(row.get("why_flagged") or "[]")
    decided = [row.get("decision") or "", row.get("reason") or "", row.get("note") or ""]
    if decided[0] and not row.get("decision_current"):
        # changed since the decision: shown, but left blank so an untouched row does not re-confirm it
        why.append("bisher: " + " – ".join(part for part in decided if part))
        decided = ["", "", ""]
    return [
        row["id"],
        row.get("title") or "",
        row.get("source_id") or "",
        row.get("url") or "",
        f"{score:.2f}".replace(".", ",") if score is not None else "",
        ", ".join(json.loads(row.get("topics") or "[]")),
        date.fromisoformat(deadline).strftime("%d.%m.%Y") if deadline else "",
        " | ".join(why),
        *decided,
    ]


def _safe(text: str) -> str:
    """No cell may become a spreadsheet formula (=HYPERLINK(…) in a scraped title or in a note)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _unsafe(text: str) -> str:
    """Undo ``_safe`` on import, so an exported and re-imported note comes back unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


# --- import ------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    path: Path
    problems: list[str] = field(default_factory=list)
    saved: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    undecided: int = 0
    marks: int = 0  # interest marks saved

    def summary(self) -> str:
        if self.problems:
            return (
                f"{self.path}: {len(self.problems)} problem(s), nothing was imported; "
                "fix the rows above and import the file again"
            )
        total = sum(self.saved.values())
        return (
            f"{self.path}: {total} decisions saved ({self.saved['accept']} accept, "
            f"{self.saved['reject']} reject), {self.unchanged} unchanged, "
            f"{self.undecided} rows without a decision"
        ) + (f", {self.marks} interest marks saved" if self.marks else "")


def import_csv(
    store: Store, path: Path, settings: ReviewSettings, reviewer: str, members: Collection[str] = ()
) -> ImportReport:
    """Read decisions (and the members' interest marks) from an edited review CSV; all rows are checked
    before anything is stored."""
    report = ImportReport(path)
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        report.problems.append(f"{path}: cannot read ({exc.strerror})")
        return report
    delimiter = _delimiter(text)
    records = _records(text, delimiter, report)
    if records is None:
        return report
    header_line, header_values = records[0] if records else (1, [])
    header = [_column_name(name) for name in header_values]
    missing = [name for name in ("id", "decision") if name not in header]
    if missing:
        report.problems.append(
            f"line {header_line}: missing column {', '.join(missing)} (header: {';'.join(header)})"
        )
        return report
    state = store.review_state()
    decisions: dict[str, dict[str, Any]] = {}
    marks: dict[tuple[str, str], dict[str, Any]] = {}
    seen_on: dict[str, int] = {}
    at = utcnow()
    for line, values in records[1:]:
        if not _well_formed(line, values, header, delimiter, state, report):
            continue
        record = dict(zip(header, (_unsafe(v.strip()) for v in values), strict=False))
        problem_count = len(report.problems)
        for mark in _interest(record, line, state, members, report):
            marks[(mark["call_id"], mark["member_id"])] = {**mark, "by": reviewer, "at": at}
        decision = _check_row(record, line, state, settings, report)
        if decision is not None and len(report.problems) == problem_count:
            call_id = decision["call_id"]
            if call_id in seen_on and decisions.get(call_id) != decision:
                report.problems.append(
                    f"line {line}, column id: '{call_id}' is already decided differently on line {seen_on[call_id]}"
                )
            seen_on.setdefault(call_id, line)
            decisions[call_id] = decision
    if report.problems:
        report.saved.clear()
        return report
    changed = [d for d in decisions.values() if not _same_as_stored(d, state[d["call_id"]])]
    report.unchanged += len(decisions) - len(changed)
    store.save_reviews([{**d, "by": reviewer, "at": at} for d in changed])
    report.saved.update(d["decision"] for d in changed)
    report.marks = store.save_interest(list(marks.values()))
    return report


def _interest(
    record: dict[str, str],
    line: int,
    state: dict[str, ReviewState],
    members: Collection[str],
    report: ImportReport,
) -> list[dict[str, Any]]:
    """The marks in a row's interest cell ("member: mark, member: mark"); problems go into the report."""
    cell, call_id = record.get("interest", ""), record.get("id", "")
    if not cell or call_id not in state:
        return []
    found = []
    for part in (p.strip() for p in cell.split(",")):
        member, _, word = (x.strip() for x in part.partition(":"))
        if not part:
            continue
        if member not in members:
            known = ", ".join(sorted(members)) or "none in members.yaml"
            report.problems.append(f"line {line}, column interest: no member '{member}' (members: {known})")
        elif word.casefold() not in INTEREST_WORDS:
            report.problems.append(
                f"line {line}, column interest: '{part}' — write 'member-id: interessiert' or "
                "'member-id: nicht für uns' ('member-id: keine' removes a mark)"
            )
        else:
            found.append({"call_id": call_id, "member_id": member, "mark": INTEREST_WORDS[word.casefold()]})
    return found


def _check_row(
    record: dict[str, str],
    line: int,
    state: dict[str, ReviewState],
    settings: ReviewSettings,
    report: ImportReport,
) -> dict[str, Any] | None:
    """The decision a row asks for, or None; every problem goes into ``report.problems``."""
    if not any(record.values()):
        return None
    call_id, word = record.get("id", ""), record.get("decision", "")
    reason, note = record.get("reason", ""), record.get("note", "")
    where = f"line {line}, column"
    if not call_id:
        report.problems.append(f"{where} id: empty (every row needs the call id from the export)")
        return None
    if call_id not in state:
        report.problems.append(f"{where} id: no call '{call_id}' in the database")
        return None
    if not word:
        if reason or note:
            report.problems.append(
                f"{where} decision: empty, but a reason or note is given (accept or reject?)"
            )
        else:
            report.undecided += 1
        return None
    decision = DECISION_WORDS.get(word.lower())
    if decision is None:
        report.problems.append(
            f"{where} decision: '{word}' is not accept or reject (also allowed: annehmen, ablehnen, ja, nein)"
        )
        return None
    code = _reason_code(reason, settings.reason_codes)
    if reason and code is None:
        report.problems.append(
            f"{where} reason: '{reason}' is not a reason code (allowed: {', '.join(settings.reason_codes)})"
        )
        return None
    if decision == "reject" and code is None:
        report.problems.append(
            f"{where} reason: a rejection needs a reason code (one of: {', '.join(settings.reason_codes)})"
        )
        return None
    return {"call_id": call_id, "decision": decision, "reason": code, "note": note or None}


def _records(text: str, delimiter: str, report: ImportReport) -> list[tuple[int, list[str]]] | None:
    """Every record with the line it starts on, parsed strictly; None (and a problem) when it cannot be."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            report.problems.append(_parse_problem(start, str(exc)))
            return None
        records.append((start, values))
        start = reader.line_num + 1


def _parse_problem(line: int, message: str) -> str:
    if "field larger than field limit" in message:
        limit = csv.field_size_limit() // 1024
        return f"line {line}: a field is longer than {limit} KB, the most a CSV field may hold; shorten it"
    if "unexpected end of data" in message:
        return f'line {line}: a quote (") opened on this line is never closed; close it or remove it'
    return (
        f'line {line}: broken quoting ({message}); a field that starts with " must end with " '
        '(write "" for a quote inside it)'
    )


def _well_formed(
    line: int,
    values: list[str],
    header: list[str],
    delimiter: str,
    state: dict[str, ReviewState],
    report: ImportReport,
) -> bool:
    """Catch what a lenient parse hides: an unclosed quote that swallows the rows after it."""
    for value in values:
        for offset, continued in enumerate(value.splitlines()[1:], start=1):
            first = continued.split(delimiter, 1)[0].strip()
            if delimiter in continued and first in state:
                report.problems.append(
                    f"line {line}: a quoted field runs on into the row of '{first}' (line {line + offset}); "
                    'a quote (") is not closed where it should be'
                )
                return False
    if len(values) > len(header):
        report.problems.append(
            f"line {line}: {len(values)} values but the header has {len(header)} columns "
            f"(a stray '{delimiter}' or a broken quote?)"
        )
        return False
    return True


def _same_as_stored(decision: dict[str, Any], stored: ReviewState) -> bool:
    """Importing the same file twice changes nothing; a re-confirmed changed call is saved anew."""
    same = (decision["decision"], decision["reason"], decision["note"]) == (
        stored.decision,
        stored.reason,
        stored.note,
    )
    return same and bool(stored.current)


def _reason_code(reason: str, codes: list[str]) -> str | None:
    for code in codes:
        if reason.casefold() == code.casefold():
            return code
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=header.count)


def _column_name(name: str) -> str:
    cleaned = name.strip().strip("\ufeff").lower()
    return HEADER_ALIASES.get(cleaned, cleaned.replace(" ", "_"))
