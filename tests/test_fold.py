"""The folded patterns: the lower-case twin finds exactly what the ignore-case original finds."""

from __future__ import annotations

import re

import pytest

from classifier.fold import fold, lower, lower_source

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
