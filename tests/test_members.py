"""Members end to end: members.yaml validation, the store's matching tables and views, the digest's member
lines (parsed MIME), personal digests, interest marks (CLI and review CSV) and the matrix CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from foerderradar.cli import cli
from foerderradar.configuration import ConfigError, Source, load_config
from foerderradar.demo.server import write_demo_config
from foerderradar.models import Call, Classification, Deadline
from foerderradar.steps import match_step
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 23)

# invented calls, written in our own words
CALLS = {
    "t:verbund": dict(
        title="Verbundprojekte: KI-Bildverarbeitung in industriellen Datenräumen",
        text="Gefördert werden Verbundprojekte aus Unternehmen und Forschungseinrichtungen zu Computer "
        "Vision, Bilderkennung und Datenräume in der Fertigung. Antragsberechtigt sind Unternehmen, "
        "insbesondere KMU, Hochschulen und Forschungseinrichtungen. Jeder Verbund muss mindestens ein "
        "Unternehmen und eine Forschungseinrichtung umfassen.",
        topics=("ki", "daten"),
    ),
    "t:kmu": dict(
        title="Sprachmodelle für KMU – Einzelvorhaben",
        text="Antragsberechtigt sind KMU. Gefördert werden Einzelvorhaben zu Sprachmodellen und "
        "Dokumentenverarbeitung.",
        topics=("ki",),
    ),
    "t:sachsen": dict(
        title="Robotik in Sachsen",
        text="Das Land Sachsen fördert Robotik und autonome Systeme in der Fertigung. Antragsberechtigt "
        "sind Unternehmen mit Sitz in Sachsen.",
        topics=("digital",),
    ),
}


def seed(store: Store) -> None:
    store.sync_sources([Source(id="t", name="Testquelle", kind="feed", url="https://t.example.org/feed")])
    for call_id, spec in CALLS.items():
        call = Call(id=call_id, source_id="t", url=f"https://t.example.org/{call_id[2:]}", title=spec["title"],
                    text=spec["text"])  # fmt: skip
        store.save_call(call, seen_at="2026-11-20T06:00:00+00:00")
        result = Classification(
            call_id=call_id, language="de", relevant=True, score=0.9, topics=spec["topics"],
            deadlines=(Deadline("2027-01-15", None, None, "skizze", "15.01.2027"),), rolling=False,
            next_deadline="2027-01-15", status="open",
        )  # fmt: skip
        store.save_classification(result, call.content_hash(), [])


@pytest.fixture
def matched(config_dir: Path):
    config = load_config(config_dir)
    store = Store(config.database_path)
    seed(store)
    match_step(config, store, DAY)
    yield config, store
    store.close()


def edit_members(config_dir: Path, change) -> None:
    path = config_dir / "members.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


# --- members.yaml --------------------------------------------------------------------------


def test_the_shipped_example_and_the_demo_members_validate(tmp_path):
    members = load_config(ROOT / "config").members
    kinds = [m.kind for m in members]
    assert kinds.count("kmu") == 15 and kinds.count("hochschule") + kinds.count("forschung") == 6
    assert all(m.contact and m.contact.email.endswith(".example") for m in members), "invented addresses only"
    demo = load_config(write_demo_config(tmp_path, "http://127.0.0.1:9"))
    assert len(demo.members) == 21 and demo.mailing_list("datenwerk-persoenlich").member == "datenwerk"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["members"][0].update(skills=["x"]), r"members.yaml: members\[1\] \(id bildwerk\).skills: unknown key 'skills'"),
        (lambda d: d["members"][1].update(topics=["quanten"]), r"members.yaml: members\[2\] \(id datenwerk\).topics: unknown topic 'quanten'"),
        (lambda d: d["members"][2].update(lists=["alle"]), r"members.yaml: members\[3\] \(id sprachlabor\).lists: unknown list 'alle'"),
        (lambda d: d["members"][3].update(id=d["members"][0]["id"]), r"members.yaml: members: id 'bildwerk' is used twice"),
        (lambda d: d["members"][0].update(kind="startup"), r"members.yaml: members\[1\] \(id bildwerk\).kind: Input should be"),
        (lambda d: d["members"][0].update(employees=300), r"members.yaml: members\[1\] \(id bildwerk\): kind 'kmu' but 300 employees"),
        (lambda d: d["matching"].update(min_fti=0.5), r"members.yaml: matching.min_fti: unknown key 'min_fti' \(did you mean 'min_fit'\?\)"),
    ],
)  # fmt: skip
def test_config_errors_name_the_file_and_the_key(config_dir, change, message):
    edit_members(config_dir, change)
    with pytest.raises(ConfigError, match=message):
        load_config(config_dir)


def test_a_personal_list_must_name_a_known_member(config_dir):
    path = config_dir / "lists.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "    member: niemand\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"lists.yaml: lists\[2\] \(id forschung\).member: unknown member 'niemand'"
    ):
        load_config(config_dir)


def test_the_cli_says_the_config_error_in_one_line(config_dir):
    edit_members(config_dir, lambda d: d["members"][0].update(topics=["quanten"]))
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "members"])
    assert (
        result.exit_code == 2 and "members[1] (id bildwerk).topics: unknown topic 'quanten'" in result.output
    )
    assert "Traceback" not in result.output


def test_a_config_without_members_yaml_still_loads(config_dir):
    (config_dir / "members.yaml").unlink()
    assert load_config(config_dir).members == ()


# --- store ---------------------------------------------------------------------------------


def test_migration_8_and_the_matrix_views(matched):
    config, store = matched
    assert 8 in {r["version"] for r in store.rows("SELECT version FROM migrations")}
    rows = store.rows("SELECT * FROM member_matches WHERE call_id = 't:verbund'")
    assert rows and rows[0]["member"] and rows[0]["reasons"] and rows[0]["fit"] > 0
    assert {r["kind"] for r in rows} >= {"kmu", "hochschule"}
    proposals = store.rows("SELECT * FROM call_consortia WHERE call_id = 't:verbund'")
    assert proposals and "(Lead, KMU)" in proposals[0]["consortium"]
    assert proposals[0]["needs"] == "Verbund mit Forschung nötig"
    # eligibility in the stored run: only members in Sachsen for the Sachsen call, no institute for KMU only
    lands = {r["land"] for r in store.rows("SELECT * FROM member_matches WHERE call_id = 't:sachsen'")}
    assert lands == {"Sachsen"}
    kinds = {r["kind"] for r in store.rows("SELECT * FROM member_matches WHERE call_id = 't:kmu'")}
    assert kinds == {"kmu"}


def test_an_interest_mark_for_an_unknown_call_stores_nothing(matched):
    _, store = matched
    with pytest.raises(KeyError):
        store.save_interest(
            [{"call_id": "t:kmu", "member_id": "bildwerk", "mark": "interessiert"},
             {"call_id": "t:nope", "member_id": "bildwerk", "mark": "interessiert"}]
        )  # fmt: skip
    assert store.interest_marks() == {}


# --- the digest ----------------------------------------------------------------------------


def digests(config, store) -> dict[str, str]:
    from alerts import send_digests

    report = send_digests(store, config, list(config.lists), DAY)
    found = {}
    for path in report.files:
        if path.suffix == ".eml":
            message = message_from_bytes(path.read_bytes(), policy=default)
            found[message["List-Id"].split("<")[1].split(".")[0]] = message
    return found


def test_the_digest_names_the_members_that_fit_and_a_consortium(matched):
    config, store = matched
    message = digests(config, store)["ki-netzwerk"]
    text = " ".join(message.get_body(("plain",)).get_content().split())
    html = message.get_body(("html",)).get_content()
    assert "Passt zu: Bildwerk Vision GmbH (Computer Vision, Bildverarbeitung, Bilderkennung)" in text
    assert "Mögliches Konsortium: " in text and "(Lead, KMU) + " in text and "(Hochschule)" in text
    assert "Mögliches Konsortium: " in html and 'class="extra"' in html
    # the research list names its readers (the institutes), not the SMEs
    forschung = " ".join(
        digests_after_reset(config, store)["forschung"].get_body(("plain",)).get_content().split()
    )
    assert "Passt zu: Hochschule Beispielstadt" in forschung and "Passt zu: Bildwerk" not in forschung


def digests_after_reset(config, store):
    store.db.execute("DELETE FROM deliveries")
    store.db.execute("DELETE FROM digests")
    store.db.conn.commit()
    return digests(config, store)


def test_a_personal_digest_holds_only_what_fits_the_member(config_dir):
    path = config_dir / "lists.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: robo\n    name: Für Robomotion\n    address: robo@robomotion.example\n    member: robomotion\n",
        encoding="utf-8",
    )
    config = load_config(config_dir)
    store = Store(config.database_path)
    seed(store)
    match_step(config, store, DAY)
    text = " ".join(digests(config, store)["robo"].get_body(("plain",)).get_content().split())
    store.close()
    assert "Robotik in Sachsen" in text and "Sprachmodelle für KMU" not in text
    assert "Passt zu Ihnen: Robotik, autonome Systeme, Fertigung · KMU in Sachsen" in text


# --- interest marks and the CLI ------------------------------------------------------------


def invoke(config_dir, *args):
    return CliRunner().invoke(cli, ["--config", str(config_dir), *args])


def test_members_lists_each_member_with_its_best_calls(config_dir, matched):
    result = invoke(config_dir, "members", "--member", "bildwerk", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "bildwerk — Bildwerk Vision GmbH (kmu, Hessen, 28 Beschäftigte)" in result.output
    assert "Verbundprojekte: KI-Bildverarbeitung" in result.output
    assert "Konsortium: Bildwerk Vision GmbH (Lead, KMU)" in result.output or "Konsortium:" in result.output
    assert invoke(config_dir, "members", "--member", "wer").exit_code == 2


def test_an_interest_mark_changes_the_next_ranking(config_dir, matched):
    _, store = matched
    before = store.rows("SELECT member_id FROM matches WHERE call_id = 't:kmu' ORDER BY rank")
    last = before[-1]["member_id"]
    first = before[0]["member_id"]
    assert invoke(config_dir, "members", "mark", last, "t:kmu", "interessiert").exit_code == 0
    assert invoke(config_dir, "members", "mark", first, "t:kmu", "nicht-für-uns").exit_code == 0
    invoke(config_dir, "members", "--today", "2026-11-23")
    after = store.rows("SELECT member_id, interest FROM matches WHERE call_id = 't:kmu' ORDER BY rank")
    assert after[0] == {"member_id": last, "interest": "interessiert"}
    assert after[-1] == {"member_id": first, "interest": "nicht für uns"}
    interest = store.rows("SELECT member, mark, title FROM member_interest ORDER BY mark")
    assert [r["mark"] for r in interest] == ["interessiert", "nicht für uns"]
    wrong = invoke(config_dir, "members", "mark", last, "t:nope", "interessiert")
    assert wrong.exit_code == 1 and "no call 't:nope'" in wrong.output


def test_the_review_csv_carries_interest_marks_both_ways(config_dir, matched, tmp_path):
    _, store = matched
    path = tmp_path / "review.csv"
    assert invoke(config_dir, "review", "export", "--all", "--csv", str(path)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert "interest" in rows[0]
    for row in rows:
        row["interest"] = "bildwerk: interessiert, sprachlabor: nicht für uns" if row["id"] == "t:kmu" else ""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    result = invoke(config_dir, "review", "import", str(path), "--by", "anna")
    assert result.exit_code == 0 and "2 interest marks saved" in result.output
    assert store.interest_marks() == {
        ("t:kmu", "bildwerk"): "interessiert",
        ("t:kmu", "sprachlabor"): "nicht für uns",
    }
    assert invoke(config_dir, "review", "export", "--all", "--csv", str(path)).exit_code == 0
    assert "bildwerk: interessiert, sprachlabor: nicht für uns" in path.read_text(encoding="utf-8-sig")


def test_a_bad_interest_cell_imports_nothing(config_dir, matched, tmp_path):
    _, store = matched
    path = tmp_path / "review.csv"
    path.write_text("id;decision;interest\r\nt:kmu;;niemand: interessiert\r\nt:verbund;;bildwerk: vielleicht\r\n",
                    encoding="utf-8")  # fmt: skip
    result = invoke(config_dir, "review", "import", str(path))
    assert result.exit_code == 1
    assert "line 2, column interest: no member 'niemand'" in result.output
    assert "line 3, column interest: 'bildwerk: vielleicht'" in result.output
    assert store.interest_marks() == {}


def test_the_matrix_csv_opens_as_a_spreadsheet_reads_it(config_dir, matched, tmp_path):
    config, _ = matched
    path = tmp_path / "matrix.csv"
    result = invoke(config_dir, "members", "--csv", str(path), "--today", "2026-11-23")
    assert result.exit_code == 0 and "wrote 3 calls × 21 members" in result.output
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = table[0], {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert header[:6] == ["id", "title", "next_deadline", "needs", "consortium", "interested"]
    assert len(header) == 6 + len(config.members)
    verbund = body["t:verbund"]
    assert verbund["next_deadline"] == "15.01.2027" and "(Lead, KMU)" in verbund["consortium"]
    assert re.fullmatch(r"[01],\d\d", verbund["Bildwerk Vision GmbH (bildwerk)"])  # German decimal comma
    assert body["t:kmu"]["Forschungsinstitut für Sprachtechnologie (institut-sprachtechnologie)"] == ""


def test_facts_columns_in_open_calls_are_used_when_present(matched):
    """After the call facts land (issue 13), open_calls carries applicants, consortium and region."""
    config, store = matched
    sql = store.rows("SELECT sql FROM sqlite_master WHERE name = 'open_calls'")[0]["sql"]
    with_facts = sql.replace(
        "SELECT c.id, c.title,",
        "SELECT c.id, c.title, NULL AS summary, '[\"kmu\"]' AS applicants, 0 AS consortium, NULL AS funding, "
        "NULL AS identifier, 'Hessen' AS region,",
    )
    store.db.executescript(f"DROP VIEW open_calls; {with_facts};")
    match_step(config, store, DAY)
    rows = store.rows("SELECT DISTINCT kind, land FROM member_matches WHERE call_id = 't:verbund'")
    assert {(r["kind"], r["land"]) for r in rows} == {("kmu", "Hessen")}
    assert store.rows("SELECT * FROM consortia") == []  # the facts say: no consortium needed


def test_an_unchanged_matching_run_is_not_repeated(matched):
    config, store = matched
    first = store.last_match_run()
    again = match_step(config, store, DAY)
    assert store.last_match_run().matched_at == first.matched_at and again.fits == first.fits
    store.save_interest([{"call_id": "t:kmu", "member_id": "lernpfad", "mark": "interessiert"}])
    match_step(config, store, DAY)
    assert store.rows("SELECT interest FROM matches WHERE member_id = 'lernpfad' AND call_id = 't:kmu'") == [
        {"interest": "interessiert"}
    ]


def test_an_english_personal_digest_gets_english_wording(config_dir):
    path = config_dir / "lists.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: bild-en\n    name: For Bildwerk\n    address: b@bildwerk.example\n"
        "    language: en\n    member: bildwerk\n",
        encoding="utf-8",
    )
    config = load_config(config_dir)
    store = Store(config.database_path)
    seed(store)
    match_step(config, store, DAY)
    text = " ".join(digests(config, store)["bild-en"].get_body(("plain",)).get_content().split())
    store.close()
    assert "Fits you: Computer Vision, Bildverarbeitung, Bilderkennung · SME in Hessen" in text
    assert (
        "consortium with research needed" in text
        and "Possible consortium: " in text
        and "(lead, SME)" in text
    )
