"""General failure patterns on long call texts: cut-off tables, update stamps, opening dates, annual dates,
past-tense deadlines, closed EU topic pages, and not-funding / research-funding relevance signals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from classifier import Classifier
from classifier.deadlines import extract_deadlines
from classifier.doctypes import document_types
from classifier.text import clean_text
from foerderradar.configuration import load_config
from foerderradar.models import Call

ROOT = Path(__file__).resolve().parents[1]


def found(text: str, published: date | None = None) -> list[tuple[str | None, str]]:
    result = extract_deadlines(text, published)
    return sorted(((d.date, d.kind) for d in result.deadlines), key=lambda d: (d[0] or "", d[1]))


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load(load_config(ROOT / "config"))


def verdict(classifier: Classifier, title: str, text: str, today: date, published: str | None = None):
    call = Call(id="p", source_id="s", url="", title=title, text=text, published=published)
    return next(classifier.classify_many([call], today))


# --- 1. recurring cut-offs in a table or a list under a heading -----------------------------


@pytest.mark.parametrize(
    "rows",
    [
        "| Einreichung | Sitzung der Jury |\n|:---|:---|\n| 01.03.2028 | April 2028 |\n| 01.06.2028 | Juli 2028 |\n"
        "| 01.09.2028 | Oktober 2028 |\n",
        "| 01.03.2028 | 12.04.2028 |\n| 01.06.2028 | 10.07.2028 |\n| 01.09.2028 | 09.10.2028 |\n",
        "• 01.03.2028\n• 01.06.2028\n• 01.09.2028\n",
        "01. März 2028\n01. Juni 2028\n01. September 2028\n",
    ],
)
def test_every_row_of_a_cut_off_table_or_list_is_a_stichtag(rows):
    text = f"Förderung datengetriebener Pilotprojekte.\n\nBewertungsstichtage 2028:\n{rows}\nKontakt: Projektträger"
    assert found(text) == [("2028-03-01", "stichtag"), ("2028-06-01", "stichtag"), ("2028-09-01", "stichtag")]


def test_an_html_table_under_a_cut_off_heading():
    html = (
        "<h3>Bewertungsstichtage 2028:</h3><table><tr><th>Termin</th><th>Sitzung</th></tr>"
        "<tr><td>01.03.2028</td><td>April 2028</td></tr><tr><td>01.06.2028</td><td>Juli 2028</td></tr></table>"
    )
    assert found(clean_text(html)) == [("2028-03-01", "stichtag"), ("2028-06-01", "stichtag")]


def test_a_table_of_events_gives_no_deadlines():
    assert (
        found("Termine der Infoveranstaltungen:\n| 03.02.2028 | Webinar |\n| 04.05.2028 | Infotag |\n") == []
    )


# --- 2. the date of a posted update --------------------------------------------------------


def test_the_date_stamp_of_a_call_update_is_no_deadline():
    text = (
        "Call updates\n"
        "3 February 2028: The closing date of this topic has been moved. The deadline originally set for "
        "9 March 2028 has been postponed to 23 March 2028, 17:00 Brussels time.\n"
        "12 January 2028: A new FAQ document was added."
    )
    assert found(text) == [("2028-03-23", "single")]


def test_german_news_entry_stamp_is_no_deadline_but_a_timeline_line_is():
    news = (
        "Aktuelles\n05.02.2028: Die Frist wurde verlängert. Skizzen sind nun bis zum 30.04.2028 einzureichen."
    )
    assert found(news) == [("2028-04-30", "skizze")]
    timeline = "Zeitplan:\n15 March 2028: submission deadline for full proposals"
    assert [d for d, _ in found(timeline)] == ["2028-03-15"]


# --- 3. an opening date in the same sentence as the deadline -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The call opened on 2 November 2027 and proposals must be submitted by 17 February 2028 at 17:00 CET.",
        "Die Antragstellung ist seit dem 2. November 2027 möglich; Anträge sind bis zum 17. Februar 2028 "
        "einzureichen.",
        "Das Portal ist geöffnet seit 02.11.2027 und Skizzen sind bis 17.02.2028 vorzulegen.",
        "Proposals can be submitted from 2 November 2027 until 17 February 2028.",
    ],
)
def test_an_opening_cue_binds_to_its_own_date(text):
    result = extract_deadlines(text)
    assert [d.date for d in result.deadlines] == ["2028-02-17"]
    assert result.openings == ("2027-11-02",)


# --- 4. year-less annual cut-offs ----------------------------------------------------------


def test_annual_cut_offs_stay_null_beside_the_dated_ones():
    # the corpus convention: the recurring cut-off is reported year-less and each dated one as well
    text = (
        "Projektskizzen können zu den Stichtagen jeweils am 1. Februar und 1. August eines Jahres eingereicht "
        "werden. Die kommenden Stichtage sind der 01.02.2028 und der 01.08.2028."
    )
    assert found(text, published=date(2026, 1, 10)) == [
        (None, "stichtag"),
        (None, "stichtag"),
        ("2028-02-01", "stichtag"),
        ("2028-08-01", "stichtag"),
    ]


def test_annual_cut_offs_without_any_year_stay_null_whatever_the_publication():
    # a year comes only from the same text; "each year" is no year (spec §1, the corpus conventions)
    text = "Proposals must be submitted each year by 1 February or by 1 August."
    assert [d for d, _ in found(text)] == [None, None]
    assert [d for d, _ in found(text, published=date(2027, 5, 3))] == [None, None]


# --- 5. past deadlines in the past tense ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Applications for this round closed on 14 January 2027 at 12:00 CET.", "2027-01-14"),
        ("The submission period ended on 14 January 2027.", "2027-01-14"),
        ("Die Bewerbungsphase endete am 14.01.2027.", "2027-01-14"),
    ],
)
def test_a_deadline_in_the_past_tense_is_a_deadline(text, iso):
    assert [d for d, _ in found(text)] == [iso]


def test_closed_on_without_a_submission_word_is_no_deadline():
    assert found("Our office is closed on 24 December 2027.") == []


# --- 6. closed EU topic pages --------------------------------------------------------------

EU_TOPIC = (
    "Type of action: Research and Innovation Action\n"
    "Expected outcome: SMEs and research organisations develop machine learning and data analytics for "
    "manufacturing. Grants of EUR 3 million per project. " * 3
)


@pytest.mark.parametrize(
    ("line", "closed"),
    [
        ("Status: Closed", True),
        ("This call topic is closed for submission.", True),
        ("Submission service: not available (call closed)", True),
        ("Status: Open For Submission", False),
        ("Status: Forthcoming", False),
    ],
)
def test_portal_status_lines_close_the_topic(classifier, line, closed):
    text = f"{EU_TOPIC}\n{line}\nDeadline date: 10 March 2027 17:00 Brussels time"
    result = verdict(classifier, "Trustworthy AI for industry", text, date(2026, 12, 1), "2026-12-01")
    assert (result.status == "closed", result.relevant) == (closed, not closed)


# --- 7. not funding, teacher education, joint research funding -----------------------------


def test_a_call_for_papers_is_not_funding(classifier):
    text = (
        "Call for Papers – 5th Workshop on Explainable Machine Learning. We invite original research papers on "
        "artificial intelligence, deep learning and data science. Accepted papers appear in the conference "
        "proceedings; the programme committee reviews all submissions. Paper submission deadline: 2 May 2027."
    )
    result = verdict(classifier, "Call for Papers: XML Workshop 2027", text, date(2027, 1, 5))
    assert not result.relevant
    assert any(e.label == "papers" for e in result.evidence)


def test_a_teacher_education_call_is_not_an_it_project(classifier):
    text = (
        "Erasmus+ Teacher Academies support partnerships of teacher education providers. Funded activities "
        "include continuing professional development on digital tools and artificial intelligence in the "
        "classroom for teachers in schools. Grants up to EUR 1 million. Deadline: 9 June 2027."
    )
    result = verdict(classifier, "Erasmus+ Teacher Academies", text, date(2027, 1, 5))
    assert not result.relevant
    assert any(e.label == "education" for e in result.evidence)


def test_schools_as_users_of_an_ai_product_do_not_make_an_education_call():
    title, text = (
        "KI-Lernassistenten für Schulen",
        "KMU entwickeln KI-Werkzeuge für Lehrkräfte im Unterricht.",
    )
    assert "education" not in {t.name for t in document_types(title, text)}
    assert "education" in {t.name for t in document_types("Erasmus+ Teacher Academies", text)}


def test_joint_research_with_a_german_funding_route_is_open_to_german_institutes(classifier):
    text = (
        "The National Science Foundation and the Deutsche Forschungsgemeinschaft (DFG) fund collaborative "
        "projects on the theory of machine learning and artificial intelligence. Proposals to NSF may only be "
        "submitted by US universities; German research groups request their funding from the DFG. "
        "Full proposal deadline: 6 April 2027."
    )
    result = verdict(classifier, "NSF–DFG lead agency opportunity in AI theory", text, date(2027, 1, 5))
    assert result.relevant
    us_only = text.replace("the Deutsche Forschungsgemeinschaft (DFG)", "a US foundation").replace(
        "; German research groups request their funding from the DFG", ""
    )
    assert not verdict(classifier, "NSF opportunity in AI theory", us_only, date(2027, 1, 5)).relevant


# --- the detectors on the shapes real guidelines use (our own sentences) ---------------------------

from classifier import cues  # noqa: E402
from classifier.gates import windows  # noqa: E402
from classifier.signals import restricted_applicants  # noqa: E402
from classifier.status import _closed_matches, closes_call, says_closed  # noqa: E402


@pytest.mark.parametrize(
    ("sentence", "closed"),
    [
        ("Aus bewilligten Mitteln kann nicht auf eine spätere Förderung geschlossen werden.", False),
        ("Die Werften stehen einem harten Wettbewerb ausgesetzt gegenüber.", False),
        ("Das Potenzial digitaler Verfahren ist noch lange nicht ausgeschöpft.", False),
        (
            "Soweit die Haushaltsmittel des Jahres für Zusatzmodule ausgeschöpft sind, entscheidet das Ministerium.",
            False,
        ),
        ("Nach Ablauf der Geltungsdauer ist eine Antragstellung nicht mehr möglich.", False),
        ("Die Rechenkapazität ist ausgeschöpft.", False),
        ("Die Fördermittel des Programms sind leider ausgeschöpft.", True),
        ("Nach drei Wochen sind alle Mittel vollständig gebunden.", True),
        ("This competition is now closed.", True),
        ("Einreichungsfrist (abgelaufen: 1. März – 30. Juni 2025)", True),
        ("Die Antragstellung wurde zum 30.06.2025 beendet.", True),
        ("No submission system is open for this topic.", True),
    ],
)
def test_closed_statements_and_the_same_words_used_otherwise(sentence, closed):
    assert bool(says_closed(sentence, sentence.lower())[0]) is closed


def test_no_new_applications_closes_every_call_on_the_page():
    text = "Grants for open-source software. No new applications can be made; thank you to all applicants."
    closed, at = says_closed(text, text.lower())
    assert closed == "No new applications can be made" and at == text.index("No new")
    assert closes_call(closed, False, (), date(2026, 6, 1))
    assert not says_closed("No new applications? Submit yours by 1 March.", None)[0]


def test_a_portal_status_word_in_the_head_closes_but_closed_loop_in_prose_does_not():
    assert says_closed("Open call for robotics pilotsClosed\nInnovation grants", None)[0] == "Closed"
    assert not says_closed("Closed-loop control of drones: grants for SMEs", None)[0]


def test_the_closed_pattern_near_its_literals_finds_what_the_whole_scan_finds():
    filler = "Gefördert werden Vorhaben der angewandten Forschung mit Unternehmen. " * 60
    text = (
        filler + "Die Förderung ist bis auf Weiteres ausgesetzt. " + filler + "Der Aufruf wurde geschlossen."
    )
    low = text.lower()
    assert [m.span() for m in _closed_matches(text, low)] == [
        m.span() for m in cues.CLOSED.twin.compiled.finditer(low)
    ]
    assert windows(("abc",), "x abc y abc", 1, 1) == [(1, 6), (7, 11)]


@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        (
            "Digital Europe",
            "The Commission opened grants and calls for tenders for AI testing facilities.",
            None,
        ),
        ("KI-Transfer", "Gefördert werden Workshops und die Auswertung der Ergebnisse im Verbund.", None),
        ("Förderaufruf", "Pressemitteilung: Ab heute können KMU Anträge für KI-Projekte stellen.", None),
        (
            "Bilanz",
            "Seit 2024 wurden bereits 212 Digitalisierungsprojekte mit 9 Mio. Euro gefördert.",
            "news",
        ),
        ("Rahmenvertrag", "Vergabeunterlagen und Angebotsfrist: siehe Auftragsbekanntmachung.", "tender"),
        # an overview heading is a call page's layout as often as an overview article's
        (
            "KI-Zuschuss",
            "Die Förderung im Überblick: Zuschuss bis 50.000 Euro für KI-Projekte von KMU.",
            None,
        ),
        ("Open call", "An overview of the call: grants of up to EUR 60,000 for AI pilots.", None),
        ("Förderung", "Im Überblick: ein Bericht und eine Analyse, die Bilanz des Förderjahres.", "report"),
    ],
)
def test_one_passing_marker_word_does_not_make_a_document_type(title, text, kind):
    names = {t.name for t in document_types(title, text)}
    assert (kind in names) if kind else not names & {"tender", "news", "report", "training"}


@pytest.mark.parametrize(
    ("text", "restricted"),
    [
        (
            "Antragsberechtigt sind auch Unternehmen, die nicht die KMU-Kriterien erfüllen, antragsberechtigt.",
            False,
        ),
        (
            "Unternehmen sind nicht antragsberechtigt. Antragsberechtigt sind Hochschulen und Forschungseinrichtungen.",
            False,
        ),
        ("Unternehmen sind nicht antragsberechtigt. Antragsberechtigt sind Kommunen und Landkreise.", True),
    ],
)
def test_restricted_applicants_reads_relative_clauses_and_who_else_may_apply(text, restricted):
    assert bool(restricted_applicants(text, text.lower())) is restricted


def test_one_marker_in_a_whole_programme_text_is_no_document_type():
    body = (
        "Gefördert werden Verbundvorhaben der industriellen Forschung von Unternehmen und Hochschulen. " * 170
    )
    instruments = (
        "Zu den Instrumenten des Programms gehören auch Stipendien und ein Preisgeld für Wettbewerbe. "
    )
    long_text = instruments + body
    assert len(long_text) >= 15_000
    assert not {t.name for t in document_types("Rahmenprogramm Forschung", long_text)} & {
        "prize",
        "scholarship",
    }
    # the same sentence on a short page still decides
    short = {t.name for t in document_types("Rahmenprogramm Forschung", instruments)}
    assert {"prize", "scholarship"} <= short
