"""Pure parsers of the real sources against our own fixtures: Förderdatenbank HTML and export, EU SEDIA."""

from __future__ import annotations

import email
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from crawler import eu_sedia, fdb_export, fdb_html
from crawler.parsed import ParseError
from foerderradar.configuration import SediaOptions
from foerderradar.text import html_to_text

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
FDB = FIXTURES / "fdb"
EXPORT = FIXTURES / "fdb-export"
PROGRAMME = EXPORT / "BMWI/FDB/Content/DE/Foerderprogramm/Bund/BMWE/ki-transfer-plus.xml"
BASE = "https://www.foerderdatenbank.de/"
TODAY = date(2026, 11, 26)


def export_zip(root: Path = EXPORT, strip: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(root.rglob("*.xml")):
            zf.write(file, file.relative_to(root).as_posix().removeprefix(strip))
    return buffer.getvalue()


# --- Förderdatenbank HTML -------------------------------------------------------------------


def test_list_page_follows_cards_and_the_token_next_link_as_given():
    page = FDB / "SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html"
    parsed = fdb_html.parse_page(page.read_bytes(), BASE + "SiteGlobals/x.html", "fdb")
    assert parsed.calls == [] and not parsed.blocked and not parsed.errors
    assert parsed.follow == [
        BASE + "FDB/Content/DE/Foerderprogramm/Bund/BMWE/ki-transfer-plus.html",
        BASE + "FDB/Content/DE/Foerderprogramm/Land/Hessen/digitale-innovation-hessen.html",
        BASE + "SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html"
        "?gtp=%2526a1b2c3_list%253D2&filterCategories=FundingProgram",
    ]


def test_detail_page_fields_funder_from_inner_span_and_canonical_url():
    page = FDB / "FDB/Content/DE/Foerderprogramm/Bund/BMWE/ki-transfer-plus.html"
    (call,) = fdb_html.parse_page(page.read_bytes(), "http://127.0.0.1/x.html", "fdb").calls
    assert call.title == "KI-Transfer Plus für kleine und mittlere Unternehmen"
    assert call.url == BASE + "FDB/Content/DE/Foerderprogramm/Bund/BMWE/ki-transfer-plus.html"
    assert call.funder == "Bundesministerium für Wirtschaft und Energie (BMWE)"
    assert call.external_id == "Foerderprogramm/Bund/BMWE/ki-transfer-plus"
    assert call.fields["Förderart"] == "Zuschuss"
    assert call.fields["Ansprechpunkt"] == "Projektträger Jülich (PtJ)"
    assert "bis zum 31.03.2027" in call.text and call.language == "de"


def test_ascii_labels_and_leaked_codes_become_the_site_labels():
    page = FDB / "FDB/Content/DE/Foerderprogramm/Land/Hessen/digitale-innovation-hessen.html"
    url = BASE + "FDB/Content/DE/Foerderprogramm/Land/Hessen/digitale-innovation-hessen.html"
    (call,) = fdb_html.parse_page(page.read_bytes(), url, "fdb").calls
    assert call.fields["Förderart"] == "Zuschuss"
    assert call.fields["Förderbereich"] == "Forschung & Innovation (themenspezifisch)"
    assert call.fields["Fördergebiet"] == "Hessen"
    assert call.fields["Förderberechtigte"] == "Unternehmen, Hochschule"
    assert call.fields["Weiterführende Links"] == "https://example.org/hessen-digital"
    assert call.funder == "Hessisches Ministerium für Digitalisierung und Innovation"


def test_multi_tab_page_reads_every_tab_and_falls_back_to_the_contact_as_funder():
    page = FDB / "FDB/Content/DE/Foerderprogramm/Land/NRW/datenraeume-nrw.html"
    (call,) = fdb_html.parse_page(page.read_bytes(), BASE + "x.html", "fdb").calls
    assert call.text.startswith("Kurzzusammenfassung\nUnternehmen bauen")
    assert "Rechtsgrundlage\nRichtlinie Datenräume NRW" in call.text
    assert call.funder == "NRW.BANK"


def test_bot_protection_page_is_blocked_not_empty():
    parsed = fdb_html.parse_page((FDB / "blocked.html").read_bytes(), BASE, "fdb")
    assert parsed.blocked and parsed.calls == [] and parsed.follow == []


def test_page_without_cards_or_title_is_an_error_naming_source_and_url():
    parsed = fdb_html.parse_page(b"<html><body><p>Wartung</p>" + b"x" * 3000 + b"</body></html>", BASE, "fdb")
    assert not parsed.blocked and parsed.errors == [
        f"fdb: {BASE}: neither programme cards nor a programme title found"
    ]


def test_html_to_text_keeps_blocks_and_joins_wrapped_lines():
    assert (
        html_to_text("<p>Die\n   Beauftragte</p><ul><li>a</li><li>b&#xa0;c</li></ul>")
        == "Die Beauftragte\n\na\nb c"
    )


# --- Förderdatenbank XML export -------------------------------------------------------------


def test_export_zip_resolves_funder_contact_links_and_categories():
    parsed = fdb_export.parse_export(export_zip(), BASE + "FDB/WS/export", "fdb-export")
    assert parsed.errors == []
    calls = {c.external_id: c for c in parsed.calls}
    assert set(calls) == {
        "Foerderprogramm/Bund/BMWE/ki-transfer-plus",
        "Foerderprogramm/Land/Hessen/digitale-innovation-hessen",
    }
    call = calls["Foerderprogramm/Bund/BMWE/ki-transfer-plus"]
    assert call.url == BASE + "FDB/Content/DE/Foerderprogramm/Bund/BMWE/ki-transfer-plus.html"
    assert call.title == "KI-Transfer Plus für kleine und mittlere Unternehmen"
    assert call.funder == "Bundesministerium für Wirtschaft und Energie (BMWE)"
    assert call.published == "2026-01-20"
    assert call.fields["Fördergebiet"] == "bundesweit"  # the export's "_bundesweit" code
    assert call.fields["Förderbereich"] == "Digitalisierung, Forschung & Innovation (themenoffen)"
    assert call.fields["Ansprechpunkt"] == "Projektträger Jülich (PtJ)"
    assert call.fields["Weiterführende Links"] == "https://example.org/ki-transfer-plus"
    assert "Richtlinie KI-Transfer Plus vom 12.01.2026" in call.text  # &amp;#xa0; unescaped twice
    assert "Ticket#" not in call.text  # internal comments stay out
    # the Hessen programme has no funder document: the funder level from its category
    assert calls["Foerderprogramm/Land/Hessen/digitale-innovation-hessen"].funder == "Land"


@pytest.mark.parametrize("strip", ["BMWI/", "BMWI/FDB/Content/DE/"])
def test_linked_documents_resolve_whatever_folders_the_zip_puts_above_them(strip):
    parsed = fdb_export.parse_export(export_zip(strip=strip), BASE, "fdb-export")
    funders = {c.external_id: c.funder for c in parsed.calls}
    assert (
        funders["Foerderprogramm/Bund/BMWE/ki-transfer-plus"]
        == "Bundesministerium für Wirtschaft und Energie (BMWE)"
    )


def test_control_byte_document_is_read_in_spite_of_strict_parsers():
    data = (EXPORT / "BMWI/FDB/Content/DE/ExternerLink/K/ki-transfer-info.xml").read_bytes()
    assert b"\x02" in data
    doc = fdb_export.read_document(data)
    assert doc.props["gsb:title"] == "Programmübersicht KI-Transfer Plus"
    assert doc.props["gsb:url"] == "https://example.org/ki-transfer-plus"


def test_a_broken_member_is_recorded_and_the_others_go_on():
    buffer = io.BytesIO(export_zip())
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr("BMWI/FDB/Content/DE/Foerderprogramm/Bund/X/kaputt.xml", b"<html>kein Export</html>")
    parsed = fdb_export.parse_export(buffer.getvalue(), BASE, "fdb-export")
    assert len(parsed.calls) == 2
    assert len(parsed.errors) == 1 and "kaputt.xml" in parsed.errors[0]


def test_a_zip_that_is_not_a_zip_is_a_clear_error():
    with pytest.raises(
        ParseError, match=r"fdb-export: .*: the export is not a ZIP archive \(it starts with '<!DOCTYPE html>"
    ):
        fdb_export.parse_export(
            b"<!DOCTYPE html><html><title>Startseite</title></html>", BASE + "FDB/WS/export", "fdb-export"
        )
    with pytest.raises(ParseError, match="not a ZIP archive"):
        fdb_export.parse_export(b"PK\x03\x04 truncated", BASE, "fdb-export")


def test_single_programme_file_in_an_unpacked_export_resolves_its_links(tmp_path):
    parsed = fdb_export.parse_export_path(PROGRAMME, "fdb-export")
    (call,) = parsed.calls
    assert call.funder == "Bundesministerium für Wirtschaft und Energie (BMWE)"
    lone = tmp_path / "ki-transfer-plus.xml"
    lone.write_bytes(PROGRAMME.read_bytes())
    (alone,) = fdb_export.parse_export_path(lone, "fdb-export").calls
    assert alone.funder == "Bund" and alone.title == call.title  # no linked documents beside it
    zipped = tmp_path / "export.zip"
    zipped.write_bytes(export_zip())
    assert len(fdb_export.parse_export_path(zipped, "fdb-export").calls) == 2


# --- EU Funding & Tenders SEDIA ---------------------------------------------------------------


def test_search_request_is_multipart_with_every_part_typed_json():
    request = eu_sedia.search_request(SediaOptions(page_size=100), 2, endpoint="https://api.example/search")
    assert request.url.startswith("https://api.example/search?apiKey=SEDIA&")
    assert "pageSize=100" in request.url and "pageNumber=2" in request.url
    message = email.message_from_bytes(
        f"Content-Type: {request.content_type}\r\n\r\n".encode() + request.body
    )
    parts = {p.get_param("name", header="content-disposition"): p for p in message.get_payload()}
    assert set(parts) == {"query", "languages", "sort", "displayFields"}
    assert {p.get_content_type() for p in parts.values()} == {"application/json"}
    query = json.loads(parts["query"].get_payload())
    terms = {list(t["terms"])[0]: list(t["terms"].values())[0] for t in query["bool"]["must"]}
    assert terms == {"type": ["1", "2", "8"], "status": ["31094501", "31094502"],
                     "frameworkProgramme": ["43108390", "43152860"]}  # fmt: skip


def test_page_size_is_capped_at_100():
    with pytest.raises(ValueError):
        SediaOptions(page_size=500)


def sedia_page() -> eu_sedia.SearchPage:
    body = (FIXTURES / "eu" / "search-page-1.json").read_bytes()
    return eu_sedia.parse_search(body, "https://api.example/search", "eu-ft", SediaOptions())


def test_one_call_per_topic_with_every_deadline_and_stale_rows_dropped():
    page = sedia_page()
    ids = [c.external_id for c in page.calls]
    assert len(ids) == len(set(ids))
    assert "HORIZON-CL4-2027-01-AI-07" in ids
    assert any("stale SEDIA_PRD_CENTRICITY copy" in d for d in page.dropped)
    assert any("type 0 not searched" in d for d in page.dropped)
    call = next(c for c in page.calls if c.external_id == "HORIZON-CL4-2027-01-AI-07")
    assert call.url == eu_sedia.TOPIC_PAGE + "HORIZON-CL4-2027-01-AI-07"
    assert call.id == "eu-ft:HORIZON-CL4-2027-01-AI-07"
    assert "Deadline (cut-off 1 of 2): 2027-02-10 17:00 Brussels time." in call.text
    assert "Deadline (cut-off 2 of 2): 2027-09-15 17:00 Brussels time." in call.text
    assert call.fields["Deadlines"] == "2027-02-10 17:00 Brussels time; 2027-09-15 17:00 Brussels time"
    assert call.fields["Programme"] == "Horizon Europe"
    assert call.fields["Topic details"].endswith("/topicDetails/horizon-cl4-2027-01-ai-07.json")
    assert call.funder == "European Commission" and call.language == "en"


def test_no_date_dependent_status_is_stored_among_the_crawled_fields():
    calls = {c.external_id: c for c in sedia_page().calls}
    # the API says "Open" although the only deadline has passed: neither that nor a status derived
    # from today's date is stored; the classifier derives the status from the deadlines
    assert all("Status" not in c.fields for c in calls.values())
    assert calls["DIGITAL-2026-AI-03-SME"].fields["Deadlines"]
    assert calls["DIGITAL-2027-DATA-01-SPACES"].fields["Opening date"]


def test_cascade_calls_sharing_a_parent_topic_stay_separate():
    calls = [c for c in sedia_page().calls if c.fields.get("Type") == "Cascade call"]
    assert {c.title for c in calls} == {"AI Pilots Open Call 1", "AI Pilots Open Call 2"}
    assert {c.funder for c in calls} == {"AIPILOT"}
    assert all(c.external_id.startswith("DIGITAL-2024-AI-06-CASCADE/cascade-") for c in calls)
    assert all("Brussels time" not in c.text for c in calls)  # their time zone is not stated


def test_paging_knows_when_more_results_wait():
    page = sedia_page()
    assert (page.total, page.page_number, page.page_size) == (10, 1, 8) and page.more
    last = (FIXTURES / "eu" / "search-page-2.json").read_bytes()
    assert not eu_sedia.parse_search(last, "u", "eu-ft", SediaOptions()).more


def test_a_response_that_is_not_json_is_a_clear_error():
    with pytest.raises(ParseError, match="eu-ft: https://api.example/search: not a JSON search response"):
        eu_sedia.parse_search(b"<html>500</html>", "https://api.example/search", "eu-ft")
