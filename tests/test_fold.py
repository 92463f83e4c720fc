"""The folded patterns: the lower-case twin finds exactly what the ignore-case original finds."""

from __future__ import annotations

import re

import pytest

from classifier.fold import Lower, fold, lower, lower_source

TEXTS = [
    "Antragsberechtigt sind KLEINE und mittlere Unternehmen (KMU) mit Sitz in Sachsen.",
    "Die Frist endet am 15. März 2027. ANTRÄGE können bis dahin gestellt werden.",
    "Who can apply? SMEs and Research Organisations; the DEADLINE is 3 May 2027.",
    "İstanbul, Straße, ΣΊΣΥΦΟΣ: Wörter, deren Kleinschreibung länger ist, Ende.",
    "",
]
SOURCES = [
    r"antragsberecht\w*|Unternehmen \(KMU\)",
    r"\bFrist\b\s+(?:\w+\s+){0,2}(?P<Tag>\d{1,2})\.\s*(?P<Monat>M\w+)",
    r"\bWHO (?:can|may) apply\b|deadline\W+is\s+\S+",
    r"(?<=, )[A-ZÄÖÜ]\w+",
    r"straße|wörter|ende\.",
]


@pytest.mark.parametrize("source", SOURCES)
def test_folded_matches_equal_the_ignore_case_original(source: str) -> None:
    original, folded = re.compile(source, re.I), fold(source)
    for text in TEXTS:
        assert [m.span() for m in folded.finditer(text)] == [m.span() for m in original.finditer(text)]
        assert [m.groups() for m in folded.finditer(text)] == [m.groups() for m in original.finditer(text)]
        assert folded.findall(text) == original.findall(text)
        assert folded.sub("·", text) == original.sub("·", text)
        found, expected = folded.search(text, 5), original.search(text, 5)
        assert (found and found.span()) == (expected and expected.span())


def test_matches_carry_the_texts_own_letters() -> None:
    match = fold(r"kleine und mittlere unternehmen").search(TEXTS[0])
    assert match is not None and match.group() == "KLEINE und mittlere Unternehmen"


def test_lower_source_keeps_escapes_and_group_names() -> None:
    assert lower_source(r"(?P<Tag>\D+)\S(?P=Tag)Frist\W") == r"(?P<Tag>\D+)\S(?P=Tag)frist\W"


def test_lower_keeps_every_offset() -> None:
    text = "İstanbul und Straße"
    assert len(lower(text)) == len(text) and lower(text).endswith("und straße")


@pytest.mark.parametrize(
    ("source", "starts"),
    [
        (r"\bbis\s+(?:zum\s+)?ende|\b(?:by|until)\s+the\s+end", ("bis", "by", "until")),
        (r"[Kk]lein(?:st)?e[nr]? Unternehmen", ("klein",)),
        (r"(?:Fristende)?\s*Frist", None),  # may start with white space: no literal leads
        (r"\b(?:mo|di)?\.\s+den", None),  # "." alone may lead: too short to look for
        (r"\w+ung|Förderung", None),
        (r"Stichtag(?:e)?|Stichtage der Einreichung", ("stichtag",)),  # a longer literal adds no start
    ],
)
def test_start_literals_are_read_off_the_pattern(source: str, starts: tuple[str, ...] | None) -> None:
    assert fold(source).starts == starts


LONG = (
    "Die Förderung läuft bis Ende Juni. " * 8
    + "Anträge sind bis zum Ende des Jahres einzureichen, by the end of May at the latest. " * 6
    + "der die das von am on of " * 40
    + "Until the END of March."
)


@pytest.mark.parametrize(
    "source",
    [
        r"\bbis\s+(?:zum\s+)?ende\s+\w+|\b(?:by|until)\s+the\s+end\s+of\s+\w+",
        r"\b(?:der|die|das|von|am|on|of)\s+\w+",  # dense start words: the engine's scan takes over
        r"ende des (?:jahres|monats)|end of",
    ],
)
def test_search_by_start_literals_finds_what_the_engine_finds(source: str) -> None:
    folded, original = fold(source), re.compile(source, re.I)
    assert folded.starts is not None
    for pos, endpos in ((0, len(LONG)), (17, len(LONG) - 40), (300, 900), (5, 60)):
        assert [m.span() for m in folded.finditer(LONG, pos, endpos)] == [
            m.span() for m in original.finditer(LONG, pos, endpos)
        ]
        found, expected = folded.search(LONG, pos, endpos), original.search(LONG, pos, endpos)
        assert (found and found.span()) == (expected and expected.span())


def test_lower_patterns_scan_lower_cased_text_like_the_engine() -> None:
    low = LONG.lower()
    for source in (r"\b(?:bis|by|until)\s+(?:zum\s+|the\s+)?end\w*", r"(?:der|die|das)\s+\w+", r"\w+ung\b"):
        pattern, engine = Lower(source), re.compile(source)
        assert [m.span() for m in pattern.finditer(low)] == [m.span() for m in engine.finditer(low)]
        assert pattern.findall(low) == engine.findall(low)
    assert Lower(r"frist|stichtag", re.I).starts is None  # str.find cannot ignore case
