"""The digest entry with call facts, the list filters (applicants, regions) and calls still in review
(``unreviewed: wait`` / ``send``), as parsed MIME. Invented calls from tests/fixtures/alerts/calls.json."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from test_alerts import DAY, load_sample, outbox_messages, parse, run, with_lists

from foerderradar.configuration import IncludeExclude

NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)

IN_REVIEW = {
    "id": "fdb:sprachassistenz",
    "source_id": "fdb",
    "url": "https://www.example-fdb.de/programme/sprachassistenz",
    "title": "Sprachassistenz im Handwerk",
    "funder": "Land Sachsen",
    "score": 0.55,
    "relevant": True,
    "topics": ["ki"],
    "flag_reasons": ["Score nahe der Schwelle (0,55)"],
    "deadlines": [
        {
            "date": "2027-01-15",
            "time": None,
            "timezone": None,
            "kind": "single",
            "raw": "bis zum 15. Januar 2027",
        }
    ],
    "evidence": [{"signal": "topic", "label": "ki", "term": "Sprachmodelle", "sentence": "…", "weight": 1.0}],
    "facts": {
        "summary": "Gefördert werden Sprachassistenten, die Handwerksbetrieben Angebote schreiben helfen.",
        "applicants": ["hochschule"],
        "consortium": False,
        "funding": None,
        "identifier": None,
        "region": "Sachsen",
        "evidence": {"region": "Antragsteller benötigen eine Betriebsstätte in Sachsen."},
    },
}


def plan_of(store, mailing_list):
    from alerts.select import parse_rows, select_digest

    return select_digest(parse_rows(store.alert_rows()), {}, mailing_list, DAY)


def test_applicant_filter_kmu_may_apply(store, config):
    load_sample(store, [{**IN_REVIEW, "flag_reasons": []}])
    base = config.mailing_list("ki-netzwerk")
    kmu = set(plan_of(store, base.model_copy(update={"applicants": ["kmu"]})).call_ids)
    # kmu stated, unternehmen (any size) stated, and a call that does not say who may apply
    assert kmu == {
        "bmftr:ki-kmu",
        "eu:horizon-cl4-ai-health",
        "fdb:datenraeume",
        "fdb:digital-jetzt",
        "fdb:accepted-low",
    }
    universities = set(plan_of(store, base.model_copy(update={"applicants": ["hochschule"]})).call_ids)
    assert "fdb:sprachassistenz" in universities and "fdb:datenraeume" not in universities


def test_region_filter_includes_calls_that_state_no_region(store, config):
    load_sample(store, [{**IN_REVIEW, "flag_reasons": []}])
    berlin = config.mailing_list("ki-netzwerk").model_copy(
        update={"regions": IncludeExclude(include=["Berlin"])}
    )
    ids = set(plan_of(store, berlin).call_ids)
    assert "fdb:digital-jetzt" in ids  # Berlin
    assert (
        "fdb:datenraeume" not in ids and "fdb:sprachassistenz" not in ids
    )  # Bayern; Sachsen (from the text)
    assert {
        "bmftr:ki-kmu",
        "eu:horizon-cl4-ai-health",
        "fdb:accepted-low",
    } <= ids  # nationwide / EU / unstated


def test_calls_in_review_wait_by_default_and_come_after_the_decision(store, config):
    load_sample(store, [IN_REVIEW])
    waiting = config.mailing_list("ki-netzwerk")
    assert waiting.unreviewed == "wait"
    plan = plan_of(store, waiting)
    assert "fdb:sprachassistenz" not in plan.call_ids and plan.waiting_review == ["fdb:sprachassistenz"]
    at = "2026-11-22T10:00:00+00:00"
    store.save_reviews(
        [{"call_id": IN_REVIEW["id"], "decision": "accept", "reason": None, "by": "k", "at": at}]
    )
    assert "fdb:sprachassistenz" in plan_of(store, waiting).call_ids


def test_unreviewed_send_marks_the_call_and_shows_its_evidence(store, config):
    load_sample(store, [IN_REVIEW])
    config = with_lists(config, frequency="immediate", unreviewed="send")
    report = run(store, config, now=NOW)
    msg = outbox_messages(config)[report.sent[0].digest_id]
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    html = msg.get_body(("html",)).get_content()
    entry = text[text.index("Sprachassistenz im Handwerk") :]
    entry = entry[: entry.index("https://")]
    assert "! Noch nicht von der Koordination geprüft: Score nahe der Schwelle (0,55)" in entry
    assert "gelesen aus: „bis zum 15. Januar 2027“" in entry
    assert "Relevanz 0,55 – knapp über der Schwelle dieser Liste" in entry  # a low score helps here
    assert "Wer: Hochschulen in Sachsen" in entry
    assert 'class="hint"' in html and "Noch nicht von der Koordination geprüft" in html
    # the other entries stay quiet: no score, no span, no status line
    assert text.count("Noch nicht von der Koordination geprüft") == 1 and text.count("gelesen aus") == 1


def test_entry_anatomy_in_text_and_html(store, config):
    load_sample(store)
    report = run(store, with_lists(config, frequency="immediate"), now=NOW)
    msg = outbox_messages(config)[report.sent[0].digest_id]
    text = msg.get_body(("plain",)).get_content()
    first = text[text.index("1. Richtlinie") : text.index("2. ")].splitlines()
    assert [line.strip() for line in first if line.strip()] == [
        "1. Richtlinie zur Förderung von KI-basierten Assistenzsystemen für KMU",
        "BMFTR · BAnz AT 02.11.2026 B3",
        "Gefördert werden Verbundvorhaben, in denen Unternehmen und",
        "Hochschulen Assistenzsysteme mit Methoden der künstlichen Intelligenz",
        "entwickeln und erproben.",
        "Wer: KMU, Hochschulen, Forschungseinrichtungen",
        "Förderung: bis zu 50 %",
        "Verbund nötig",
        "Einreichungsfrist 01.12.2026, 12:00 Uhr (Projektskizze) – noch 8 Tage",
        "Weitere Fristen: 31.03.2027 (Antrag)",
        "Warum: Künstliche Intelligenz („künstlichen Intelligenz“,",
        "„maschinelles Lernen“)",
        "https://www.example-bmftr.de/bekanntmachungen/ki-kmu.html",
    ]
    html = msg.get_body(("html",)).get_content()
    assert html.count('class="summary"') == 3 and html.count('class="facts"') == 4
    assert "Wer: KMU, Hochschulen, Forschungseinrichtungen" in html and "Verbund nötig" in html
    assert "BMFTR · BAnz AT 02.11.2026 B3" in html
    assert "Warum: von der Koordination angenommen" in html  # the accepted call's strongest reason
    for noise in ("Status: offen", "Relevanz 1,00", "noch nicht geprüft", "gelesen aus", "HTML-Liste"):
        assert noise not in html and noise not in text


def test_extra_lines_have_their_place_in_the_entry(store, config):
    from alerts.render import digest_context, render_bodies

    load_sample(store)
    mailing_list = config.mailing_list("ki-netzwerk")
    plan = plan_of(store, mailing_list)
    plan.new[0] = dataclasses.replace(plan.new[0], extra=("Passt zu: Beispiel GmbH <b>", "Zweite Zeile"))
    text, html = render_bodies(digest_context(plan, mailing_list, {}, "mailto:x@example.org"))
    assert (
        "   Passt zu: Beispiel GmbH <b>\r\n" in text.replace("\n", "\r\n")
        or "   Passt zu: Beispiel GmbH <b>\n" in text
    )
    assert 'class="extra"' in html and "Beispiel GmbH &lt;b&gt;" in html


def test_untrusted_summary_is_escaped_and_kept_on_one_line(store, config):
    evil = {
        **IN_REVIEW,
        "id": "fdb:evil",
        "flag_reasons": [],
        "facts": {
            "summary": "Gefördert\r\nBcc: x@evil.example <script>alert(1)</script>",
            "applicants": ["kmu"],
        },
    }
    load_sample(store, [evil])
    report = run(store, with_lists(config, frequency="immediate"), now=NOW)
    msg = outbox_messages(config)[report.sent[0].digest_id]
    html = msg.get_body(("html",)).get_content()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "\nBcc:" not in msg.get_body(("plain",)).get_content()


@pytest.mark.parametrize("regions", [["Bayern"]])
def test_preview_says_what_the_region_filter_does(config_dir, tmp_path, regions):
    import yaml
    from click.testing import CliRunner

    from foerderradar.cli import cli
    from foerderradar.configuration import load_config
    from foerderradar.store import Store

    lists = yaml.safe_load((config_dir / "lists.yaml").read_text(encoding="utf-8"))
    lists["lists"][0].update(regions={"include": regions}, applicants=["kmu"])
    (config_dir / "lists.yaml").write_text(yaml.safe_dump(lists, allow_unicode=True), encoding="utf-8")
    store = Store(load_config(config_dir).database_path)
    load_sample(store, [IN_REVIEW])
    store.close()
    out = CliRunner().invoke(
        cli,
        ["--config", str(config_dir), "digest", "preview", "--list", "ki-netzwerk", "--out", str(tmp_path / "p"),
         "--today", "2026-11-23"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert (
        "ki-netzwerk: regions: only calls restricted to Bayern; calls that state no region "
        "(nationwide, EU-wide or not restricted) are included" in out.output
    )
    assert "ki-netzwerk: applicants: calls open to kmu" in out.output
    assert (
        "ki-netzwerk: unreviewed: wait — 0 calls in the review queue are held" in out.output
    )  # Sachsen: not wanted
    message = parse(next((tmp_path / "p").glob("*.eml")).read_bytes())
    assert "Digitalisierung im Mittelstand" not in message.get_body(("plain",)).get_content()  # Berlin only
