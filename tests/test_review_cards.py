"""What a review card shows and which forms the page refuses, without a server (pure functions)."""

from __future__ import annotations

import json
from datetime import date

from foerderradar.review.cards import card, deadline_lines, strongest_evidence
from foerderradar.review.page import _following, form_problem

CODES = ("nicht KI", "Frist zu knapp")
TODAY = date(2026, 12, 2)


def test_a_card_without_the_facts_columns_skips_them_and_names_topics():
    row = {"id": "a:1", "title": "T", "url": "javascript:alert(1)", "call_funder": "BMFTR",
           "external_id": "X-1", "topics": '["ki", "neu"]', "why_flagged": '["unsicher"]',
           "score": 0.5, "deadlines": "[]", "rolling": 0}  # fmt: skip
    shown = card(row, {"ki": "Künstliche Intelligenz"}, TODAY)
    assert shown["url"] is None  # a scraped javascript: link is never made clickable
    assert (shown["funder"], shown["identifier"]) == ("BMFTR", "X-1")
    assert shown["topics"] == ["Künstliche Intelligenz", "neu"]
    assert shown["summary"] is None and shown["applicants"] == [] and shown["consortium"] is None
    assert shown["deadlines"] == ["keine Frist gefunden"] and shown["seen"] == ""


def test_a_card_with_facts_and_an_earlier_decision():
    row = {"id": "a:1", "title": "T", "url": "https://x.example/1", "summary": "Gefördert wird A.",
           "applicants": '["kmu", "forschung"]', "consortium": 0, "decision": "reject",
           "reason": "nicht KI", "decided_by": "anna", "decided_at": "2026-11-01T08:00:00+00:00"}  # fmt: skip
    shown = card(row, {}, TODAY)
    assert shown["applicants"] == ["KMU", "außeruniversitäre Forschungseinrichtungen"]
    assert shown["consortium"] == "Einzelvorhaben möglich"
    assert shown["previous"] == "bisher abgelehnt („nicht KI“) von anna"
    assert shown["seen"] == "2026-11-01T08:00:00+00:00"


def test_deadline_lines_say_kind_date_time_and_days_left():
    deadlines = [
        {"date": "2026-12-04", "time": "12:00", "kind": "skizze", "raw": "…"},
        {"date": "2026-12-02", "time": None, "kind": "antrag", "raw": "…"},
        {"date": "2026-11-30", "time": None, "kind": "single", "raw": "…"},
        {"date": None, "time": None, "kind": "stichtag", "raw": "15. März"},
    ]
    assert deadline_lines(json.dumps(deadlines), True, TODAY) == [
        "Projektskizze: 04.12.2026, 12:00 Uhr (noch 2 Tage)",
        "Vollantrag: 02.12.2026 (heute)",
        "Einreichungsfrist: 30.11.2026 (abgelaufen)",
        "Stichtag: ohne Jahr („15. März“)",
        "laufende Einreichung (keine feste Frist)",
    ]


def test_the_strongest_positive_evidence_is_shown_with_its_term_marked():
    evidence = [
        {"signal": "exclusion", "label": "x", "term": "Kunst", "sentence": "Kunst zählt nicht.", "weight": 5},
        {"signal": "topic", "label": "daten", "term": "Daten", "sentence": "Daten teilen.", "weight": 0.4},
        {"signal": "topic", "label": "ki", "term": "KI", "sentence": "Vorhaben mit KI werden gefördert.",
         "weight": 1.0},
    ]  # fmt: skip
    assert strongest_evidence(json.dumps(evidence)) == {
        "before": "Vorhaben mit ",
        "term": "KI",
        "after": " werden gefördert.",
        "label": "ki",
    }
    assert strongest_evidence("[]") is None


def typed(**values):
    return {"call_id": "a:1", "decision": "reject", "reason": "", "note": "", "seen": "", **values}


def test_form_problems_are_named():
    assert form_problem(typed(reason="nicht KI"), CODES) is None
    assert form_problem(typed(decision="accept"), CODES) is None
    assert form_problem(typed(), CODES) == "Bitte einen Grund für die Ablehnung wählen."
    assert form_problem(typed(reason="zu teuer"), CODES).startswith("Unbekannter Grund „zu teuer“")
    assert form_problem(typed(decision="accept", reason="nicht KI"), CODES).startswith(
        "Annehmen braucht keinen"
    )
    assert form_problem(typed(decision="vielleicht"), CODES).startswith("Unbekannte Entscheidung")
    assert form_problem(typed(call_id=""), CODES).startswith("Keine Aufruf-ID")
    assert "zu lang" in form_problem(typed(reason="nicht KI", note="x" * 4001), CODES)


def test_the_next_call_is_the_one_after_the_decided_one():
    assert _following(["a", "b", "c"], "b") == "c"
    assert _following(["a", "b", "c"], "c") == "b"
    assert _following(["a"], "a") is None
    assert _following(["a", "b"], "z") == "a"


def test_every_applicant_id_of_the_vocabulary_has_a_name():
    from foerderradar.models import APPLICANTS
    from foerderradar.review.cards import APPLICANTS as NAMES

    assert set(NAMES) == set(APPLICANTS)
