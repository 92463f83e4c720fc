"""Call facts (spec/classifier.md §4): extraction from invented German and English calls, the ``tag``
output, the stored shape (migration 7) and the views; the corpus check skips without ../shared."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from classifier.facts import applicant_kinds, call_facts
from foerderradar.models import Call, CallFacts, Classification
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

GUIDELINE_DE = """Richtlinie zur Förderung von Vorhaben zur Sprachverarbeitung im Handwerk

Vom 3. März 2027

1 Förderziel und Zuwendungszweck

Das Ministerium will die Verbreitung von Sprachtechnologien in kleinen Betrieben beschleunigen.

2 Gegenstand der Förderung

Gefördert werden Verbundvorhaben, in denen Betriebe des Handwerks gemeinsam mit Forschungspartnern
Sprachassistenten für die Auftragsannahme entwickeln. Die Vorhaben sollen innerhalb von zwei Jahren einen
erprobten Prototyp vorlegen.

3 Zuwendungsempfänger

Antragsberechtigt sind

* kleine und mittlere Unternehmen,
* Hochschulen und
* außeruniversitäre Forschungseinrichtungen.

Gefördert werden nur Verbundvorhaben mit mindestens zwei Partnern. Die Antragsteller benötigen eine
Betriebsstätte in Thüringen.

5 Art und Umfang der Zuwendung

Für die Maßnahme stehen bis zu 20 Mio. Euro zur Verfügung.
Die Förderquote beträgt bis zu 60 % der zuwendungsfähigen Kosten, höchstens 400.000 Euro je Vorhaben.
Die Bekanntmachung erscheint im Bundesanzeiger (BAnz AT 10.03.2027 B4).
"""

TOPIC_EN = """Robust perception for field robots
Identifier: HORIZON-CL4-2027-DIGITAL-02-11

Expected Outcome:
Project results are expected to contribute to robots that keep working in rain, dust and darkness.

Scope:
Proposals should develop perception methods that combine several sensors and stay reliable outdoors.
They should test the methods on at least two kinds of field robot.

Eligibility: applications must be submitted by a consortium of at least three independent legal entities
from three different Member States. Research organisations, universities and companies, including SMEs,
are eligible. The EU expects to fund each project with up to EUR 5 million.
"""

PRIZE_EN = """Scholarships for students of data science
The scholarship is open to individuals enrolled as students at a university. Each student applies alone.
"""


def sentences_of(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def test_german_guideline_facts_with_their_spans():
    facts = call_facts(GUIDELINE_DE, {}, "de")
    assert facts.summary.startswith("Gefördert werden Verbundvorhaben, in denen Betriebe des Handwerks")
    assert facts.summary.endswith("einen erprobten Prototyp vorlegen.")  # two sentences, not more
    assert facts.applicants == ("kmu", "hochschule", "forschung")
    assert facts.consortium is True and "mindestens zwei Partnern" in facts.evidence["consortium"]
    # "Die Förderquote beträgt" left out; the programme's budget (20 Mio. Euro) is not a project's funding
    assert facts.funding == "bis zu 60 %; höchstens 400.000 Euro"
    assert facts.identifier == "BAnz AT 10.03.2027 B4"
    assert facts.region == "Thüringen" and "Betriebsstätte in Thüringen" in facts.evidence["region"]
    assert set(facts.evidence) == {"summary", "applicants", "consortium", "funding", "identifier", "region"}


def test_english_topic_facts():
    facts = call_facts(TOPIC_EN, {}, "en")
    assert facts.summary == (
        "Proposals should develop perception methods that combine several sensors and stay reliable outdoors. "
        "They should test the methods on at least two kinds of field robot."
    )  # "Scope" before "Expected outcome": it says what is funded
    assert facts.identifier == "HORIZON-CL4-2027-DIGITAL-02-11"
    assert facts.consortium is True
    assert {"kmu", "unternehmen", "hochschule", "forschung"} <= set(facts.applicants)
    assert facts.funding == "up to EUR 5 million"
    assert facts.region is None


def test_summaries_are_sentences_of_the_text_never_new_words():
    for text in (GUIDELINE_DE, TOPIC_EN, PRIZE_EN):
        summary = call_facts(text).summary
        assert summary and sentences_of(summary) in sentences_of(text)


def test_the_title_is_not_repeated_as_the_summary():
    text = "Zuschüsse für Software-Start-ups im ländlichen Raum\n\nDas Programm fördert Start-ups, die digitale Dienste für Dörfer entwickeln."
    assert (
        call_facts(text).summary
        == "Das Programm fördert Start-ups, die digitale Dienste für Dörfer entwickeln."
    )


def test_nothing_said_is_nothing_claimed():
    facts = call_facts("Ein Überblick über Förderprogramme.\n\nMehr dazu folgt.", {}, "de")
    assert facts.applicants == () and facts.consortium is None and facts.funding is None
    assert facts.identifier is None and facts.region is None and facts.evidence.get("applicants") is None


def test_individuals_and_single_applicants():
    facts = call_facts(PRIZE_EN, {}, "en")
    assert facts.applicants == ("hochschule", "privatperson")
    assert not {"kmu", "unternehmen", "startup"} & set(facts.applicants)


def test_applicant_words_and_not_for_profit():
    assert applicant_kinds("kleine und mittlere Unternehmen sowie Start-ups") == ("kmu", "startup")
    assert applicant_kinds("Unternehmen der gewerblichen Wirtschaft") == ("unternehmen",)
    assert applicant_kinds("not-for-profit organisations and municipalities") == ("kommune", "verein")
    assert applicant_kinds("Vereine und Verbände, Privatpersonen") == ("verein", "privatperson")


def test_source_fields_come_first_and_nationwide_is_no_region():
    fields = {"Förderberechtigte": "Unternehmen, Existenzgründer/in", "Fördergebiet": "bundesweit"}
    facts = call_facts("Ein Zuschuss für Investitionen in Sachsen.", fields, "de")
    assert facts.applicants == ("unternehmen", "startup")
    assert facts.evidence["applicants"].startswith("field:Förderberechtigte")
    assert facts.region is None
    eu = call_facts("Some text.", {"Identifier": "DIGITAL-2027-AI-05", "Budget": "8000000 EUR"}, "en")
    assert eu.identifier == "DIGITAL-2027-AI-05" and eu.funding == "Budget 8000000 EUR"


def test_tag_prints_the_facts_object(config_dir, tmp_path):
    from click.testing import CliRunner

    from foerderradar.cli import cli

    path = tmp_path / "in.jsonl"
    records = [{"id": "de-1", "title": "", "text": GUIDELINE_DE, "published": "2027-03-03"}]
    records.append({"id": "en-1", "title": "", "text": TOPIC_EN, "published": "2027-01-10"})
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "tag", "--input", str(path)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert list(first["facts"]) == ["summary", "applicants", "consortium", "funding", "identifier", "region"]
    assert first["facts"]["applicants"] == ["kmu", "hochschule", "forschung"]
    assert first["facts"]["region"] == "Thüringen" and first["facts"]["consortium"] is True
    assert second["facts"]["identifier"] == "HORIZON-CL4-2027-DIGITAL-02-11"


def test_store_keeps_facts_with_evidence_and_the_views_show_them(tmp_path):
    from foerderradar.configuration import Source

    store = Store(tmp_path / "facts.db")
    store.sync_sources([Source(id="s", name="S", kind="feed", url="https://s.example.org/")])
    call = Call(
        id="s:1", source_id="s", url="https://s.example.org/1", title="Sprachassistenten", text=GUIDELINE_DE
    )
    store.save_call(call)
    facts = call_facts(GUIDELINE_DE)
    result = Classification("s:1", "de", True, 0.8, ("ki",), (), True, None, "open", facts=facts)
    store.save_classification(result, call.content_hash(), ["Score nahe der Schwelle"])
    stored = json.loads(store.classification("s:1").facts)
    assert stored == {**facts.as_tag_json(), "evidence": facts.evidence}
    assert store.call_facts("s:1") == facts and store.call_facts("s:missing") is None
    assert dict(store.calls_with_facts()) == {"s:1": facts}
    for view in ("review_queue", "open_calls"):
        (row,) = store.rows(f"SELECT * FROM {view}")
        assert row["summary"] == facts.summary and json.loads(row["applicants"]) == list(facts.applicants)
        assert row["consortium"] == 1 and row["funding"] == facts.funding
        assert row["identifier"] == "BAnz AT 10.03.2027 B4" and row["region"] == "Thüringen"
    store.close()


def test_migration_7_on_a_database_classified_before_it(tmp_path):
    import sqlite_utils

    from foerderradar.store import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    for version, name, step in MIGRATIONS:
        if version < 7:
            step(db)
            db.table("migrations").insert({"version": version, "name": name, "applied_at": "2026-11-01"})
    db.execute("INSERT INTO sources (id, name) VALUES ('s', 'S')")
    db.execute(
        "INSERT INTO calls (id, source_id, url, title, text, first_seen, last_seen, content_hash) "
        "VALUES ('s:1', 's', 'https://s.example.org/1', 'Alt', 'Alter Text', '2026-11-01', '2026-11-01', 'h')"
    )
    db.execute(
        "INSERT INTO classifications (call_id, relevant, score, topics, deadlines, status, flagged) "
        "VALUES ('s:1', 1, 0.5, '[]', '[]', 'open', 1)"
    )
    db.conn.commit()
    db.close()
    store = Store(path)  # applies migration 7 only
    assert store.call_facts("s:1") == CallFacts()
    (row,) = store.rows("SELECT summary, applicants, consortium, funding, region FROM review_queue")
    assert row == {"summary": None, "applicants": "[]", "consortium": None, "funding": None, "region": None}
    assert CallFacts.from_stored({"applicants": ["kmu", "firma"], "consortium": "yes"}) == CallFacts(
        applicants=("kmu",)
    )
    store.close()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_corpus_summaries_are_own_sentences_and_companies_agree_on_dev():
    sys.path.insert(0, str(ROOT / "bench"))
    import eval_facts

    results = {name: eval_facts.evaluate(rows, False) for name, rows in eval_facts.records("dev").items()}
    assert all(r["own"] == r["docs"] for r in results.values())
    stated = sum(r["stated"] for r in results.values())
    assert sum(r["agree"] for r in results.values()) >= 0.9 * stated


REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")
def test_real_source_fields_give_facts():
    """Calls parsed from real saved pages: the Förderdatenbank's Förderberechtigte / Fördergebiet and the
    EU portal's topic identifier become facts, with the field named as their evidence."""
    from crawler import eu_sedia, fdb_html
    from foerderradar.configuration import SediaOptions

    pages = sorted((REALDATA / "foerderdatenbank").glob("correlaid_detail*.html"))
    calls = [c for p in pages for c in fdb_html.parse_page(p.read_bytes(), "https://x.example/", "fdb").calls]
    with_applicants = [c for c in calls if "Förderberechtigte" in c.fields]
    assert with_applicants
    for call in with_applicants:
        facts = call_facts(call.text, call.fields)
        if applicant_kinds(
            call.fields["Förderberechtigte"]
        ):  # "Bildungseinrichtung" has no id: the text decides
            assert facts.evidence["applicants"].startswith("field:Förderberechtigte")
        regional = call.fields.get("Fördergebiet", "")
        assert (facts.region is None) == (not regional or "bundesweit" in regional.lower())
    responses = sorted((REALDATA / "eu-funding-tenders-sedia").glob("*.json"))
    topics = [
        c for r in responses for c in eu_sedia.parse_search(r.read_bytes(), "u", "eu", SediaOptions()).calls
    ]
    assert topics
    for call in topics:
        assert call_facts(call.text, call.fields, "en").identifier == call.fields["Identifier"]
