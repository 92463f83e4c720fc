"""The classifier's shortcuts for speed give exactly what the long way gives.

Each shortcut is checked against the plain form it replaces, on sentences written for the purpose: the
regexes rewritten so ``re`` can skip ahead, the checks settled without a scan, the evidence ``tag`` leaves out.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest

from classifier import Classifier, cues
from classifier import text as text_module
from classifier.date_features import document_view
from classifier.dates import _DIGIT_RUNS
from classifier.facts import _BULLET, _MARKUP, plain
from classifier.fold import lower
from classifier.pipeline import TOKEN_CACHE
from classifier.status import _closed_matches
from classifier.text import _CONTROL, _LAYOUT, _LETTERS, Sentences, TextError, check_text, sentence_spans
from foerderradar.configuration import load_config
from foerderradar.models import Call, Deadline

ROOT = Path(__file__).resolve().parents[1]

BODY = (
    "Gefördert werden Vorhaben der angewandten KI-Forschung; Antragsberechtigt sind KMU. "
    "Projektskizzen sind bis zum 15. März 2027 einzureichen! Fragen? Bitte an das Referat.\n"
    "- Laufzeit: 36 Monate\n| 15.01.2027 | Februar 2027 |\n\nDie Bekanntmachung vom 2. Januar 2027 gilt."
)


def _checked(text: str) -> str:
    try:
        check_text(text)
    except TextError:
        return "rejected"
    return "accepted"


def _checked_the_long_way(raw: str) -> str:
    sample = raw[:2000]
    if len(sample) <= 200:
        return "accepted"
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    rest = _LETTERS.sub("", sample)
    letters = len(sample) - len(rest)
    visible = len(sample) - (len(rest) - len(_LAYOUT.sub("", rest)))
    return "rejected" if bad > len(sample) * 0.05 or letters < visible * 0.3 else "accepted"


@pytest.mark.parametrize(
    "text",
    [
        BODY * 3,
        "Заявки принимаются до 15 марта 2027 года, финансирование проектов в области ИИ. "
        * 5,  # no ASCII letter
        "\x00\x01\x02\x03 binary \x07\x08" * 40,
        "Inhalt ……………………………… 3\n" * 30,
        "12.03.2027 | 4.500 € | 17:00 | " * 20,
        ("Förderung \ufffd\ufffd " * 40),
        "ÄÖÜ äöü ß é è " * 30 + "Antrag",
    ],
)
def test_the_byte_count_shortcut_decides_as_the_full_check(text: str) -> None:
    assert _checked(text) == _checked_the_long_way(text)


@pytest.mark.parametrize(
    "span",
    [
        "Gefördert werden  Vorhaben\nder KI-Forschung.",
        "* **Zuwendungszweck:** Gefördert werden Vorhaben",
        "  - Antragsberechtigt sind KMU |",
        "#### Gegenstand der Förderung ##",
        "Kosten \\(netto\\) werden erstattet",
        "__Hinweis__ zu Fristen",
        "• Hochschulen und Forschungseinrichtungen",
        "   ",
        "",
    ],
)
def test_plain_without_markup_is_what_the_markup_patterns_give(span: str) -> None:
    assert plain(span) == " ".join(_BULLET.sub("", _MARKUP.sub("", span)).split())


ALL_NEGATIVES = re.compile("|".join(f"(?P<{c.name}>{c.pattern.pattern})" for c in cues.NEGATIVES))


@pytest.mark.parametrize(
    "context",
    [
        "die bekanntmachung vom ",
        "die veranstaltung findet ab dem ",
        "projektlaufzeit bis zum ",
        "die unternehmen, die nach dem ",
        "es wurden keine fragen bis zum ",
        "anstatt des ursprünglichen termins am ",
        "gefördert werden vorhaben, anträge sind bis zum ",
        "",
    ],
)
def test_the_negative_cues_present_find_what_all_of_them_find(context: str) -> None:
    found = [(m.span(), m.lastgroup) for m in cues.negative_matches(context)]
    assert found == [(m.span(), m.lastgroup) for m in ALL_NEGATIVES.finditer(context)]


def test_sentence_ends_are_those_of_the_single_class_pattern() -> None:
    one_class = re.compile(r"\n\s*\n|\n(?=\s*(?:[-•*–|]|\d|[A-ZÄÖÜ]))|;\s|[.!?](?=\s+[A-ZÄÖÜ„\"(])")
    assert [m.span() for m in text_module._SENTENCE_END.finditer(BODY)] == [
        m.span() for m in one_class.finditer(BODY)
    ]
    assert len(sentence_spans(BODY)) >= 5


@pytest.mark.parametrize(
    "text", ["Fristen:\n15. März 2027\n" + BODY, BODY, "\n## Verfahren\nAnträge bis 1. Mai 2027."]
)
def test_the_headings_read_for_dates_include_the_first_line(text: str) -> None:
    anywhere = re.compile(
        r"(?:^|\n)[ \t]*(?:#{1,6}[ \t]+[^\n]{2,80}|\*\*[^\n*]{2,80}\*\*|[^\n]{2,60}:)[ \t]*(?=\n)"
    )
    low = lower(text)
    view = document_view(text, low, Sentences(text), None)
    assert view.heading_starts == tuple(m.start() for m in anywhere.finditer(low))


def test_tag_leaves_out_the_evidence_it_does_not_print_and_decides_the_same() -> None:
    classifier = Classifier.load(load_config(ROOT / "config"))
    call = Call(id="c1", source_id="s", url="", title="KI-Förderung für KMU", text=BODY, language="de")
    explained = next(classifier.classify_many([call], date(2027, 1, 10)))
    tagged = next(classifier.classify_many([call], date(2027, 1, 10), explain=False))
    assert tagged.as_tag_json() == explained.as_tag_json()
    assert {e.signal for e in tagged.evidence} <= {"topic"}
    assert {e.signal for e in explained.evidence} > {"topic"}  # the model's and the gates' lines


def test_a_deadline_as_json_is_its_dataclass_fields() -> None:
    deadline = Deadline("2027-03-15", "12:00", "CET", "skizze", "bis zum 15. März 2027, 12:00 Uhr")
    assert deadline.as_json() == dataclasses.asdict(deadline)


@pytest.mark.parametrize(
    "text",
    [
        BODY + " Die Förderung ist bis auf Weiteres ausgesetzt. Der Aufruf wurde geschlossen.",
        BODY + " Die Einreichungsfrist ist abgelaufen. Anträge sind nicht mehr möglich.",
        "The call is closed for submissions. " * 3 + BODY,
        BODY,
    ],
)
def test_the_closed_statements_found_are_those_of_the_whole_pattern(text: str) -> None:
    low = lower(text)
    assert [m.span() for m in _closed_matches(text, low)] == [
        m.span() for m in cues.CLOSED.twin.compiled.finditer(low)
    ]


def test_the_tokenizer_keeps_many_chunks_and_a_kept_chunk_gives_the_tokens_of_a_new_split() -> None:
    nlp = Classifier.load(load_config(ROOT / "config")).pipelines["de"]
    assert nlp.tokenizer.max_cache_size == TOKEN_CACHE > 10_000  # spaCy's default keeps 10,000
    text = BODY + " (KI-basierte Systeme, z.B. „Large Language Models“) – bis 30.6.2027!"
    nlp.make_doc(text)  # every chunk split once and kept
    kept = [(t.text, t.whitespace_) for t in nlp.make_doc(text)]
    nlp.tokenizer._flush_cache()
    nlp.tokenizer.max_cache_size = 0  # nothing kept: every chunk split anew
    try:
        fresh = [(t.text, t.whitespace_) for t in nlp.make_doc(text)]
    finally:
        nlp.tokenizer.max_cache_size = TOKEN_CACHE
    assert kept == fresh
    assert ("KI-basierte", " ") in kept and ("(", "") in kept


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "Nr. 12 vom 3.4.2027" + " ohne Ziffern " * 10 + "bis 30.06.2027, 12:00 Uhr; Az. 4711-08/15",
        "٣١ مارس 2027 und 15. Mai",  # digits of another script are digits too
        "keine Ziffer",
    ],
)
def test_the_digit_runs_are_those_of_the_possessive_form(text: str) -> None:
    plain_form = re.compile(r"\d++(?:\D{0,54}+\d++)*+")
    assert [m.span() for m in _DIGIT_RUNS.finditer(text)] == [m.span() for m in plain_form.finditer(text)]
