"""The trained relevance model: sections, features, the decision on our own sentences, training, model errors, --errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier import Classifier
from classifier.model import SHIPPED, ModelError, load_model
from classifier.sections import find_sections, heading_role
from classifier.train import CORPUS, corpus_records, fit, gated_f1, ship, untrusted_gates
from foerderradar.cli import cli
from foerderradar.configuration import load_config
from foerderradar.models import Call

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 6, 1)

# A long guideline in our own words: the answers in a few sections, then pages of legal boilerplate.
GUIDELINE = (
    "# Förderlinie Lernende Werkzeugmaschinen\n\n"
    "### Kurztext\n\nSie entwickeln lernende Steuerungen für Werkzeugmaschinen? Dann erhalten Sie einen Zuschuss.\n\n"
    "1 Zuwendungszweck\n\nGefördert werden Vorhaben der Forschung und Entwicklung, in denen Verfahren des "
    "maschinellen Lernens und datengetriebene Modelle in die Steuerung von Maschinen gebracht werden.\n\n"
    "3 Zuwendungsempfänger\n\nAntragsberechtigt sind\n\n  * Unternehmen der gewerblichen Wirtschaft, insbesondere KMU,\n"
    "  * Hochschulen und Forschungseinrichtungen.\n\n"
    "7 Verfahren\n\nProjektskizzen sind bis zum 15. September 2026 beim Projektträger einzureichen.\n\n"
    "8 Rechtsgrundlagen\n\n"
    + "Die Beihilfe wird nach Artikel 25 der Verordnung gewährt; Definitionen gelten. "
    * 300
)


def test_headings_get_their_roles():
    assert heading_role("3 Zuwendungsempfänger") == "applicants"
    assert heading_role("### Kurztext") == "purpose"
    assert heading_role("2. Gegenstand der Förderung") == "purpose"
    assert heading_role("Who can apply?") == "applicants"
    assert heading_role("8 Rechtsgrundlagen") == "legal"
    assert heading_role("Deadline:") == "procedure"
    # the EU portal's "General conditions" are admissibility and eligibility: who may apply
    assert heading_role("General conditions") == "applicants"
    # a sentence that starts with a heading word is no heading
    assert (
        heading_role("Gegenstand der Förderung sind neue Verfahren, die in Betrieben erprobt werden.") is None
    )


def test_sections_cover_the_text():
    sections = find_sections(GUIDELINE)
    assert {"purpose", "applicants", "procedure", "legal"} <= set(sections.roles)
    assert sections.role_at(GUIDELINE.index("maschinellen Lernens")) == "purpose"
    assert sections.role_at(GUIDELINE.index("insbesondere KMU")) == "applicants"
    assert sections.role_at(len(GUIDELINE) - 10) == "legal"
    plain = "Ein Text ohne Überschriften. " * 400
    assert find_sections(plain).role_at(10) == "head" and find_sections(plain).role_at(9000) == "body"


def test_the_title_opens_no_section():
    # a title that starts with a heading word ("Finanzierung", "Evaluation") is the text's head, also repeated
    text = (
        "Finanzierung über den Innovationskredit\n\nPraxistipp\n\nFinanzierung über den Innovationskredit\n\n"
        "Die Förderbank bietet KMU Darlehen für Digitalisierungsvorhaben an.\n\nHöhe der Förderung\n\nGefördert werden Ausgaben."
    )
    sections = find_sections(text)
    assert sections.role_at(text.index("Digitalisierungsvorhaben")) == "head"
    assert sections.role_at(text.index("Gefördert werden")) == "funding"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load(load_config(ROOT / "config"))


def features_of(
    classifier: Classifier, text: str, title: str = "Förderaufruf", fields=None
) -> dict[str, float]:
    call = Call("c", "s", "", title, text, fields=fields or {})
    return classifier.relevance_features([call])[0]


def test_features_count_evidence_by_section(classifier):
    values = features_of(classifier, GUIDELINE, "Lernende Werkzeugmaschinen")
    assert values["topic:ki@key"] > 0 and values["topic:daten@key"] > 0
    assert values["applicants:section"] == 1 and values["applicants:companies"] == 1
    assert values["applicants:research"] == 1 and "applicants:persons_only" not in values
    assert "signal:restricted_applicants" not in values  # the bullet list names companies
    assert "word:beihilfe" not in values  # legal boilerplate gives no word features


def test_legal_boilerplate_gives_no_topic_evidence(classifier):
    text = "### Kurztext\n\nZuschuss für Gewächshäuser.\n\n8 Rechtsgrundlagen\n\n" + (
        "Software und Digitalisierung der Verwaltung sind nach Artikel 3 geregelt. " * 20
    )
    values = features_of(classifier, text, "Gewächshäuser")
    assert not any(name.startswith("topic") for name in values)


def test_a_topic_named_as_a_funded_area_counts_apart_from_one_in_passing(classifier):
    listed = (
        "1 Gegenstand der Förderung\n\nGefördert werden Vorhaben in den Bereichen\n\n"
        "  * Speicher für Wärme und Strom,\n  * Digitalisierung der Netze,\n  * neue Werkstoffe.\n"
    )
    prose = (
        "1 Gegenstand der Förderung\n\nGefördert werden Vorhaben zu Speichern für Wärme und Strom, bei denen "
        "auch die Digitalisierung der Netze und neue Werkstoffe eine Rolle spielen können, sofern sie dem Ziel dienen.\n"
    )
    assert features_of(classifier, listed, "Energiespeicher")["topics@key:listed"] == 0.5
    assert "topics@key:listed" not in features_of(classifier, prose, "Energiespeicher")
    # what a call is for names its topic too, in running prose
    named = (
        "Das Ministerium startet einen Förderaufruf für KI-Anwendungen in kleinen und mittleren Unternehmen."
    )
    assert features_of(classifier, named, "Neuigkeiten")["topics@key:listed"] == 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Gefördert werden Forschungsvorhaben ohne thematische Einschränkung; Unternehmen sind antragsberechtigt.",
        "Das Programm ist technologie- und branchenoffen und richtet sich an kleine Unternehmen.",
        "The programme is technology-open: any SME may submit an R&D proposal.",
    ],
)
def test_a_technology_open_programme_is_read_without_topic_words(classifier, text):
    assert features_of(classifier, text, "Förderprogramm")["topic:technologieoffen@key"] > 0


@pytest.mark.parametrize(
    "text",
    [
        "Gefördert werden interdisziplinäre Forschungsverbünde zu lernenden Systemen.",
        "Grants go to research consortia of universities and companies.",
    ],
)
def test_a_research_consortium_is_an_r_and_d_project(classifier, text):
    assert features_of(classifier, text, "Förderinitiative")["innovation:key"] == 1.0


def test_the_source_fields_are_used_as_stated(classifier):
    text = "Zuschuss für Vorhaben der Digitalisierung von Betrieben."
    stated = {"Förderberechtigte": "Unternehmen, Hochschule", "Förderart": "Zuschuss"}
    values = features_of(classifier, text, fields=stated)
    assert values["applicants:companies"] == 1 and values["applicants:research"] == 1
    persons = features_of(classifier, text, fields={"Förderberechtigte": "Privatperson"})
    assert persons["applicants:persons_only"] == 1 and "applicants:companies" not in persons


def test_the_trained_decision_on_our_own_sentences(classifier):
    def verdict(title: str, text: str):
        return next(classifier.classify_many([Call("c", "s", "", title, text)], TODAY))

    fitting = verdict("Lernende Werkzeugmaschinen", GUIDELINE)
    assert fitting.relevant and "ki" in fitting.topics
    names = [e.label for e in fitting.evidence if e.signal == "model"]
    assert names and all(isinstance(e.weight, float) for e in fitting.evidence)
    fellowship = verdict(
        "Stipendien für Promovierende",
        "Die Stiftung vergibt Stipendien an Doktorandinnen und Doktoranden, die zu künstlicher Intelligenz "
        "promovieren. Bewerben können sich Studierende mit Masterabschluss.",
    )
    assert not fellowship.relevant
    stopped = verdict(
        "Lernende Werkzeugmaschinen", "Antragsstopp: Die Mittel sind ausgeschöpft.\n\n" + GUIDELINE
    )
    assert not stopped.relevant and any(e.signal == "gate" for e in stopped.evidence)


def test_relevance_does_not_depend_on_the_reference_date(classifier):
    call = Call("c", "s", "", "Lernende Werkzeugmaschinen", GUIDELINE)
    early, late = (
        next(classifier.classify_many([call], day)) for day in (date(2026, 1, 1), date(2029, 1, 1))
    )
    assert early.score == late.score and early.status != late.status


def test_a_missing_or_stale_model_is_a_clear_error(tmp_path):
    missing = tmp_path / "relevance.json"
    with pytest.raises(ModelError, match=f"{missing}: relevance model missing"):
        load_model(missing)
    stale = json.loads(SHIPPED.read_text(encoding="utf-8"))
    stale["features_version"] = -1
    missing.write_text(json.dumps(stale), encoding="utf-8")
    with pytest.raises(ModelError, match="relevance model is stale"):
        load_model(missing)
    missing.write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="not a relevance model"):
        load_model(missing)


def test_a_stale_model_stops_tag_with_one_line(tmp_path):
    import shutil

    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    config = load_config(config_dir)
    target = config.database_path.parent / "model" / "relevance.json"
    target.parent.mkdir(parents=True)
    target.write_text(
        json.dumps({**json.loads(SHIPPED.read_text()), "features_version": 0}), encoding="utf-8"
    )
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "a", "title": "t", "text": "Zuschuss"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "tag", "--input", str(records)])
    assert result.exit_code == 1
    assert (
        result.output.strip().startswith("error: ")
        and "relevance.json: relevance model is stale" in result.output
    )
    assert "Traceback" not in result.output


def test_training_is_reproducible_from_a_seed():
    def rows(n: int) -> list:
        return [
            ({"a": float(i % 2), "b": (i % 3) / 2, "word:x": float(i % 5 == 0)}, bool(i % 2), 1.0)
            for i in range(n)
        ]

    first, second = fit(rows(40), seed=3), fit(rows(40), seed=3)
    assert first.weights == second.weights and first.bias == second.bias and first.version == second.version


def test_training_judges_the_gated_decision_and_drops_a_gate_that_misfires():
    # three relevant calls the news detector misreads, one job ad it gates rightly
    rows = [({"type:news": 1.0}, True, 1.0)] * 3 + [({"type:job": 1.0}, False, 1.0), ({}, True, 1.0)]
    scores = [0.9, 0.9, 0.9, 0.8, 0.9]
    assert gated_f1(rows, scores, []) == 2 * 1 / (2 * 1 + 3)  # the news gate costs three calls
    assert untrusted_gates(rows, scores) == ["type:news"]
    assert gated_f1(rows, scores, ["type:news"]) == 1.0


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")
def test_the_shipped_model_is_the_one_the_corpus_trains():
    assert corpus_records(CORPUS) and all(r["split"] == "train" for r in corpus_records(CORPUS))
    shipped = load_model(SHIPPED)
    rebuilt = ship(load_config(ROOT / "config"), CORPUS, seed=shipped.meta["seed"])
    assert rebuilt.version == shipped.version, "retrain with: .venv/bin/python -m classifier.train"


def test_eval_errors_lists_wrong_documents_by_kind(tmp_path):
    gold = [
        {
            "id": "fp",
            "title": "Stellenausschreibung KI",
            "text": "Wir suchen eine Referentin (m/w/d) für künstliche Intelligenz. Entgeltgruppe 13 TV-L.",
            "published": "2026-01-01",
            "deadlines": [{"date": "2026-02-01", "time": None, "kind": "single"}],
            "rolling": True,
            "relevant": True,
        },
        {
            "id": "ok",
            "title": "Lernende Werkzeugmaschinen",
            "text": GUIDELINE,
            "published": "2026-01-01",
            "deadlines": [],
            "rolling": False,
            "relevant": True,
        },
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "config"), "eval", str(path), "--errors"])
    assert result.exit_code == 0, result.output
    assert "relevance F1" in result.output  # the §3 figures come first
    report = result.output.split("relevance false negative", 1)[1]
    assert "fp (Stellenausschreibung KI): expected True, got False" in report
    assert "missed deadline (a gold date not predicted): 1" in result.output
    assert "false deadline (a date predicted, gold has none): 1" in result.output
    assert "ok (Lernende Werkzeugmaschinen): expected [], got ['2026-09-15']" in result.output
    assert "rolling wrong: 1" in result.output
