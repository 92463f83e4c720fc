"""The real sources' parsers against real saved responses in ../shared/realdata (skipped when absent)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from crawler import eu_sedia, fdb_export, fdb_html
from foerderradar.configuration import SediaOptions

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
FDB = REALDATA / "foerderdatenbank"
EXPORT = FDB / "export_xml"
SEDIA = REALDATA / "eu-funding-tenders-sedia"
TODAY = date(2026, 11, 26)

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not here")

DETAILS = sorted(FDB.glob("correlaid_detail*.html")) if FDB.is_dir() else []
PROGRAMMES = sorted(EXPORT.rglob("Foerderprogramm/**/*.xml")) if EXPORT.is_dir() else []
RESPONSES = sorted(SEDIA.glob("*.json")) if SEDIA.is_dir() else []


@pytest.mark.parametrize("page", DETAILS, ids=lambda p: p.name)
def test_every_saved_detail_page_parses_into_a_call(page: Path):
    parsed = fdb_html.parse_page(page.read_bytes(), "https://www.foerderdatenbank.de/x.html", "fdb")
    assert not parsed.blocked and not parsed.errors
    (call,) = parsed.calls
    assert call.title and call.funder and call.text
    assert call.url.startswith("https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/")
    assert call.external_id and call.url.endswith(call.external_id + ".html")
    labels = {
        fdb_html.LABELS[fdb_html.fold(t)] for t in _dt_labels(page) if fdb_html.fold(t) in fdb_html.LABELS
    }
    assert labels <= set(call.fields) | {"Weiterführende Links"}  # every label the page carries
    if "Förderart" in call.fields:  # labels as the site shows them, never leaked codes
        assert call.fields["Förderart"][0].isupper()
    assert not any("_" in v and " " not in v for v in call.fields.values())


def _dt_labels(page: Path) -> list[str]:
    from parsel import Selector

    return [t.strip() for t in Selector(page.read_text("utf-8")).xpath("//dl/dt/text()").getall()]


def test_ascii_label_page_gets_umlaut_labels_and_readable_values():
    (call,) = fdb_html.parse_page((FDB / "correlaid_detail_fail_19_12.html").read_bytes(), "u", "fdb").calls
    assert call.fields["Förderart"] == "Zuschuss"
    assert call.fields["Fördergebiet"] == "Hessen"
    assert call.fields["Förderbereich"] == "Forschung & Innovation (themenspezifisch)"


def test_funder_wrapped_in_an_inner_span_is_read():
    (call,) = fdb_html.parse_page((FDB / "correlaid_detail_fail_07_25.html").read_bytes(), "u", "fdb").calls
    assert call.funder == "FFA Filmförderungsanstalt"


def test_saved_list_page_yields_ten_detail_links_and_the_next_page():
    parsed = fdb_html.parse_page(
        (FDB / "correlaid_overview.html").read_bytes(), "https://www.foerderdatenbank.de/", "fdb"
    )
    details = [u for u in parsed.follow if fdb_html.programme_key(u)]
    assert len(details) == 10 and all(
        u.startswith("https://www.foerderdatenbank.de/FDB/Content/DE/") for u in details
    )
    assert parsed.follow[-1].startswith("https://www.foerderdatenbank.de/SiteGlobals/FDB/Forms/Suche/")
    assert "gtp=%2526" in parsed.follow[-1]


@pytest.mark.parametrize("document", PROGRAMMES, ids=lambda p: p.name)
def test_every_export_programme_parses_with_its_linked_documents(document: Path):
    (call,) = fdb_export.parse_export_path(document, "fdb-export").calls
    assert call.title and call.text and call.published
    assert call.funder and call.funder not in ("Bund", "Land")  # resolved from Foerdergeber
    assert {"Förderart", "Fördergebiet", "Förderberechtigte", "Fördergeber"} <= set(call.fields)
    assert call.url.startswith("https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/")


def test_every_export_document_reads_including_the_control_byte_one():
    documents = sorted(EXPORT.rglob("*.xml"))
    assert len(documents) == 32
    broken = (
        EXPORT / "BMWI/FDB/Content/DE/ExternerLink/R/rgl-buergschaften-als-de-minimis-beihilfe-863736.xml"
    )
    assert b"\x02" in broken.read_bytes()
    for document in documents:
        doc = fdb_export.read_document(document.read_bytes(), str(document))
        assert doc.props.get("gsb:title"), document
    assert fdb_export.read_document(broken.read_bytes()).props["gsb:url"].startswith("https://")


def test_export_zip_of_the_real_documents_matches_the_html_page():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for file in EXPORT.rglob("*.xml"):
            zf.write(file, file.relative_to(EXPORT).as_posix())
    parsed = fdb_export.parse_export(
        buffer.getvalue(), "https://www.foerderdatenbank.de/FDB/WS/export", "fdb-export"
    )
    assert parsed.errors == [] and len(parsed.calls) == 3
    film = next(c for c in parsed.calls if "film" in c.external_id)
    (page,) = fdb_html.parse_page((FDB / "correlaid_detail_fail_07_25.html").read_bytes(), "u", "fdb").calls
    assert film.url == page.url and film.external_id == page.external_id and film.title == page.title
    assert film.fields["Förderart"] == page.fields["Förderart"] == "Darlehen, Bürgschaft"


@pytest.mark.parametrize("response", RESPONSES, ids=lambda p: p.name)
def test_every_eu_response_parses_one_call_per_topic(response: Path):
    page = eu_sedia.parse_search(response.read_bytes(), "u", "eu-ft", SediaOptions())
    assert page.calls
    assert len({c.external_id for c in page.calls}) == len(page.calls)
    for call in page.calls:
        assert call.title and call.url.startswith("https://ec.europa.eu/") and call.funder
        assert call.fields["Deadlines"] and "Deadline" in call.text
        assert "Status" not in call.fields  # derived from the dates when read, never stored


def test_centricity_duplicates_are_dropped():
    data = json.loads((SEDIA / "aarhusai_portal_search_page.json").read_text("utf-8"))
    stale = [r for r in data["results"] if r["metadata"]["DATASOURCE"] == ["SEDIA_PRD_CENTRICITY"]]
    assert len(stale) == 3
    page = eu_sedia.parse_search(json.dumps(data), "u", "eu-ft", SediaOptions())
    assert len(page.dropped) == 3 and len(page.calls) == len(data["results"]) - 3
    assert not any("/data/topicDetails/" in c.url for c in page.calls)
    emerging = next(c for c in page.calls if c.external_id == "HORIZON-CL4-2027-04-DIGITAL-EMERGING-10")
    assert emerging.url == eu_sedia.TOPIC_PAGE + "HORIZON-CL4-2027-04-DIGITAL-EMERGING-10"
    assert "Deadline: 2027-03-18." in emerging.text


def test_cascade_calls_keep_every_cut_off():
    page = eu_sedia.parse_search((SEDIA / "fundhunt_sedia_cascade.json").read_bytes(), "u", "eu-ft")
    assert len(page.calls) == 4  # two calls share one parent topic and one portal page
    assert max(c.text.count("Deadline (cut-off") for c in page.calls) == 7


def test_source_test_cli_reads_the_real_files_with_the_default_config():
    from click.testing import CliRunner

    from foerderradar.cli import cli

    config = Path(__file__).resolve().parents[1] / "config"
    cases = [
        ("fdb", FDB / "correlaid_detail_single_desc.html", 1),
        ("fdb", FDB / "correlaid_overview.html", 0),
        ("fdb-export", PROGRAMMES[0], 1),
        ("eu-ft", SEDIA / "aarhusai_portal_search_page.json", 6),
    ]
    for source_id, file, items in cases:
        result = CliRunner().invoke(
            cli, ["--config", str(config), "source", "test", source_id, "--file", str(file)]
        )
        assert result.exit_code == 0, result.output
        records = [json.loads(line) for line in result.output.splitlines()]
        assert sum("item" in r for r in records) == items, (source_id, file.name)
        assert all(r["item"]["funder"] for r in records if "item" in r)
