"""The text module and the generic reader: own fixtures, the real pages in ../shared/realdata, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.text import clean_text
from crawler import listing, reader
from crawler.parsing import blocked_reason
from foerderradar import text
from foerderradar.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "reader"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
PORTALS = REALDATA / "funding-portals"
FDB = REALDATA / "foerderdatenbank"
SITE = "https://www.foerderinstitut.example"
LIST_URL = f"{SITE}/de/foerderung/programme/"
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not here")


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- foerderradar/text.py ----------------------------------------------------------------------


def test_normalise_removes_invisible_characters_and_composes_unicode():
    assert (
        text.normalise("Gründungs\u00adzuschuss und KI\u200b-Projekte\ufeff")
        == "Gründungszuschuss und KI-Projekte"
    )
    assert text.normalise("Fo\u0308rderung") == "Förderung"  # NFC: one code point for ö
    assert text.normalise("a\u00a0 b\t c \n\n\n\n d ") == "a b c\n\nd"


def test_control_bytes_are_removed_and_nothing_after_them_is_lost():
    assert text.normalise("Frist:\x00 30.06.2027\x02 und mehr") == "Frist: 30.06.2027 und mehr"
    assert text.html_to_text("<p>Antrag\x00</p><p>bis 30.06.2027</p>") == "Antrag\n\nbis 30.06.2027"
    assert text.normalise("Seite 1\x0cSeite 2") == "Seite 1 Seite 2"  # a form feed is a space


def test_html_becomes_paragraphs_and_lines():
    markup = (
        "<div><h2>Was wird\n gefördert?</h2><p>Vorhaben der <b>KI</b>-Forschung.<br>Bis 2027.</p>"
        "<ul><li>Unternehmen</li><li>Hochschulen</li></ul><table><tr><td>Frist</td><td>30.06.2027</td></tr>"
        "</table><script>var x = '<p>nein</p>';</script><!-- Kommentar -->Ende &amp; aus</div>"
    )
    assert text.html_to_text(markup) == (
        "Was wird gefördert?\n\nVorhaben der KI-Forschung.\nBis 2027.\n\nUnternehmen\nHochschulen\n\n"
        "Frist 30.06.2027\n\nEnde & aus"
    )
    assert text.html_to_text("Preis < 5 Euro & mehr") == "Preis < 5 Euro & mehr"  # not markup


def test_the_crawler_and_the_classifier_read_html_alike():
    markup = "<p>Förder&shy;aufruf</p><p>Einreichung bis 15.03.2027</p>"
    assert clean_text(markup) == text.html_to_text(markup) == "Förderaufruf\n\nEinreichung bis 15.03.2027"


def test_repeated_script_tags_do_not_make_cleaning_slow():
    """40,000 unclosed <script> tags made the old regex backtrack for minutes; lxml reads them once."""
    bomb = "<p>Frist 30.06.2027</p>" + "<script>" * 40_000 + "x"
    assert clean_text(bomb) == "Frist 30.06.2027"


def test_input_is_capped_before_parsing():
    assert text.html_to_text("<p>" + "x " * 100, max_chars=53).count("x") == 25


# --- one bot-page detector ---------------------------------------------------------------------


def test_bot_pages_are_recognised_by_one_detector():
    assert "Radware" in blocked_reason(b"<html><head><title>Radware Captcha Page</title></head></html>")
    assert blocked_reason("<title>Just a moment...</title>")
    assert blocked_reason("<html><script src='/captcha.js'></script></html>")
    assert blocked_reason(page("programme-detail.html")) is None


# --- the generic reader: own fixtures ------------------------------------------------------------


def test_list_page_yields_the_links_to_calls_only():
    links = listing.call_links(page("programme-list.html"), LIST_URL)
    assert [(link.url, link.title) for link in links] == [
        (f"{LIST_URL}innovationsgutschein-digital.html", "Innovationsgutschein Digitalisierung"),
        (f"{LIST_URL}ki-pilot/", "KI-Pilotprojekte im Mittelstand"),  # overlay link: its card's heading
        (f"{LIST_URL}gruenderkredit-plus.html?nn=42", "Gründerkredit Plus (Darlehen)"),  # no #anchor
    ]  # no navigation, breadcrumb, language switch, share, login, PDF, other site, footer or "#filter"
    assert listing.next_page(page("programme-list.html"), LIST_URL) == f"{LIST_URL}?page=2"
    assert listing.looks_like_list(page("programme-list.html"), LIST_URL)


def test_detail_page_title_text_date_canonical_and_guideline():
    found = reader.read_page(page("programme-detail.html"), f"{LIST_URL}innovationsgutschein-digital.html")
    assert (
        found.title == "Innovationsgutschein Digitalisierung" and found.title_from == "h1"
    )  # no soft hyphens
    assert found.url == f"{LIST_URL}innovationsgutschein-digital.html"  # <meta name="canonical">
    assert found.published == "2026-02-16"  # its metadata, not the news teaser's <time> (2026-04-23)
    assert "bis zum 30.06.2027" in found.text and "Was wird gefördert?" in found.text
    assert "Cookies" not in found.text and "Ihr Kontakt" not in found.text and "Messe" not in found.text
    assert "\u200b" not in found.text
    assert found.pdfs == [f"{SITE}/media/richtlinie-innovationsgutschein-2026.pdf"]  # not the annual report
    assert not listing.looks_like_list(page("programme-detail.html"), found.url)


def test_a_slogan_h1_gives_way_to_the_page_title():
    found = reader.read_page(page("slogan-detail.html"), f"{SITE}/de/transferbonus.html?ref=nl")
    assert (found.title, found.title_from) == ("Transferbonus Forschung", "title")
    assert found.url == f"{SITE}/de/transferbonus.html"  # relative canonical, resolved
    assert found.published == "2026-01-12"  # the page's own "Stand:" line


def test_an_h1_that_runs_fields_together_gives_way_to_the_page_title():
    found = reader.read_page(page("runtogether-detail.html"), "https://www.foerderbank.example/p/")
    assert found.title == "Beteiligungskapital Wachstum (218)"
    assert found.published is None  # no metadata, no page date: none rather than a guess


def test_site_suffixes_are_cut_but_dashes_in_names_stay():
    root = text.parse_html("<html><head><link rel=canonical href='https://www.kfw.example/x'></head></html>")
    assert (
        reader.strip_site("ERP-Förderkredit – Gründung (077) | KfW", root)
        == "ERP-Förderkredit – Gründung (077)"
    )
    assert reader.strip_site("Mikrokredit - Förderbank", root) == "Mikrokredit"
    assert reader.strip_site("Wachstum – Innovation – Transfer in Sachsen", root) == (
        "Wachstum – Innovation – Transfer in Sachsen"
    )


# --- the generic reader on every real page ----------------------------------------------------------

REAL_PORTALS = {  # page → (URL it was saved from, the programme's name)
    "nrw-bank/gruendungszuschuss_15086_real.html": (
        "https://www.nrwbank.de/de/foerderung/foerderprodukte/15086/gruendungszuschuss.html",
        "Gründungszuschuss",
    ),
    "l-bank/guw_bw_real.html": (
        "https://www.l-bank.de/produkte/wirtschaftsfoerderung/guw-bw.html",
        "Gründungs- und Wachstumsfinanzierung Baden-Württemberg (GuW-BW)",
    ),
    "kfw/startgeld_067_real.html": (
        "https://www.kfw.de/inlandsfoerderung/Unternehmen/Gründen-Nachfolgen/Förderprodukte/"
        "ERP-Gründerkredit-Startgeld-(067)/",
        "ERP-Gründerkredit – StartGeld (067)",
    ),
    "exist/gruendungsstipendium_real.html": (
        "https://exist.de/programm/exist-gruendungsstipendium/",
        "exist Gründungsstipendium",
    ),
    "eic/accelerator_real.html": (
        "https://eic.ec.europa.eu/eic-funding-opportunities/eic-accelerator_en",
        "EIC Accelerator",
    ),
}


@needs_realdata
@pytest.mark.parametrize("name", sorted(REAL_PORTALS))
def test_funding_portal_pages_read_as_the_programme(name: str):
    url, title = REAL_PORTALS[name]
    markup = (PORTALS / name).read_text(encoding="utf-8")
    found = reader.read_page(markup, url)
    assert found.title == title and "\u00ad" not in found.title
    assert found.url == url  # the page's canonical, <meta name> at the L-Bank
    assert len(found.text) >= 2000  # the programme text, not a contact block (NRW.BANK: 119 chars)
    assert "\u00ad" not in found.text and "Cookie" not in found.text[:300]
    assert found.published is None or found.published < "2026-04-23"  # never the news teaser's date
    assert not listing.looks_like_list(markup, url)  # detail pages, also the one linking five products


@needs_realdata
def test_real_portal_specifics():
    exist = reader.read_page(
        (PORTALS / "exist/gruendungsstipendium_real.html").read_text("utf-8"), "https://exist.de/"
    )
    assert any("Richtlinie" in pdf for pdf in exist.pdfs)  # the linked guideline
    eic = reader.read_page(
        (PORTALS / "eic/accelerator_real.html").read_text("utf-8"), "https://eic.ec.europa.eu/"
    )
    assert eic.published != "2026-04-23"
    nrw = reader.read_page(
        (PORTALS / "nrw-bank/gruendungszuschuss_15086_real.html").read_text("utf-8"),
        "https://www.nrwbank.de/",
    )
    assert nrw.text.startswith("Wer wird gefördert?")
    lbank_url = REAL_PORTALS["l-bank/guw_bw_real.html"][0]
    links = listing.call_links((PORTALS / "l-bank/guw_bw_real.html").read_text("utf-8"), lbank_url)
    assert links and not any("#" in link.url or link.url.rstrip("/").endswith("/produkte") for link in links)


@needs_realdata
def test_foerderdatenbank_list_page_yields_its_ten_programmes_and_the_next_page():
    url = "https://www.foerderdatenbank.de/SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html"
    markup = (FDB / "correlaid_overview.html").read_text("utf-8")
    links = listing.call_links(markup, url)
    assert len(links) == 10 and all("/FDB/Content/DE/Foerderprogramm/" in link.url for link in links)
    assert all(len(link.title) > 10 for link in links)
    assert "gtp=%2526" in (listing.next_page(markup, url) or "")
    assert listing.looks_like_list(markup, url)


@needs_realdata
@pytest.mark.parametrize("path", sorted(FDB.glob("correlaid_detail*.html")) if FDB.is_dir() else [], ids=str)
def test_foerderdatenbank_detail_pages_read_generically(path: Path):
    markup = path.read_text("utf-8")
    found = reader.read_page(markup, "https://www.foerderdatenbank.de/x.html")
    h1 = text.one_line(text.element_text(text.parse_html(markup).xpath("//h1[@class='title']")[0]))
    assert found.title == h1
    assert found.url.startswith("https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/")
    assert len(found.text) >= 500 and "Einwilligung" not in found.text  # not the consent dialog
    assert not listing.looks_like_list(markup, found.url)


# --- source probe / source test ----------------------------------------------------------------------


def probe(*args: str, code: int = 0) -> list[dict]:
    result = CliRunner().invoke(cli, ["source", "probe", *args])
    assert result.exit_code == code, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_source_probe_reads_a_list_page_without_config():
    records = probe("--file", str(FIXTURES / "programme-list.html"), "--url", LIST_URL)
    assert [r["follow"] for r in records] == [
        f"{LIST_URL}innovationsgutschein-digital.html",
        f"{LIST_URL}ki-pilot/",
        f"{LIST_URL}gruenderkredit-plus.html?nn=42",
        f"{LIST_URL}?page=2",
    ]


def test_source_probe_reads_a_detail_page_and_can_be_told_the_kind():
    url = f"{LIST_URL}innovationsgutschein-digital.html"
    (record,) = [
        r for r in probe("--file", str(FIXTURES / "programme-detail.html"), "--url", url) if "item" in r
    ]
    assert record["item"]["title"] == "Innovationsgutschein Digitalisierung"
    assert record["item"]["published"] == "2026-02-16" and record["item"]["language"] == "de"
    as_detail = probe("--file", str(FIXTURES / "programme-list.html"), "--url", LIST_URL, "--as", "detail")
    assert as_detail[0]["item"]["title"] == "Förderprogramme für Unternehmen"


def test_source_probe_exits_non_zero_when_nothing_usable_came_out(tmp_path: Path):
    empty = tmp_path / "leer.html"
    empty.write_text("<html><body><nav><a href='/x'>Start</a></nav></body></html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["source", "probe", "--file", str(empty), "--url", LIST_URL])
    assert result.exit_code == 1 and "nothing usable" in result.output
    result = CliRunner().invoke(cli, ["source", "probe", "--file", str(empty), "--url", "ftp://x"])
    assert result.exit_code == 1 and "http(s)" in result.output


@needs_realdata
def test_source_probe_reads_the_nrw_product_page_as_a_detail_page():
    url, title = REAL_PORTALS["nrw-bank/gruendungszuschuss_15086_real.html"]
    records = probe("--file", str(PORTALS / "nrw-bank/gruendungszuschuss_15086_real.html"), "--url", url)
    items = [r["item"] for r in records if "item" in r]
    assert items and items[0]["title"] == title and len(items[0]["text"]) >= 2000


def source_test(*args: str, code: int = 0) -> list[dict]:
    root = Path(__file__).resolve().parents[1]
    result = CliRunner().invoke(cli, ["--config", str(root / "config"), "source", "test", *args])
    assert result.exit_code == code, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@needs_realdata
@pytest.mark.parametrize(
    "source_id, name",
    [("nrw-bank", "nrw-bank/gruendungszuschuss_15086_real.html"), ("bw-lbank", "l-bank/guw_bw_real.html")],
)
def test_shipped_state_bank_entries_read_their_real_product_pages(source_id: str, name: str):
    """nrw-bank's old item selector made `source test` read this page as a list; bw-lbank kept soft
    hyphens and ignored <meta name="canonical">."""
    url, title = REAL_PORTALS[name]
    (record,) = [
        r for r in source_test(source_id, "--file", str(PORTALS / name), "--url", url) if "item" in r
    ]
    assert "dropped" not in record
    assert record["item"]["title"] == title and record["item"]["url"] == url
    assert len(record["item"]["text"]) >= 2000
    as_list = CliRunner().invoke(
        cli, ["source", "probe", "--file", str(PORTALS / name), "--url", url, "--as", "list"]
    )
    assert "#" not in "".join(json.loads(line).get("follow", "") for line in as_list.stdout.splitlines())


def test_source_test_as_is_for_html_sources_only():
    result = CliRunner().invoke(
        cli,
        ["--config", str(Path(__file__).resolve().parents[1] / "config"), "source", "test", "eu-ft"]
        + ["--file", str(FIXTURES / "programme-list.html"), "--as", "list"],
    )
    assert result.exit_code == 1 and "--as applies to kind html" in result.output


def test_a_text_selector_that_matches_nothing_is_named_not_the_title(tmp_path: Path):
    config = tmp_path / "config"
    config.mkdir()
    root = Path(__file__).resolve().parents[1] / "config"
    for name in ("settings.yaml", "keywords.yaml", "lists.yaml"):
        (config / name).write_text((root / name).read_text("utf-8"), encoding="utf-8")
    (config / "sources.yaml").write_text(
        "sources:\n  - {id: bank, name: Bank, kind: html, url: 'https://www.foerderinstitut.example/',"
        " selectors: {text: 'div.programmtext', published: 'span.datum', pdf: ''}}\n",
        encoding="utf-8",
    )
    url = f"{LIST_URL}innovationsgutschein-digital.html"
    args = [
        "--config",
        str(config),
        "source",
        "test",
        "bank",
        "--file",
        str(FIXTURES / "programme-detail.html"),
    ]
    result = CliRunner().invoke(cli, args + ["--url", url])
    assert result.exit_code == 1  # the title was found, but without a text nothing usable came out
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert (
        records[0]["dropped"] == "no text"
        and records[0]["item"]["title"] == "Innovationsgutschein Digitalisierung"
    )
    notes = [r["note"] for r in records if "note" in r]
    assert notes == [
        "selectors.text 'div.programmtext' matched nothing",
        "selectors.published 'span.datum' matched nothing",
    ]


@pytest.mark.parametrize(
    "href, is_call",
    [
        ("/de/foerderung/programme/blueprint-transfer.html", True),  # not "print"
        ("/de/foerderung/programme/shareholder-fonds.html", True),  # not "share"
        ("/de/foerderung/programme/?share=mail", False),
        ("/de/kontakt/", False),
        ("/login/", False),
        ("#kontakt", False),
        ("/de/foerderung/programme/merkblatt.pdf", False),
        ("https://www.anderes-portal.example/programm.html", False),
        ("/en/funding/programmes/transfer.html", False),  # another language than the list page's
        ("/de/", False),  # up the site's tree
    ],
)
def test_which_link_targets_may_be_calls(href: str, is_call: bool):
    anchor = text.parse_html(f"<a href='{href}'>Programm</a>").xpath("//a")[0]
    assert (listing.call_target(anchor, LIST_URL, LIST_URL) is not None) == is_call


def test_source_probe_reads_a_saved_feed_as_a_feed():
    feed = Path(__file__).parent / "fixtures" / "crawler" / "site" / "bmx" / "bekanntmachungen.rss"
    records = probe("--file", str(feed), "--url", "https://www.ministerium.example/feed.rss")
    assert len([r for r in records if "item" in r]) == 3


def test_a_page_over_the_extraction_budget_keeps_its_main_text():
    paragraph = "<p>Gefördert werden Vorhaben kleiner Unternehmen zur Auswertung von Betriebsdaten.</p>"
    body = paragraph * (reader.EXTRACT_MAX_CHARS // len(paragraph) + 10)
    page = reader.read_page(f"<html><body><main><h1>Datenprojekte im Mittelstand</h1>{body}</main></body></html>",
                            "https://foerderung.example/datenprojekte")  # fmt: skip
    assert page.title == "Datenprojekte im Mittelstand"
    assert page.text.count("Betriebsdaten") > 10_000
