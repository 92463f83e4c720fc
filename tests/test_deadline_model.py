"""The learned deadline decision: features of a date mention, the shipped model on our own sentences,
reproducible training, clear errors for a missing or stale weights file, and the date shapes it reads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import classifier.deadline_model as deadline_model
from classifier.date_features import mention_features
from classifier.dates import find_dates
from classifier.deadline_model import MODEL_PATH, ModelError, load_model
from classifier.deadline_train import CORPUS, Example, data_hash, fit, training_records
from classifier.deadlines import extract_deadlines, read_mentions
from classifier.status import is_rolling
from classifier.text import Sentences
from foerderradar.cli import cli
from foerderradar.models import Deadline, next_deadline


def features_of(text: str, index: int = 0) -> list[str]:
    readings, view = read_mentions(text, Sentences(text))
    return mention_features(view, readings, index)


def found(text: str, published: date | None = None) -> list[tuple[str | None, str]]:
    return [(d.date, d.kind) for d in extract_deadlines(text, published).deadlines]


# --- features ---------------------------------------------------------------------------


def test_features_name_the_cues_words_and_shape_around_a_date():
    features = features_of("Projektskizzen sind bis zum 15. März 2027 beim Projektträger einzureichen.")
    assert {"bias", "year", "shape:month", "until", "rule:deadline", "submit:after_close"} <= set(features)
    assert "kind_skizze:near" in features or "kind_skizze:close" in features
    assert "b1:zum" in features and "a1:beim" in features


def test_features_see_the_heading_a_list_and_a_missing_year():
    text = "## Fristen und Termine\n\nStichtage:\n- 15. April\n- 15. Oktober\n"
    features = features_of(text, 1)
    assert "noyear" in features and "list" in features
    assert any(f.startswith("h:") for f in features)


def test_a_publication_date_is_described_as_one():
    features = features_of("Bekanntmachung vom 3. Februar 2027 des Ministeriums")
    assert "rule:publication" in features and "nocue" in features  # no deadline cue: no cue scans


# --- the shipped model on our own sentences --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Frist für Anträge endet am 30. Juni 2027.", [("2027-06-30", "single")]),
        (
            "Vollständige Anträge müssen bis spätestens 12.10.2027 beim Projektträger eingegangen sein.",
            [("2027-10-12", "single")],
        ),
        ("Interessierte reichen bis zum 11. Mai 2027 eine Projektskizze ein.", [("2027-05-11", "skizze")]),
        ("Submission deadline: 4 March 2027, 17:00 CET.", [("2027-03-04", "single")]),
        ("Die Einreichung läuft noch bis 31. Januar 2027.", [("2027-01-31", "single")]),
        ("Die Richtlinie tritt am 1. Januar 2027 in Kraft und gilt bis zum 31. Dezember 2030.", []),
        ("Veröffentlicht am 3. Mai 2027 im Bundesanzeiger.", []),
        ("Das Vorhaben ist bis zum 30. September 2029 abzuschließen.", []),
        ("Zum 15. Juli 2027 und zum 15. Januar 2028 können keine Projektskizzen eingereicht werden.", []),
        ("Der Verwendungsnachweis ist bis zum 30. April des Folgejahres vorzulegen.", []),
        # a sentence that runs over a list of dates: its lead-in and its end are every date's words
        (
            "In der ersten Stufe sind dem Projektträger bis spätestens\n\n15. März 2027\n\n15. September 2027"
            "\n\nzunächst Projektskizzen in elektronischer Form vorzulegen.",
            [("2027-03-15", "skizze"), ("2027-09-15", "skizze")],
        ),
        (
            "Vollständige Anträge müssen bis spätestens\n\n* zum 30. April 2027 (erste Runde) oder\n"
            "* zum 30. Oktober 2027 (zweite Runde)\n\nbeim Projektträger eingegangen sein.",
            [("2027-04-30", "single"), ("2027-10-30", "single")],
        ),
        # list entries that name only their stage stand under the list's label line
        (
            "Bitte beachten Sie die folgenden Einreichungsfristen:\n\n* Stufe 1: bis spätestens 3.5.2027, 12:00 Uhr,"
            "\n* Stufe 2: bis spätestens 8.11.2027, 12:00 Uhr.",
            [("2027-05-03", "skizze"), ("2027-11-08", "skizze")],
        ),
        ("Innovationsgutschein – Antragstellung zum 30. Juni 2027 beendet", [("2027-06-30", "single")]),
        (
            "Antragsberechtigt sind Vereine, die\n• zum Stichtag 31.12.2026 ordentliche Mitglieder des Verbands sind.",
            [],
        ),
        (
            "Termine 2027:\n\n* 12. März 2027\n* 18. Juni 2027\n\nAn diesen Tagen finden Sprechstunden statt.",
            [],
        ),
        ("## 9 Berichtspflichten\n\nDie Partner berichten jährlich bis zum 15. Dezember über den Stand.", []),
        ("Short applications submitted after the adoption of the work programme on 12 May 2027 count.", []),
        # a label followed by a colon names the next date, not the one before it
        (
            "**Date:** July 24, 2027 **Reply By:** **August 7, 2027** **4:00PM EST**",
            [("2027-08-07", "other")],  # a quotation asked for: a tender date
        ),
        (
            "Beadási határidő: 2027. 03. 19.",
            [("2027-03-19", "single")],
        ),  # the word for deadline, in Hungarian
        ("Gefördert werden Stellen, deren Ausschreibung nicht vor dem 1. März 2027 erfolgte.", []),
        ("Für die Feststellung der Voraussetzungen gilt der Stichtag des 31.12.2026.", []),
        # a date on a line of its own: the next line says what it is
        (
            "Aufruf 3\n\n14.05.2027\n\nDie Einreichungsfrist für den dritten Aufruf endet an diesem Tag.",
            [("2027-05-14", "single")],
        ),
    ],
)
def test_the_trained_decision_on_our_own_sentences(text, expected):  # noqa: D103
    assert found(text) == expected


def test_a_deadline_names_its_strongest_features():
    result = extract_deadlines("Anträge sind bis zum 15. April 2027 einzureichen.")
    (reading,) = [r for r in result.readings if r.role == "deadline"]
    assert reading.probability >= 0.5 and len(reading.evidence) >= 2
    assert all(isinstance(name, str) and isinstance(weight, float) for name, weight in reading.evidence)


def test_recurring_cut_offs_without_a_year_are_null_and_take_no_year_from_the_publication():
    text = "Projektskizzen können jeweils zum 15. April und 15. Oktober eines Jahres eingereicht werden."
    assert found(text, date(2026, 3, 1)) == [(None, "stichtag"), (None, "stichtag")]


def test_a_month_end_without_a_day_is_a_null_deadline():
    assert found("KMU können nur noch bis Ende Juni 2027 einen Antrag stellen.") == [(None, "single")]


# --- training -------------------------------------------------------------------------------


def own_examples() -> list[Example]:
    rows = [
        (["bias", "until", "submit:after_close"], 1),
        (["bias", "until", "kind_skizze:close"], 2),
        (["bias", "publication:close"], 0),
        (["bias", "project:after_close", "until"], 0),
        (["bias", "label:close"], 1),
        (["bias", "label:close", "stichtag:near"], 4),
    ]
    return [Example(features, label) for features, label in rows * 3]


def test_training_is_reproducible_from_the_seed():
    first, second = fit(own_examples(), seed=7, steps=60), fit(own_examples(), seed=7, steps=60)
    assert first == second
    assert first["submit:after_close"][1] > first["submit:after_close"][0]
    assert first["publication:close"][0] > first["publication:close"][1]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_the_shipped_weights_fit_the_training_data():
    payload = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert payload["training_data"] == data_hash(training_records())


# --- the weights file ---------------------------------------------------------------------------


def test_a_missing_weights_file_is_one_clear_error(tmp_path: Path):
    missing = tmp_path / "deadline_model.json"
    with pytest.raises(ModelError, match=r"deadline_model\.json: deadline model missing.*deadline_train"):
        load_model(missing)


def test_a_stale_weights_file_is_one_clear_error(tmp_path: Path):
    stale = tmp_path / "stale.json"
    payload = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    stale.write_text(json.dumps({**payload, "features_version": "0"}), encoding="utf-8")
    with pytest.raises(ModelError, match=r"stale\.json: stale deadline model.*retrain"):
        load_model(stale)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=r"broken\.json: cannot read"):
        load_model(broken)


def test_tag_with_a_stale_weights_file_says_so_in_one_line(tmp_path: Path, config_dir, monkeypatch):
    stale = tmp_path / "deadline_model.json"
    stale.write_text(json.dumps({"format": "foerderradar-deadline-model", "features_version": "0"}))
    monkeypatch.setattr(deadline_model, "MODEL_PATH", stale)
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"id": "a", "title": "Aufruf", "text": "Frist: 15.04.2027"}) + "\n")
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "tag", "--input", str(calls)])
    assert result.exit_code == 1
    assert "deadline_model.json: stale deadline model" in result.output and "Traceback" not in result.output


# --- date shapes seen in real calls ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso", "time", "tz"),
    [
        ("Frist: 4. March 2027", "2027-03-04", None, None),
        ("Abgabe bis 30.4.2027, 15:00 Uhr", "2027-04-30", "15:00", None),
        ("Deadline: 19th of January 2027 at 17:00 CET", "2027-01-19", "17:00", "CET"),
        ("Határidő: 2027. 03. 19.", "2027-03-19", None, None),
        ("Wave 2 closes September 30, 2027, 11:59PM PT", "2027-09-30", "23:59", "PT"),
        ("Einreichung von Skizzen bis zum 21.06.27.", "2027-06-21", None, None),
        ("Application period: Thu 29.01.2027 - Thu 05.03.2027", "2027-01-29", None, None),
    ],
)
def test_new_date_shapes(text, iso, time, tz):
    first = find_dates(text)[0]
    assert (first.iso, first.time, first.timezone) == (iso, time, tz)


def test_a_weekday_range_is_a_window_whose_end_is_the_deadline():
    assert found("Application period: Thu 29.01.2027 - Thu 05.03.2027") == [("2027-03-05", "single")]


def test_a_lower_case_et_is_no_time_zone():
    assert find_dates("am 30. April 2027 17:00 et al.")[0].timezone is None


# --- rolling ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rolling"),
    [
        ("Anträge können jederzeit gestellt werden.", True),
        ("Sie können Ihre Einwilligung jederzeit in den Cookie-Einstellungen widerrufen.", False),
        ("Unser Informationsangebot wird fortlaufend verbessert und ergänzt.", False),
        ("Skizzen und Anträge können jederzeit zurückgezogen werden.", False),
    ],
)
def test_rolling_needs_a_submission_word_near_it(text, rolling):
    assert is_rolling(text, Sentences(text)) is rolling


# --- the next deadline ---------------------------------------------------------------------------


def test_next_deadline_is_the_earliest_dated_one_on_or_after_today():
    deadlines = (
        Deadline("2027-05-01", None, None, "other", "1.5.2027"),
        Deadline(None, None, None, "stichtag", "15. April"),
        Deadline("2027-06-01", None, None, "single", "1.6.2027"),
        Deadline("2027-01-01", None, None, "single", "1.1.2027"),
    )
    assert next_deadline(deadlines, date(2027, 2, 1)) == "2027-05-01"
    assert next_deadline(deadlines, date(2027, 2, 1), applications_only=True) == "2027-06-01"
    assert next_deadline(deadlines, date(2027, 6, 2)) is None
