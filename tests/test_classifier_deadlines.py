"""Deadlines as spec/classifier.md §1 defines them: every date shape, every trap, kinds, rolling, status."""

from __future__ import annotations

from datetime import date

import pytest

from classifier.dates import find_dates
from classifier.deadlines import extract_deadlines
from classifier.status import status_at
from classifier.text import Sentences
from foerderradar.models import Deadline


def dates_of(text: str, published: date | None = None) -> list[str | None]:
    return sorted((d.date or "null") for d in extract_deadlines(text, published).deadlines)


def deadlines(text: str, published: date | None = None) -> list[Deadline]:
    return list(extract_deadlines(text, published).deadlines)


# --- shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso", "time", "tz"),
    [
        ("Einreichungsfrist: 31.03.2026", "2026-03-31", None, None),
        ("Skizzen sind bis 1.6.2026 einzureichen.", "2026-06-01", None, None),
        ("Anträge sind bis zum 15. April 2026 vorzulegen.", "2026-04-15", None, None),
        ("Abgabetermin ist Montag, den 10. Mai 2021.", "2021-05-10", None, None),
        ("Bewerbungen sind bis zum 30. Juni 2026 einzureichen.", "2026-06-30", None, None),
        ("Frist: 29.07.2026/12 Uhr", "2026-07-29", "12:00", None),
        ("Einreichungsfrist: 31. Oktober 2026, 13:00 Uhr", "2026-10-31", "13:00", None),
        ("Deadline: 29 March 2026 17:00:00 Brussels time", "2026-03-29", "17:00", "Brussels time"),
        ("The call closes on Thursday 12 March 2026 2:00pm CET.", "2026-03-12", "14:00", "CET"),
        ("Submission deadline: September 23, 2026.", "2026-09-23", None, None),
        ("Proposals must be submitted by the 12th of May 2026.", "2026-05-12", None, None),
        ("Submission deadline: 13/05/2026 at 17:00", "2026-05-13", "17:00", None),
        ("Closing date: 2026/10/22", "2026-10-22", None, None),
        ("Deadline: 2026-10-22", "2026-10-22", None, None),
        ("Einreichungsfrist: 2026-10-22T17:00:00", "2026-10-22", "17:00", None),
        ("Deadline: 31-03-2027 17:00 (Brussels time)", "2027-03-31", "17:00", "Brussels time"),
        ("Fristende: 15.03.2027, 23:59 Uhr MEZ", "2027-03-15", "23:59", "MEZ"),
        ("Anträge bis 12 Uhr am 15.04.2027 einreichen.", "2027-04-15", "12:00", None),
        (
            "Applications must be received by 12:00 noon (CET) on Friday 3 April 2026.",
            "2026-04-03",
            "12:00",
            "CET",
        ),
    ],
)
def test_every_date_shape_of_the_spec(text, iso, time, tz):
    (found,) = deadlines(text)
    assert (found.date, found.time, found.timezone) == (iso, time, tz)
    assert found.raw in text


def test_label_after_the_date_with_time_in_brackets():
    text = "Timeline\n3 March 2026 — Call opens\n15 July 2026 — Submission deadline (17:00 CEST)\n30 October 2026 — Results"
    (found,) = deadlines(text)
    assert (found.date, found.time, found.timezone) == ("2026-07-15", "17:00", "CEST")


def test_slash_dates_are_day_first_unless_the_page_is_us_style():
    assert dates_of("Deadline: 01/09/2026 (17:00 CEST)") == ["2026-09-01"]
    us = "Posted: March 2, 2026\nLetter of intent due: 06/05/2026\nFull proposal deadline: October 1, 2026"
    assert dates_of(us) == ["2026-06-05", "2026-10-01"]


def test_due_right_before_the_date_is_a_deadline_label():
    text = "Phase I proposals due October 30, 2026, 11:59PM PT. Phase II proposals due January 15, 2027."
    assert dates_of(text) == ["2026-10-30", "2027-01-15"]
    # "due" elsewhere in the line says nothing about a byline's date
    assert dates_of("New call for AI pilots: proposals due in spring\nBy the editors | 3 December 2026") == []


def test_may_the_verb_is_no_month():
    text = "Cut-off 1: 2027-01-20 17:00 (CET)\nProposals not selected at cut-off 1 may be resubmitted for cut-off 2."
    assert dates_of(text) == ["2027-01-20"]
    assert dates_of("Deadline: 1 May 2027") == ["2027-05-01"]


def test_a_tenders_date_for_sending_invitations_is_no_deadline():
    text = (
        "IV.2.2 Schlusstermin für den Eingang der Teilnahmeanträge: 14.12.2026, 10:00 Uhr\n"
        "IV.2.3 Voraussichtlicher Tag der Absendung der Aufforderungen zur Angebotsabgabe an ausgewählte "
        "Bewerber: 21.12.2026\nIV.2.4 Sprache: Deutsch"
    )
    assert dates_of(text) == ["2026-12-14"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The call is open from 1 February 2026 to 31 March 2026.", [("2026-03-31", "single")]),
        ("Der Förderaufruf ist vom 01.02.2026 bis 31.03.2026 geöffnet.", [("2026-03-31", "single")]),
        (
            "Skizzen: 15.01.2026 · Vollanträge: 30.06.2026",
            [("2026-01-15", "skizze"), ("2026-06-30", "antrag")],
        ),
        (
            "Die Vergabeunterlagen können bis zum 10.03.2026 angefordert werden. Angebotsfrist: 24.03.2026, 12:00 Uhr.",
            [("2026-03-10", "other"), ("2026-03-24", "other")],
        ),
    ],
)
def test_windows_schedules_and_document_requests(text, expected):
    assert [(d.date, d.kind) for d in deadlines(text)] == expected


def test_numbers_that_are_not_dates():
    assert find_dates("Nummer 7.2.12 gilt; 36 Monate; Laufzeit bis 2027; https://x.org/2026/10/22/a") == []


# --- traps ---------------------------------------------------------------------------------


def test_bekanntmachung_traps_publication_banz_project_end_and_validity():
    text = (
        "Bekanntmachung\nRichtlinie zur Förderung von KI-Projekten\nVom 13. Februar 2026\nBAnz AT 20.02.2026 B3\n\n"
        "Stand: 01.03.2026\n"
        "Die Vorhaben sind spätestens bis 31.12.2029 abzuschließen.\n"
        "Projektskizzen sind bis spätestens 15. Mai 2026 beim Projektträger einzureichen.\n"
        "Diese Förderrichtlinie tritt am Tag nach der Veröffentlichung im Bundesanzeiger in Kraft und ist "
        "bis zum 31. Dezember 2030 gültig. Die Richtlinie wurde bis 31.12.2031 verlängert."
    )
    assert dates_of(text) == ["2026-05-15"]


@pytest.mark.parametrize(
    "text",
    [
        "Der Call startet am 1. März 2027.",
        "Ab dem 1. März 2027 können Anträge gestellt werden.",
        "Opening date: 10 December 2026",
        "Eine Informationsveranstaltung (Webinar) findet am 20. Januar 2027 statt.",
        "Die Laufzeit der Projekte ist vom 1.1.2027 bis 31.12.2029.",
        "Bis zum 31.12.2025 wurden 500 Vorhaben bewilligt.",
        "Antragsberechtigt sind Unternehmen, die nach dem 1. Januar 2020 gegründet wurden.",
        "Förderfähig sind Ausgaben, die ab dem 1. Februar 2027 entstehen.",
        "Fragen zu den Unterlagen sind bis zum 08.01.2027 über die Plattform zu stellen.",
        "Bindefrist: 31.03.2027",
        "Info Day on 4 March 2027 in Brussels.",
    ],
)
def test_dates_that_are_not_submission_deadlines(text):
    assert dates_of(text) == []


def test_superseded_deadline_only_the_new_date_counts():
    assert dates_of("Die Einreichungsfrist wurde vom 4. auf den 19. Oktober 2026 verschoben.") == [
        "2026-10-19"
    ]
    english = "The deadline of the open call has been extended from 24 September 2026 to 8 October 2026, 17:00 CEST."
    assert dates_of(english) == ["2026-10-08"]
    assert dates_of("Die Frist wurde bis zum 5. Februar 2027 verlängert.") == ["2027-02-05"]


def test_same_deadline_said_twice_is_reported_once():
    text = "Einreichungsfrist 30.04.2026\n\nAnträge sind bis zum 30. April 2026, 12:00 Uhr einzureichen."
    (found,) = deadlines(text)
    assert (found.date, found.time) == ("2026-04-30", "12:00")


# --- kinds ---------------------------------------------------------------------------------


def test_two_stage_procedure():
    text = (
        "In der ersten Verfahrensstufe sind dem Projektträger bis spätestens zum 15. Mai 2026 zunächst "
        "Projektskizzen vorzulegen. In der zweiten Verfahrensstufe werden die Verfasser aufgefordert, "
        "bis zum 30. Oktober 2026 einen förmlichen Förderantrag einzureichen."
    )
    assert [(d.date, d.kind) for d in deadlines(text)] == [("2026-05-15", "skizze"), ("2026-10-30", "antrag")]


def test_two_stage_eu_topic_without_stage_words_next_to_the_dates():
    text = "Deadline model: two-stage\nDeadline dates:\n29 March 2026 17:00:00 Brussels time\n22 September 2026 17:00:00 Brussels time"
    assert [(d.date, d.kind) for d in deadlines(text)] == [("2026-03-29", "skizze"), ("2026-09-22", "antrag")]


def test_recurring_cut_offs_are_stichtage():
    found = deadlines("Stichtage: 15.04.2026, 15.10.2026, 15.04.2027")
    assert [(d.date, d.kind) for d in found] == [
        ("2026-04-15", "stichtag"),
        ("2026-10-15", "stichtag"),
        ("2027-04-15", "stichtag"),
    ]
    listed = "Full applications are evaluated at the following cut-off dates:\n- 4 March 2026\n- 6 May 2026"
    assert [d.kind for d in deadlines(listed)] == ["stichtag", "stichtag"]
    assert [d.kind for d in deadlines("Stichtag für die Einreichung ist der 31. Januar 2027.")] == ["single"]


def test_tender_and_job_dates_are_kind_other():
    tender = "Vergabenummer: VG-2026-1\nLeistungsbeschreibung siehe Vergabeunterlagen.\nAngebotsfrist: 14.12.2026, 12:00 Uhr"
    assert [(d.date, d.time, d.kind) for d in deadlines(tender)] == [("2026-12-14", "12:00", "other")]
    job = "Wissenschaftliche Mitarbeiterin (m/w/d) KI\nEntgeltgruppe 13 TV-L\nBewerbungsfrist: 06.12.2026"
    assert [d.kind for d in deadlines(job)] == ["other"]


# --- ranges, years, several calls ----------------------------------------------------------


def test_header_range_is_publication_to_deadline():
    text = "Förderaufruf Digitale Geschäftsmodelle\n26.07.2026 - 30.10.2026\nGefördert werden KMU."
    assert dates_of(text) == ["2026-10-30"]


def test_application_window_range_end_is_the_deadline():
    assert dates_of("Zeitraum der Antragstellung: 01.02.2027 bis 31.03.2027") == ["2027-03-31"]
    assert dates_of("Die Antragsphase startet am 1. Februar 2027 und endet am 30. April 2027.") == [
        "2027-04-30"
    ]


def test_year_less_dates_take_the_year_from_the_text_or_the_publication():
    # a recurring cut-off takes no year from the publication: "jeweils" means every year (spec §1, corpus)
    assert dates_of(
        "Bewertungsstichtage sind jeweils der 15. April und der 15. Oktober.", date(2026, 3, 10)
    ) == ["null", "null"]
    assert dates_of("Stichtage: 15. Januar, 15. Mai und 15. September 2027.") == [
        "2027-01-15",
        "2027-05-15",
        "2027-09-15",
    ]
    # published in November: a deadline on 15 January is the next one
    assert dates_of("Die Vorlagefrist endet am 15. Januar.", date(2026, 11, 5)) == ["2027-01-15"]


@pytest.mark.parametrize(
    "text",
    [
        "Skizzen können zweimal jährlich zum 15.2. sowie 15.8. beim Projektträger eingereicht werden.",
        "Anträge können zweimal im Jahr, am 15. Februar und am 15. August, eingereicht werden.",
        "Wenn nicht anders festgelegt, ist der 15. Februar jeden Jahres der Schlusstermin für Anträge, "
        "der 15. August jeden Jahres der für Skizzen.",
        "In jedem Jahr sind Skizzen bis zum 15. Februar und Anträge bis zum 15. August einzureichen.",
    ],
)
def test_a_cut_off_that_recurs_every_year_takes_no_year_from_the_publication(text):
    assert dates_of(text, date(2026, 3, 10)) == ["null", "null"]


def test_a_recurring_cut_off_said_twice_is_one_deadline():
    text = (
        "Bewertungsstichtage sind jeweils der 15.4. und 15.10.\n\n"
        "Projektskizzen können jederzeit zu den Stichtagen 15. April und 15. Oktober eingereicht werden."
    )
    assert [d.raw for d in deadlines(text, date(2026, 3, 10))] == ["15.4.", "15.10."]


def test_a_recurring_cut_off_beside_its_first_dated_instance_is_reported_as_both():
    text = "Skizzen können jeweils zum 15. September eines Jahres, erstmalig zum 15. September 2026, eingereicht werden."
    assert dates_of(text, date(2026, 3, 10)) == ["2026-09-15", "null"]
    # the last instance ends the series: the dated ones are the deadlines
    text = "Reichen Sie Ihre Skizze bis zum 15.11. eines Jahres (letztmalig bis zum 15.11.2027) ein."
    assert dates_of(text, date(2026, 3, 10)) == ["2027-11-15"]


def test_a_short_day_and_month_after_a_section_number_is_no_date():
    assert find_dates("Die Nummern 1.2. und 1.3. der Richtlinie gelten entsprechend.") == []
    assert [m.day for m in find_dates("Skizzen zum 1.6. und 1.12. eines jeden Jahres.")] == [1, 1]


def test_a_label_on_the_line_above_is_the_dates_own():
    text = "Opens:\n19/1/2026\nCloses:\n14/6/2026\nSectors:\nGeneral"
    assert dates_of(text) == ["2026-06-14"]


def test_a_month_and_day_at_the_end_of_a_sentence():
    assert dates_of("The application deadline is May 7. Read on!", date(2026, 3, 5)) == ["2026-05-07"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a membership on a date is a condition of eligibility, not a deadline
        (
            "Antragsberechtigt sind Mitglieder, die zum Stichtag 1. Januar 2026 Mitglied des Verbandes sind.",
            [],
        ),
        # the end of the selection is no submission deadline
        (
            "Die Auswahlphase endet am 15. Mai 2026; Skizzen sind bis zum 1. März 2026 einzureichen.",
            ["2026-03-01"],
        ),
        ("The evaluation period ends on 30 June 2026. Proposals are due 1 April 2026.", ["2026-04-01"]),
        # members who submit are applicants all the same
        (
            "Die Mitglieder des Konsortiums reichen bis zum 15. März 2026 eine gemeinsame Skizze ein.",
            ["2026-03-15"],
        ),
    ],
)
def test_conditions_and_selection_periods_are_no_deadlines(text, expected):
    assert dates_of(text, date(2025, 11, 3)) == expected


def test_audit_rights_at_any_time_are_no_rolling_submission():
    text = (
        "Anträge auf Förderung von KI-Vorhaben werden vom Projektträger bearbeitet. Die Zuwendungsempfänger stellen "
        "sicher, dass die Originale der eingereichten Belege jederzeit von einer prüfenden Stelle eingesehen "
        "werden können."
    )
    assert not extract_deadlines(text).rolling


def test_an_annual_audit_report_date_is_no_deadline():
    assert (
        dates_of(
            "Die Aufnahmeeinrichtung legt dem Verwaltungsrat jedes Jahr bis zum 31. Januar einen Prüfbericht vor."
        )
        == []
    )


def test_a_long_guideline_keeps_its_rolling_submission_sentence():
    from classifier.text import MAX_CHARS, cap_text

    filler = "Die Zuwendung wird als nicht rückzahlbarer Zuschuss gewährt. " * (MAX_CHARS // 50)
    text = (
        filler + "Projektskizzen können jederzeit in elektronischer Form eingereicht werden. " + filler[:3000]
    )
    capped = cap_text(text)
    assert len(capped) <= MAX_CHARS + 2000 and "jederzeit in elektronischer Form" in capped
    assert extract_deadlines(capped).rolling


def test_year_less_date_without_any_year_is_null_with_its_raw_span():
    (found,) = deadlines("Projektskizzen sind bis zum 15. März einzureichen.")
    assert found.date is None and found.raw == "15. März" and found.kind == "skizze"


def test_several_calls_on_one_page():
    text = (
        "Aufruf 1: KI im Mittelstand. Frist: 15.05.2026.\n\n"
        "Aufruf 2: Datenräume. Skizzen sind bis zum 30.06.2026 einzureichen.\n\n"
        "Aufruf 3: Robotik – Antragsstopp, die Mittel sind ausgeschöpft."
    )
    assert dates_of(text) == ["2026-05-15", "2026-06-30"]


# --- rolling and status --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Anträge können jederzeit gestellt werden.",
        "Die Antragstellung ist laufend möglich.",
        "Anträge werden fortlaufend entgegengenommen.",
        "Das Programm ist unbefristet.",
        "Eine Einreichung ist ohne Einreichungsfrist möglich.",
        "Anträge können das ganze Jahr gestellt werden.",
        "Vouchers are granted on a first come, first served basis.",
    ],
)
def test_rolling_submission(text):
    result = extract_deadlines(text)
    assert result.rolling and not result.deadlines


def test_jederzeit_with_cut_offs_is_not_rolling():
    result = extract_deadlines(
        "Anträge können jederzeit eingereicht werden. Bewertungsstichtage: 31.03.2026, 30.09.2026"
    )
    assert not result.rolling and len(result.deadlines) == 2


def test_a_condition_is_no_closed_statement():
    assert not extract_deadlines("Anträge laufend, bis die Mittel ausgeschöpft sind.").closed
    assert extract_deadlines("Antragsstopp: Die Mittel sind ausgeschöpft.").closed


@pytest.mark.parametrize(
    "text",
    [
        "The call is closed.",
        "Lessons learnt from our open calls closed in 2022",
        "Both calls are now closed.",
    ],
)
def test_a_closed_call_in_the_singular_or_the_plural(text):
    assert extract_deadlines(text).closed


def d(day: str, kind: str = "single") -> Deadline:
    return Deadline(day, None, None, kind, day)


@pytest.mark.parametrize(
    ("deadlines_", "openings", "rolling", "closed", "expected"),
    [
        ((d("2026-05-01"), d("2026-09-01")), (), False, False, ("2026-09-01", "open")),
        ((d("2026-05-01"),), (), False, False, (None, "closed")),
        ((d("2026-07-01"),), (), False, False, ("2026-07-01", "open")),  # on the day itself
        ((), (), True, False, (None, "open")),
        ((), (), True, True, (None, "closed")),
        ((d("2026-12-01"),), ("2026-08-01",), False, False, ("2026-12-01", "forthcoming")),
        ((), (), False, False, (None, "unknown")),
    ],
)
def test_status_and_next_deadline_at_today(deadlines_, openings, rolling, closed, expected):
    assert status_at(deadlines_, openings, rolling, closed, date(2026, 7, 1)) == expected


# --- real-document layout ------------------------------------------------------------------


def test_wrapped_lines_of_a_pdf_stay_one_sentence():
    text = (
        "Die Projektskizzen sind in der ersten Verfahrensstufe dem beauftragten Projektträger\n"
        "bis spätestens 15. März 2027 in elektronischer Form über das Portal easy-Online\n"
        "vorzulegen. Die Vorlagefrist gilt nicht als Ausschlussfrist. Die Laufzeit der Vorhaben\n"
        "endet spätestens am 31. Dezember 2030."
    )
    assert [(d.date, d.kind) for d in deadlines(text)] == [("2027-03-15", "skizze")]


def test_a_time_of_day_in_p_m_does_not_end_the_sentence():
    text = "Applications are due by 11:59 p.m. EST on May 3, 2027. Questions go to the team."
    assert len(Sentences(text).spans) == 2
    assert [d.date for d in deadlines(text)] == ["2027-05-03"]
    wrapped = "Applications for the autumn round of the programme are due by 11:59 p.m.\nEST on May 3, 2027."
    assert len(Sentences(wrapped).spans) == 1


def test_yearly_deadlines_with_brackets_and_the_verb_at_the_end():
    text = (
        "Rechtsgrundlage\nRichtlinie des Landes zur Förderung digitaler Lernorte\nvom: 12.05.2025\n"
        "Anträge nach dieser Richtlinie sind jeweils bis zum 31. Januar (für Vorhaben mit Beginn im Frühjahr) "
        "oder bis zum 31. Juli (für Vorhaben mit Beginn im Herbst) eines jeden Jahres bei der "
        "Bewilligungsstelle einzureichen."
    )
    # "eines jeden Jahres": recurring, so no year even though the guideline is dated
    assert [(d.date, d.kind) for d in deadlines(text)] == [(None, "stichtag"), (None, "stichtag")]


def test_a_past_deadline_stated_in_the_past_tense():
    text = "Richtlinie vom 02.09.2025\nDie Frist zur Einreichung von Projektskizzen endete am 27.11.2025."
    assert [(d.date, d.kind) for d in deadlines(text)] == [("2025-11-27", "skizze")]


def test_html_markup_breaks_only_at_block_elements():
    from classifier.text import clean_text

    html = "<div>\n  <p>Anträge sind bis zum 31. März 2027 (für einen\n    Projektbeginn im Sommer) einzureichen.</p></div>"
    assert dates_of(clean_text(html)) == ["2027-03-31"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bewerbungen bis 31.1.2027 an die Geschäftsstelle.", ["2027-01-31"]),
        ("Call opens: 1 February 2027 | Call closes: 30 April 2027", ["2027-04-30"]),
        ("The deadline for submission is 12:00 CET on 5 March 2027.", ["2027-03-05"]),
        ("Submission period: 01.03.2027 - 30.04.2027", ["2027-04-30"]),
        (
            "Einreichtermine 2027 sind der 1.2.2027, der 1.6.2027 und der 1.10.2027.",
            ["2027-02-01", "2027-06-01", "2027-10-01"],
        ),
        ("Im Förderaufruf 2027 sind Projektskizzen bis zum 15. April einzureichen.", ["2027-04-15"]),
        ("The 2027 round closes on March 13th at 17:00 CET.", ["2027-03-13"]),
        ("Vorhaben mit Laufzeit bis 31.12.2029 werden gefördert.", []),
        ("Die Richtlinie ist bis zum 31.12.2027 befristet.", []),
    ],
)
def test_phrasings_seen_in_real_calls(text, expected):
    assert dates_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "zum" right after what is submitted names the day it is due, also in a past or a later round
        ("Eine erste Skizzeneinreichung war zum 1. März 2027 möglich.", ["2027-03-01"]),
        (
            "Zusätzlich ist eine Skizzeneinreichung zum 15. Oktober 2027 und letztmalig zum 30. Juni 2028 möglich.",
            ["2027-10-15", "2028-06-30"],
        ),
        # a schedule's connectives ("und letztmalig zum") go on with the list of dates
        (
            "Skizzen sind zum 1. März 2027, danach zum 1. September 2027 und letztmalig zum 1. März 2028 einzureichen.",
            ["2027-03-01", "2027-09-01", "2028-03-01"],
        ),
        # "zum" with no submission before it stays a plain date
        ("Die Höhe des Zuschusses wird jeweils zum 1. Oktober eines Jahres überprüft.", []),
    ],
)
def test_zum_after_a_submission_noun(text, expected):
    assert dates_of(text) == expected


def test_a_dropped_cut_off_is_no_deadline():
    text = (
        "Projektskizzen sind beim Projektträger einzureichen. Die Einreichung zum 31. März 2027 entfällt. "
        "Die nächste Einreichung ist bis zum 30. September 2027 möglich."
    )
    assert dates_of(text) == ["2027-09-30"]


@pytest.mark.parametrize(
    "text",
    [
        "Für Anträge, die bis zum 31.03.2027 eingegangen sind, gilt die bisherige Fassung der Richtlinie.",
        "Auf Anträge, die vor dem 1. Juli 2027 gestellt wurden, finden die Regelungen der alten Richtlinie Anwendung.",
        "Applications received before 1 March 2027 will be assessed under the previous rules.",
    ],
)
def test_a_transitional_provision_is_no_deadline(text):
    assert dates_of(text + " Neue Anträge können bis zum 30.06.2028 gestellt werden.") == ["2028-06-30"]
