"""Relevance: topic evidence from keywords.yaml, the spec's signals, and the evidence every verdict carries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import spacy

from classifier import Classifier
from classifier.doctypes import title_types
from classifier.model import SHIPPED, load_model
from classifier.pipeline import build_pipeline, prepare
from classifier.signals import in_institution_name
from foerderradar.configuration import load_config
from foerderradar.models import Call

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 6, 1)

FITTING = (
    "Richtlinie zur Förderung von Forschungs- und Entwicklungsvorhaben zu KI-basierten Assistenzsystemen. "
    "Gefördert werden Verbundvorhaben, in denen Methoden des maschinellen Lernens und datengetriebene Modelle "
    "erprobt werden. Antragsberechtigt sind Unternehmen der gewerblichen Wirtschaft, insbesondere KMU, sowie "
    "Hochschulen und Forschungseinrichtungen. Projektskizzen sind bis zum 15. September 2026 einzureichen."
)


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load(load_config(ROOT / "config"))


def verdict(classifier: Classifier, text: str, title: str = "Förderaufruf", language: str | None = None):
    call = Call(
        id="c1", source_id="s", url="https://example.org/c1", title=title, text=text, language=language
    )
    return next(classifier.classify_many([call], TODAY))


def signals(result) -> set[str]:
    return {f"{e.signal}:{e.label}" for e in result.evidence}


def test_a_fitting_call_is_relevant_with_its_evidence(classifier):
    result = verdict(classifier, FITTING)
    assert result.relevant and result.score >= 0.6
    assert "ki" in result.topics and "daten" in result.topics
    terms = {e.term for e in result.evidence if e.signal == "topic"}
    assert {"KI-basierten", "maschinellen Lernens", "datengetriebene"} <= terms
    topic = next(e for e in result.evidence if e.term == "KI-basierten")
    assert "Assistenzsystemen" in topic.sentence  # the sentence the term stands in
    assert {"signal:funding", "signal:applicant", "signal:innovation"} <= signals(result)
    assert (
        result.config_version and result.model_version.startswith("rules-") and "+lr-" in result.model_version
    )
    assert any(e.signal == "model" for e in result.evidence)  # the features that weighed most


def test_english_compounds_and_inflections_match(classifier):
    result = verdict(
        classifier,
        "The call funds AI-based quality control and machine learning pilots. SMEs and research organisations "
        "can apply. Deadline: 12 November 2026, 17:00 CET.",
        title="Call for proposals",
    )
    assert result.language == "en" and result.relevant
    assert {e.term for e in result.evidence if e.signal == "topic"} >= {"AI-based", "machine learning"}


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        (
            "Vergabeverfahren: Rahmenvereinbarung über KI-Beratung. Angebotsfrist: 14.12.2026. Zuschlagskriterien: Preis.",
            "not_funding:tender",
        ),
        (
            "Wissenschaftliche Mitarbeiterin (m/w/d) für Künstliche Intelligenz, Entgeltgruppe 13 TV-L. Ihre Aufgaben: Forschung zu KI.",
            "not_funding:job",
        ),
        (
            "Der KI-Innovationspreis ist mit einem Preisgeld von 10.000 Euro dotiert. Die Preisverleihung findet im Mai statt.",
            "not_funding:prize",
        ),
        (
            "Bewilligt: Das Ministerium übergab heute Förderbescheide für 12 KI-Projekte an Unternehmen.",
            "not_funding:news",
        ),
    ],
)
def test_documents_that_are_not_funding(classifier, text, signal):
    result = verdict(classifier, text, title="Meldung")
    assert signal in signals(result)
    assert not result.relevant


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Landesförderung: Über 120 KI-Vorhaben bewilligt", "awarded"),
        ("Ministerium fördert neun neue Daten-Verbünde", "awarded"),
        ("Agency selects 30 SMEs for its AI accelerator", "awarded"),
        ("Infotag zum Programm Digitale Zukunft am 4. Mai", "event"),
        ("Webinar: Writing a proposal for the data spaces call", "event"),
        ("Studie: Wie KMU maschinelles Lernen nutzen", "report"),
        ("Annual report of the regional digital fund", "report"),
        ("Förderlinie Künstliche Intelligenz in der Hochschullehre", "teaching"),
        ("Promotionsstipendien für Informatik", "scholarship"),
        ("PhD programme in machine learning", "scholarship"),
        ("Unsere Förderstrategie 2030: Künstliche Intelligenz und Gesellschaft", "strategy"),
        ("About us", "strategy"),
    ],
)
def test_the_title_names_a_document_that_is_no_call(classifier, title, kind):
    assert [t.name for t in title_types(title)] == [kind]
    result = verdict(classifier, FITTING, title=title)
    assert f"not_funding:{kind}" in signals(result)
    assert not result.relevant


@pytest.mark.parametrize(
    "title",
    [
        "Richtlinie zur Förderung von Machbarkeitsstudien für KI-Anwendungen",
        "EXIST-Gründerstipendium",
        "KI-Lernassistenten für Schulen: Förderaufruf für Softwareunternehmen",
        "Bis zu 20 Projekte werden gefördert: neuer Aufruf zu Datenräumen",
        "Tech Seed Call 2027 for young AI companies",
        "Förderaufruf: 15 Unternehmen für KI-Pilotprojekte gesucht",
        "Förderrichtlinie zur Umsetzung der KI-Strategie",
        "Open call under the Digital Strategy: AI for manufacturing SMEs",
    ],
)
def test_a_call_title_names_no_other_kind(classifier, title):
    assert title_types(title) == []
    assert verdict(classifier, FITTING, title=title).relevant


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Newsletter 7: what our funded teams achieved",
            "Our final newsletter: the twelve SMEs funded in the last open call have finished their digital "
            "twin experiments and the software platform keeps running after the project.",
        ),
        (
            "Land fördert KI-Vorhaben von Softwarefirmen",
            "Pressemitteilung vom 3. Mai 2026. Das Wirtschaftsministerium fördert drei KMU, die Verfahren des "
            "maschinellen Lernens für die Qualitätsprüfung entwickeln, mit Zuschüssen von zusammen 900.000 Euro.",
        ),
    ],
)
def test_a_newsletter_or_press_release_without_a_deadline_reports(classifier, title, text):
    result = verdict(classifier, text, title=title)
    assert "not_funding:undated_news" in signals(result)
    assert not result.relevant


@pytest.mark.parametrize(
    "deadline",
    [
        "Anträge können ab sofort und noch bis Ende Juni gestellt werden.",  # a deadline without a day or year
        "Applications can be submitted until 30 November 2026, 17:00 CET.",
    ],
)
def test_a_press_release_that_names_a_deadline_is_about_a_call(classifier, deadline):
    text = (
        "Pressemitteilung: Das Land stockt sein Programm für die Digitalisierung kleiner und mittlerer "
        f"Unternehmen auf und fördert KI-Projekte mit Zuschüssen. {deadline}"
    )
    result = verdict(classifier, text, title="Förderprogramm Digital: mehr Mittel für KMU")
    assert "not_funding:undated_news" not in signals(result)
    assert result.relevant


@pytest.mark.parametrize(
    ("sentence", "term", "named"),
    [
        (
            "Das Bundesministerium für Digitales und Verkehr unterstützt Wasserstoffprojekte.",
            "Digitales",
            True,
        ),
        (
            "Das Bundesministerium für Verkehr und digitale Infrastruktur fördert Ladesäulen.",
            "digitale",
            True,
        ),
        ("The Ministry of Economic Affairs and Digital Transformation funds the scheme.", "Digital", True),
        ("Die Digitalministerin stellte das Programm vor.", "Digitalministerin", True),
        (
            "Das Ministerium für Bildung fördert Projekte zur Digitalisierung der Verwaltung.",
            "Digitalisierung",
            False,
        ),
        ("Gefördert werden digitale Assistenzsysteme für die Pflege.", "digitale", False),
    ],
)
def test_a_topic_word_in_a_ministry_name_is_no_evidence(sentence, term, named):
    assert in_institution_name(sentence, sentence.index(term), term) is named


def test_a_ministry_name_alone_makes_no_digital_call(classifier):
    text = (
        "Das Bundesministerium für Digitales und Verkehr fördert Vorhaben zur Brennstoffzellentechnik in Fahrzeugen. "
        "Antragsberechtigt sind Unternehmen und Forschungseinrichtungen. Anträge sind bis zum 30. Juni 2026 einzureichen."
    )
    result = verdict(classifier, text, title="Förderrichtlinie Wasserstoff im Verkehr")
    assert "digital" not in result.topics


def test_news_about_an_open_fitting_call_surfaces(classifier):
    text = (
        "Pressemitteilung: Ministerin startet neuen Förderaufruf für KI im Mittelstand. Auf der Konferenz sagte sie, "
        "KMU könnten bis zum 30. September 2026 Projektskizzen für KI-basierte Anwendungen einreichen."
    )
    assert verdict(classifier, text).relevant


@pytest.mark.parametrize(
    "text",
    [
        # companies excluded, only clinics
        "Gefördert werden klinische Studien mit KI-gestützter Diagnostik und maschinellem Lernen. Antragsberechtigt "
        "sind ausschließlich Universitätskliniken. Unternehmen der gewerblichen Wirtschaft sind nicht antragsberechtigt.",
        # eligibility list without companies or research bodies
        "Förderung von KI im Unterricht an Schulen. Antragsberechtigt sind die Schulträger öffentlicher Schulen. "
        "Künstliche Intelligenz soll im Unterricht erprobt werden.",
    ],
)
def test_applicants_the_network_cannot_be(classifier, text):
    result = verdict(classifier, text)
    assert "signal:restricted_applicants" in signals(result)
    assert not result.relevant


def test_a_list_of_who_cannot_apply_restricts_nobody_else(classifier):
    text = FITTING + " Nicht antragsberechtigt sind Privatpersonen."
    result = verdict(classifier, text)
    assert "signal:restricted_applicants" not in signals(result)
    assert result.relevant


def test_a_call_that_says_it_is_closed(classifier):
    result = verdict(classifier, FITTING + " Antragsstopp: Die Mittel sind ausgeschöpft.")
    assert result.status == "closed" and not result.relevant
    assert "signal:closed" in signals(result)


@pytest.mark.parametrize(
    "closing",
    [
        "Derzeit können keine Anträge gestellt werden.",
        "Die Einreichungsfrist endete am 3. März 2026. Der Aufruf ist geschlossen.",
        "Die Einreichungsphase ist bereits beendet.",
        "The submission process for new proposals is closed.",
    ],
)
def test_a_call_whose_text_says_nothing_is_open_is_not_relevant(classifier, closing):
    text = (
        FITTING.replace("Projektskizzen sind bis zum 15. September 2026 einzureichen.", "") + "\n\n" + closing
    )
    result = verdict(classifier, text)
    assert result.status == "closed" and not result.relevant


def test_submission_ended_in_an_english_call(classifier):
    text = (
        "The call funds research and innovation projects on AI-based quality control and machine learning. "
        "SMEs and research organisations can apply. Submission ended on 3 March 2026."
    )
    result = verdict(classifier, text, title="Call for proposals: AI in manufacturing")
    assert result.status == "closed" and not result.relevant


def test_ai_only_in_a_portal_name_is_no_topic(classifier):
    text = (
        "Förderung der Sanierung von Sportstätten gemeinnütziger Vereine. Die Zuwendung beträgt bis zu 50 Prozent. "
        "Anträge sind bis zum 15. Februar 2027 über das Antragsportal „KIRA – KI-gestützte Antragsassistenz“ einzureichen."
    )
    result = verdict(classifier, text)
    assert result.topics == () and not result.relevant


def test_keywords_yaml_exclusions_lower_the_score(classifier):
    teaching = (
        "Förderung von KI-Lehrmodulen in der Hochschullehre. Studierende lernen maschinelles Lernen in "
        "Lehrveranstaltungen. Hochschulen können Anträge stellen."
    )
    result = verdict(classifier, teaching)
    assert {e.label for e in result.evidence if e.signal == "exclusion"} == {"lehre"}
    assert not result.relevant


def test_bad_documents_get_a_result_or_a_clear_error(classifier):
    calls = [
        Call(id="empty", source_id="s", url="u", title="", text=""),
        Call(id="junk", source_id="s", url="u", title="", text="\x00\x01\x02\x03" * 200),
        Call(
            id="html",
            source_id="s",
            url="u",
            title="<h1>KI</h1>",
            text="<p>Die <b>Einreichungsfrist</b> endet am 31.03.2027.</p><script>x()</script>",
        ),
        Call(
            id="big",
            source_id="s",
            url="u",
            title="KI",
            text="Frist: 15.03.2027. " + "Daten und KI. " * 400_000 + " Einreichungsfrist: 30.09.2027.",
        ),
    ]
    results = {r.call_id: r for r in classifier.classify_many(calls, TODAY)}
    assert list(results) == ["empty", "junk", "html", "big"]
    assert results["empty"].status == "unknown" and not results["empty"].relevant
    assert results["junk"].evidence[0].signal == "error" and "binary" in results["junk"].evidence[0].sentence
    assert [d.date for d in results["html"].deadlines] == ["2027-03-31"]
    assert [d.date for d in results["big"].deadlines] == ["2027-03-15", "2027-09-30"]


def test_a_table_of_contents_with_dot_leaders_is_text(classifier):
    contents = "".join(f"{n}. Kapitel {n} " + "." * 120 + f" {n}\n" for n in range(1, 15))
    text = contents + "\nProjektskizzen für KI-Vorhaben von KMU sind bis zum 15. März 2027 einzureichen."
    result = verdict(classifier, text)
    assert not any(e.signal == "error" for e in result.evidence)
    assert [d.date for d in result.deadlines] == ["2027-03-15"]


def test_pipeline_is_built_from_config_and_round_trips_through_disk(tmp_path):
    config = load_config(ROOT / "config")
    topics = [t.model_dump() for t in config.keywords.topics]
    nlp = build_pipeline("de", topics, [])
    assert nlp.pipe_names == ["foerderradar_topics", "foerderradar_deadlines", "foerderradar_relevance"]
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    loaded.get_pipe("foerderradar_relevance").model = load_model(SHIPPED)  # the model is its own file
    doc = loaded(prepare(loaded, FITTING, None, today=TODAY))
    assert [d.date for d in doc._.fr_deadlines.deadlines] == ["2026-09-15"]
    assert doc._.fr_relevance.score > 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Die KI-basierte Lösung,  31.03.2026.\n\nFrist: 15. April! ",
        "  lead",
        "a\n b",
        "",
        " ",
        "x ",
        "AI-based tools",
    ],
)
def test_tokenizer_keeps_the_text_exactly(text):
    nlp = build_pipeline("de", [], [])
    doc = nlp.make_doc(text)
    assert doc.text == text
    assert "KI-basierte" in [t.text for t in nlp.make_doc("Die KI-basierte Lösung")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("(KI-basierte),", ["(", "KI-basierte", ")", ","]),
        ("KI--Modelle", ["KI", "-", "-", "Modelle"]),
        (
            "Start-up-Förderung z.B. 3.000,50 €",
            ["Start-up-Förderung", "z", ".", "B", ".", "3", ".", "000", ",", "50", "€"],
        ),
        ("-x- don't 'KI'", ["-", "x", "-", "don't", "'", "KI", "'"]),
        ("a_-b §§ 1–3", ["a_-b", "§", "§", "1", "–", "3"]),
    ],
)
def test_tokenizer_splits_off_every_punctuation_mark_but_inner_hyphens(text, words):
    nlp = build_pipeline("de", [], [])
    assert [t.text for t in nlp.make_doc(text) if not t.is_space] == words


def test_one_closed_call_on_a_page_of_several_does_not_close_the_others(classifier):
    text = (
        "Aktuelle Förderaufrufe\n\nKI-Piloten im Handwerk\nGefördert werden KI-basierte Pilotprojekte von KMU. "
        "Frist: 30.09.2026\n\nDatenkompetenz für Start-ups\nDieser Aufruf ist abgeschlossen. Ein neuer Aufruf folgt."
    )
    result = verdict(classifier, text)
    assert result.status == "open" and result.relevant and result.next_deadline == "2026-09-30"


def test_a_failing_document_does_not_stop_the_batch(classifier, monkeypatch):
    import classifier.pipeline as pipeline

    real = pipeline.extract_deadlines

    def flaky(text, *args, **kwargs):
        if "BOOM" in text:
            raise RuntimeError("unexpected input")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pipeline, "extract_deadlines", flaky)
    calls = [
        Call(id=name, source_id="s", url="u", title=name, text=text)
        for name, text in (("a", FITTING), ("b", "BOOM " + FITTING), ("c", FITTING))
    ]
    results = list(classifier.classify_many(calls, TODAY))
    assert [r.call_id for r in results] == ["a", "b", "c"]
    assert results[0].relevant and results[2].relevant
    assert results[1].evidence[0].signal == "error" and "unexpected input" in results[1].evidence[0].sentence


def test_mixed_languages_in_one_document(classifier):
    text = (
        "Call for proposals: AI for SMEs. Deadline: 12 March 2027, 17:00 CET.\n\n"
        "Deutsche Zusammenfassung: Gefördert werden KI-Projekte von KMU. Die Einreichungsfrist endet am 15.04.2027."
    )
    result = verdict(classifier, text, title="AI call / KI-Aufruf")
    assert result.language in ("de", "en") and result.relevant
    assert [d.date for d in result.deadlines] == ["2027-03-12", "2027-04-15"]
