"""The review CSV as a spreadsheet reads and writes it: export, edit, import; bad rows change nothing."""

from __future__ import annotations

import csv
from datetime import date

from click.testing import CliRunner

from foerderradar.cli import cli
from foerderradar.configuration import ReviewSettings, Source
from foerderradar.models import Call, Classification, Deadline
from foerderradar.review.csvio import COLUMNS, export_csv, import_csv

SETTINGS = ReviewSettings()
TITLES = {
    "a:1": "Förderaufruf „KI für KMU“ – Skizzen bis 31.03.2026",
    "a:2": "Digitale Souveränität in Forschungseinrichtungen",
    "a:3": '=HYPERLINK("http://evil.example";"Klick")',
}


def seed(store) -> None:
    store.sync_sources([Source(id="a", name="Quelle A", kind="feed", url="https://a.example.org/feed")])
    for number, (call_id, title) in enumerate(TITLES.items()):
        call = Call(id=call_id, source_id="a", url=f"https://a.example.org/{number}", title=title, text=title)
        store.save_call(call, seen_at=f"2026-11-{10 + number:02d}T06:00:00+00:00")
        result = Classification(
            call_id=call_id, language="de", relevant=True, score=0.5 + number / 100, topics=("ki", "daten"),
            deadlines=(Deadline("2026-03-31", None, None, "skizze", "bis 31.03.2026"),), rolling=False,
            next_deadline="2026-03-31", status="open",
        )  # fmt: skip
        store.save_classification(
            result, call.content_hash(), ["unsicher: Score 0,50 zwischen 0,35 und 0,65"]
        )


def read_as_spreadsheet(path):
    """What a German-locale spreadsheet does: detect the BOM as UTF-8, split on ';' and CRLF."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would read the umlauts as cp1252"
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write_rows(path, rows, delimiter=";", encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)


def reviews(store):
    return {
        r["call_id"]: (r["decision"], r["reason"], r["note"], r["by"])
        for r in store.rows("SELECT * FROM reviews")
    }


def test_export_opens_in_a_german_spreadsheet_with_umlauts_and_no_formulas(store, tmp_path):
    seed(store)
    path = tmp_path / "review.csv"
    assert export_csv(store, path, False, None, None) == 3
    header, *rows = read_as_spreadsheet(path)
    assert tuple(header) == COLUMNS
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    first = by_id["a:1"]
    assert first["title"] == TITLES["a:1"]
    assert (
        first["score"] == "0,50" and first["topics"] == "ki, daten" and first["next_deadline"] == "31.03.2026"
    )
    assert first["why_flagged"] == "unsicher: Score 0,50 zwischen 0,35 und 0,65"
    assert by_id["a:3"]["title"].startswith("'=")  # scraped text never becomes a formula


def test_export_all_and_by_date_range(store, tmp_path):
    seed(store)
    path = tmp_path / "r.csv"
    assert export_csv(store, path, True, date(2026, 11, 11), date(2026, 11, 11)) == 1
    assert read_as_spreadsheet(path)[1][0] == "a:2"


def test_round_trip_decisions_are_stored_with_reviewer_and_import_is_idempotent(store, tmp_path):
    seed(store)
    path = tmp_path / "review.csv"
    export_csv(store, path, False, None, None)
    header, *rows = read_as_spreadsheet(path)
    edited = {"a:1": ("annehmen", "", "Konsortium mit Uni prüfen"), "a:2": ("reject", "nicht kmu-fähig", "")}
    for row in rows:
        if row[0] in edited:
            row[8], row[9], row[10] = edited[row[0]]
    write_rows(path, [header, *rows])
    report = import_csv(store, path, SETTINGS, "anna")
    assert report.problems == []
    assert "2 decisions saved (1 accept, 1 reject)" in report.summary()
    assert reviews(store) == {
        "a:1": ("accept", None, "Konsortium mit Uni prüfen", "anna"),
        "a:2": ("reject", "nicht KMU-fähig", None, "anna"),
    }
    assert [r["id"] for r in store.review_queue()] == ["a:3"]
    again = import_csv(store, path, SETTINGS, "bert")
    assert "0 decisions saved" in again.summary() and again.unchanged == 2
    assert reviews(store)["a:1"][3] == "anna"


def test_bad_rows_are_reported_by_line_and_column_and_nothing_changes(store, tmp_path):
    seed(store)
    path = tmp_path / "bad.csv"
    write_rows(path, [
        ["id", "title", "decision", "reason", "note"],
        ["a:1", "ok", "accept", "", ""],
        ["a:2", "x", "vielleicht", "", ""],
        ["a:3", "x", "ablehnen", "", ""],
        ["a:9", "x", "accept", "", ""],
        ["a:1", "x", "reject", "nicht KI", ""],
        ["a:2", "x", "reject", "zu teuer", ""],
    ])  # fmt: skip
    report = import_csv(store, path, SETTINGS, "anna")
    assert report.problems == [
        "line 3, column decision: 'vielleicht' is not accept or reject (also allowed: annehmen, ablehnen, ja, nein)",
        "line 4, column reason: a rejection needs a reason code (one of: "
        + ", ".join(SETTINGS.reason_codes)
        + ")",
        "line 5, column id: no call 'a:9' in the database",
        "line 6, column id: 'a:1' is already decided differently on line 2",
        "line 7, column reason: 'zu teuer' is not a reason code (allowed: "
        + ", ".join(SETTINGS.reason_codes)
        + ")",
    ]
    assert "nothing was imported" in report.summary()
    assert reviews(store) == {}


def test_comma_separated_cp1252_file_from_excel_is_read(store, tmp_path):
    seed(store)
    path = tmp_path / "excel.csv"
    write_rows(path, [["id", "Entscheidung", "Grund"], ["a:2", "Nein", "bereits bekannt"]], ",", "cp1252")
    report = import_csv(store, path, SETTINGS, "anna")
    assert report.problems == []
    assert reviews(store) == {"a:2": ("reject", "bereits bekannt", None, "anna")}


def test_missing_column_is_named(store, tmp_path):
    seed(store)
    path = tmp_path / "x.csv"
    write_rows(path, [["id", "title"], ["a:1", "x"]])
    assert import_csv(store, path, SETTINGS, "anna").problems[0].startswith("line 1: missing column decision")


def test_cli_import_reports_problems_and_exits_1(config_dir, tmp_path):
    from foerderradar.configuration import load_config
    from foerderradar.store import Store

    store = Store(load_config(config_dir).database_path)
    seed(store)
    store.close()
    path = tmp_path / "bad.csv"
    write_rows(path, [["id", "decision"], ["a:1", "vielleicht"]])
    result = CliRunner().invoke(
        cli, ["--config", str(config_dir), "review", "import", str(path), "--by", "anna"]
    )
    assert result.exit_code == 1
    assert "line 2, column decision" in result.output
    exported = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli, ["--config", str(config_dir), "review", "export", "--csv", str(exported)]
    )
    assert result.exit_code == 0 and "wrote 3 calls" in result.output


def test_a_call_that_changed_since_its_rejection_is_exported_undecided_and_stays_queued(store, tmp_path):
    seed(store)
    path = tmp_path / "review.csv"
    write_rows(path, [["id", "decision", "reason", "note"], ["a:2", "reject", "nicht KI", "kein KI-Bezug"]])
    assert import_csv(store, path, SETTINGS, "anna").problems == []
    later = Classification(
        call_id="a:2", language="de", relevant=True, score=0.51, topics=("ki",),
        deadlines=(Deadline("2026-06-30", None, None, "antrag", "Anträge bis 30.06.2026"),), rolling=False,
        next_deadline="2026-06-30", status="open",
    )  # fmt: skip
    store.save_classification(later, store.call("a:2")["content_hash"], [])  # a new stage opened
    export_csv(store, path, False, None, None)
    header, *rows = read_as_spreadsheet(path)
    row = dict(zip(header, next(r for r in rows if r[0] == "a:2"), strict=True))
    assert (row["decision"], row["reason"], row["note"]) == ("", "", "")
    assert "bisher: reject – nicht KI – kein KI-Bezug" in row["why_flagged"]
    assert import_csv(store, path, SETTINGS, "bert").undecided == 3
    assert "a:2" in [r["id"] for r in store.review_queue()]
    assert reviews(store)["a:2"] == (
        "reject",
        "nicht KI",
        "kein KI-Bezug",
        "anna",
    )  # still rejected meanwhile


def write_text(path, lines):
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def import_cli(config_dir, path):
    return CliRunner().invoke(
        cli, ["--config", str(config_dir), "review", "import", str(path), "--by", "anna"]
    )


def seeded_config(config_dir):
    from foerderradar.configuration import load_config
    from foerderradar.store import Store

    database = load_config(config_dir).database_path
    store = Store(database)
    seed(store)
    store.close()
    return database


def stored(database):
    from foerderradar.store import Store

    store = Store(database)
    try:
        return reviews(store)
    finally:
        store.close()


def test_an_unbalanced_quote_in_a_note_is_an_error_with_its_line_and_nothing_is_saved(config_dir, tmp_path):
    database = seeded_config(config_dir)
    path = tmp_path / "quote.csv"
    # the note of line 2 opens a quote that only the note of line 4 closes: read leniently, the
    # rejections of lines 3 and 4 would vanish into line 2's note and "1 decisions saved" be reported
    write_text(path, [
        "id;decision;reason;note",
        'a:1;accept;;"bitte mit der Hochschule prüfen',
        "a:2;reject;nicht KI;",
        'a:3;reject;Frist zu knapp;"ok"',
    ])  # fmt: skip
    result = import_cli(config_dir, path)
    assert result.exit_code == 1
    assert "line 2: broken quoting" in result.output and "nothing was imported" in result.output
    assert "decisions saved" not in result.output
    assert stored(database) == {}


def test_a_quote_that_swallows_the_next_rows_is_caught_even_when_it_closes_cleanly(store, tmp_path):
    seed(store)
    path = tmp_path / "swallow.csv"
    write_text(path, [
        "id;decision;reason;note",
        'a:1;accept;"passt',
        "a:2;reject;nicht KI;kein Bezug",
        'a:3;accept;";gut',
    ])  # fmt: skip
    report = import_csv(store, path, SETTINGS, "anna")
    assert report.problems == [
        "line 2: a quoted field runs on into the row of 'a:2' (line 3); a quote (\") is not closed where it should be"
    ]
    assert reviews(store) == {}


def test_a_quote_never_closed_and_a_field_over_the_csv_limit_are_clear_errors(store, tmp_path):
    seed(store)
    path = tmp_path / "open.csv"
    write_text(path, ["id;decision;reason;note", "a:1;accept;;ok", 'a:2;reject;nicht KI;"offen'])
    assert import_csv(store, path, SETTINGS, "anna").problems == [
        'line 3: a quote (") opened on this line is never closed; close it or remove it'
    ]
    write_text(path, ["id;decision;reason;note", "a:1;accept;;ok", f'a:2;reject;nicht KI;"{"x" * 140_000}"'])
    problems = import_csv(store, path, SETTINGS, "anna").problems
    assert problems == ["line 3: a field is longer than 128 KB, the most a CSV field may hold; shorten it"]
    assert reviews(store) == {}


def test_a_big_field_through_the_cli_is_one_line_not_a_traceback(config_dir, tmp_path):
    database = seeded_config(config_dir)
    path = tmp_path / "big.csv"
    write_text(path, ["id;decision;reason;note", f"a:1;accept;;{'y' * 200_000}"])
    result = import_cli(config_dir, path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "line 2: a field is longer than 128 KB" in result.output
    assert stored(database) == {}


def test_every_exported_cell_that_a_spreadsheet_would_run_is_neutralised_notes_included(store, tmp_path):
    seed(store)
    note = '=HYPERLINK("http://evil.example";"Klick")'
    store.save_reviews([{"call_id": "a:1", "decision": "accept", "reason": None, "note": note,
                         "by": "anna", "at": "2026-11-20T08:00:00+00:00"}])  # fmt: skip
    store.save_reviews([{"call_id": "a:2", "decision": "reject", "reason": "nicht KI", "note": "-1+2",
                         "by": "anna", "at": "2026-11-20T08:00:00+00:00"}])  # fmt: skip
    path = tmp_path / "all.csv"
    export_csv(store, path, True, None, None)
    header, *rows = read_as_spreadsheet(path)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["a:1"]["note"] == "'" + note and by_id["a:2"]["note"] == "'-1+2"
    assert by_id["a:3"]["title"].startswith("'=")
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row
    # importing the export back changes nothing: the quote we added is taken off again
    report = import_csv(store, path, SETTINGS, "bert")
    assert report.problems == [] and sum(report.saved.values()) == 0
    assert reviews(store)["a:1"] == ("accept", None, note, "anna")


def test_export_to_an_unwritable_place_is_one_clear_line(config_dir, tmp_path):
    seeded_config(config_dir)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    target = blocker / "queue.csv"
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "review", "export", "--csv", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{target}: cannot write the review CSV" in result.output
