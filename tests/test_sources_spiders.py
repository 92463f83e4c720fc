"""The real-source spiders end to end (Scrapy in a child process against the sample server) and
``foerderradar source test`` for the default config's ``fdb``, ``fdb-export`` and ``eu-ft``."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.eu_sedia import search_request
from crawler.run import crawl
from foerderradar.cli import cli
from foerderradar.configuration import SediaOptions, load_config
from foerderradar.demo.server import SampleSite
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "sources"
LIST = "/SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html"
PAGE_2 = LIST + "?gtp=%2526a1b2c3_list%253D2&filterCategories=FundingProgram"
FDB = '{id: fdb, name: FDB, kind: fdb, url: "{base}' + LIST + '?filterCategories=FundingProgram", delay: 0}'
EXPORT = (
    '{id: fdb-export, name: FDB export, kind: fdb-export, url: "{base}/FDB/WS/export", max_bytes: 5000000}'
)
EU = '{id: eu-ft, name: EU, kind: eu-sedia, url: "{base}/eu/search", max_pages: 5, sedia: {page_size: 8}}'


def loopback_allowed(entry: str) -> str:
    """The test server is on 127.0.0.1, which a source must allow (``allow_private``)."""
    return entry if "allow_private" in entry else entry.replace("{id:", "{allow_private: true, id:", 1)


def write_config(folder: Path, base_url: str, sources: list[str], **crawl_options: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    crawl_settings = {"download_delay": 0, "retries": 0, "autothrottle": False, "max_pages": 3, "timeout": 5}
    crawl_settings.update(crawl_options)
    (folder / "settings.yaml").write_text(
        "database: data/foerderradar.db\nuser_agent: 'Foerderradar-Test/0.1 (+mailto:test@example.org)'\n"
        f"crawl: {json.dumps(crawl_settings)}\n",
        encoding="utf-8",
    )
    (folder / "keywords.yaml").write_text("topics:\n  - {id: ki, name: KI, terms: [KI]}\n", encoding="utf-8")
    (folder / "lists.yaml").write_text(
        "lists:\n  - {id: team, name: Team, address: t@example.org}\n", encoding="utf-8"
    )
    body = "".join(f"  - {loopback_allowed(entry).replace('{base}', base_url)}\n" for entry in sources)
    (folder / "sources.yaml").write_text(f"sources:\n{body}", encoding="utf-8")
    return folder


def stored(folder: Path, sql: str = "SELECT * FROM calls") -> list[dict]:
    store = Store(load_config(folder).database_path)
    try:
        return store.rows(sql)
    finally:
        store.close()


def export_zip(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    root = FIXTURES / "fdb-export"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(root.rglob("*.xml")):
            zf.write(file, file.relative_to(root).as_posix())
    return target


def test_fdb_html_follows_cards_and_token_pagination(tmp_path: Path) -> None:
    page_2 = (FIXTURES / "fdb" / "list-page-2.html").read_bytes()
    with SampleSite(root=FIXTURES / "fdb", overrides={PAGE_2: (200, page_2)}) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FDB])
        (run,) = crawl(load_config(folder), "r1", ["fdb"])
        paths = [e.path for e in site.log]
    assert run["errors"] == 0 and run["blocked"] == 0, run["error_messages"]
    assert run["items"] == 3 and run["new"] == 3
    assert PAGE_2 in paths  # the token link was followed exactly as the page gave it
    calls = {c["external_id"]: c for c in stored(folder)}
    assert calls["Foerderprogramm/Bund/BMWE/ki-transfer-plus"]["funder"].startswith("Bundesministerium")
    assert (
        json.loads(calls["Foerderprogramm/Land/Hessen/digitale-innovation-hessen"]["fields"])["Förderart"]
        == "Zuschuss"
    )


def test_fdb_bot_protection_page_marks_the_run_blocked(tmp_path: Path) -> None:
    blocked = (FIXTURES / "fdb" / "blocked.html").read_bytes()
    with SampleSite(
        root=FIXTURES / "fdb", overrides={LIST + "?filterCategories=FundingProgram": (200, blocked)}
    ) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FDB])
        (run,) = crawl(load_config(folder), "r1", ["fdb"])
    assert run["blocked"] == 1 and run["items"] == 0
    assert "blocked" in run["error_messages"]
    status = CliRunner().invoke(cli, ["--config", str(folder), "status"])
    assert "BLOCKED" in status.output, status.output


def test_fdb_export_zip_second_run_revalidates_and_a_non_zip_deletes_nothing(tmp_path: Path) -> None:
    site_root = tmp_path / "site"
    export_zip(site_root / "FDB" / "WS" / "export")
    with SampleSite(root=site_root) as site:
        folder = write_config(tmp_path / "config", site.base_url, [EXPORT])
        (first,) = crawl(load_config(folder), "r1", None)
        (second,) = crawl(load_config(folder), "r2", None)
        not_modified = site.count(304, "/FDB/WS/export")
    assert first["new"] == 2 and first["errors"] == 0, first["error_messages"]
    assert second["unchanged"] == 2 and second["new"] == 0 and not_modified == 1
    home = (
        b"<!DOCTYPE html><html><head><title>Startseite</title></head><body>"
        + b"x" * 30000
        + b"</body></html>"
    )
    with SampleSite(root=site_root, overrides={"/FDB/WS/export": (200, home)}) as site:
        write_config(folder, site.base_url, [EXPORT])
        (third,) = crawl(load_config(folder), "r3", None)
    assert third["errors"] == 1 and "not a ZIP archive" in third["error_messages"]
    assert len(stored(folder)) == 2


def eu_overrides(base_url: str) -> dict[str, tuple[int, bytes]]:
    pages = {}
    for number in (1, 2):
        url = search_request(SediaOptions(page_size=8), number, endpoint=base_url + "/eu/search").url
        pages[url.removeprefix(base_url)] = (
            200,
            (FIXTURES / "eu" / f"search-page-{number}.json").read_bytes(),
        )
    return pages


def test_eu_sedia_posts_multipart_pages_and_merges_topics_across_pages(tmp_path: Path) -> None:
    with SampleSite(root=FIXTURES / "eu") as site:
        site.overrides.update(eu_overrides(site.base_url))
        # one retry, as in production: a POST is never resent on a kept-alive connection the
        # server already closed (here: after robots.txt), so the retry middleware must resend it
        folder = write_config(tmp_path / "config", site.base_url, [EU], retries=1)
        (run,) = crawl(load_config(folder), "r1", None)
        posts = [e for e in site.log if e.method == "POST"]
    assert run["errors"] == 0, run["error_messages"]
    assert len(posts) == 2 and all(e.headers["Content-Type"].startswith("multipart/form-data") for e in posts)
    assert run["items"] == 6 and run["dropped"] == 2  # a stale centricity copy and a tender
    calls = {c["external_id"]: c for c in stored(folder)}
    ai = calls["HORIZON-CL4-2027-01-AI-07"]
    assert ai["text"].count("Deadline (cut-off") == 3  # one cut-off on page 2
    assert ai["url"].endswith("/topic-details/HORIZON-CL4-2027-01-AI-07")


def test_eu_sedia_server_error_is_recorded_not_empty(tmp_path: Path) -> None:
    with SampleSite(root=FIXTURES / "eu") as site:
        first = next(iter(eu_overrides(site.base_url)))
        site.overrides[first] = (500, b"Internal Server Error")
        folder = write_config(tmp_path / "config", site.base_url, [EU], obey_robots_txt=False)
        (run,) = crawl(load_config(folder), "r1", None)
    assert run["errors"] == 1 and run["items"] == 0
    assert "HTTP 500" in run["error_messages"]


# --- foerderradar source test with the default config ---------------------------------------


def source_test(*args: str, code: int = 0) -> list[dict]:
    """``source test`` through the CLI; it exits 1 when nothing usable came out."""
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "config"), "source", "test", *args])
    assert result.exit_code == code, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_source_test_fdb_list_and_detail_pages() -> None:
    listing = source_test("fdb", "--file", str(FIXTURES / "fdb" / LIST.lstrip("/")))
    follows = [r["follow"] for r in listing]
    assert len(follows) == 3 and follows[0].startswith("https://www.foerderdatenbank.de/FDB/Content/DE/")
    detail = FIXTURES / "fdb/FDB/Content/DE/Foerderprogramm/Bund/BMWE/ki-transfer-plus.html"
    (record,) = source_test("fdb", "--file", str(detail))
    assert record["item"]["title"] == "KI-Transfer Plus für kleine und mittlere Unternehmen"
    assert record["item"]["fields"]["Förderart"] == "Zuschuss"
    (blocked,) = source_test("fdb", "--file", str(FIXTURES / "fdb" / "blocked.html"), code=1)
    assert "blocked" in blocked


def test_source_test_fdb_export_zip_and_single_document(tmp_path: Path) -> None:
    archive = export_zip(tmp_path / "export.zip")
    records = source_test("fdb-export", "--file", str(archive))
    assert sorted(r["item"]["external_id"] for r in records) == [
        "Foerderprogramm/Bund/BMWE/ki-transfer-plus",
        "Foerderprogramm/Land/Hessen/digitale-innovation-hessen",
    ]
    document = FIXTURES / "fdb-export/BMWI/FDB/Content/DE/Foerderprogramm/Bund/BMWE/ki-transfer-plus.xml"
    (record,) = source_test("fdb-export", "--file", str(document))
    assert record["item"]["funder"] == "Bundesministerium für Wirtschaft und Energie (BMWE)"


def test_source_test_fdb_export_reports_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    page = tmp_path / "export"
    page.write_bytes(b"<!DOCTYPE html><html><body>" + b"x" * 30000 + b"</body></html>")
    (record,) = source_test("fdb-export", "--file", str(page), code=1)
    assert "not a ZIP archive" in record["error"]


def test_source_test_eu_ft_saved_response() -> None:
    records = source_test("eu-ft", "--file", str(FIXTURES / "eu" / "search-page-1.json"))
    items = [r["item"] for r in records if "item" in r]
    assert len(items) == 5 and len({i["id"] for i in items}) == 5
    ai = next(i for i in items if i["external_id"] == "HORIZON-CL4-2027-01-AI-07")
    assert "Deadline (cut-off 1 of 2): 2027-02-10 17:00 Brussels time." in ai["text"]


@pytest.mark.parametrize("source_id", ["fdb", "fdb-export", "eu-ft"])
def test_default_config_names_the_real_sources(source_id: str) -> None:
    source = load_config(ROOT / "config").source(source_id)
    assert source.kind in ("fdb", "fdb-export", "eu-sedia")
    if source.kind.startswith("fdb"):
        assert source.delay == 30  # the site's Crawl-delay


def test_export_and_html_copies_of_one_programme_are_linked(tmp_path: Path) -> None:
    site_root = tmp_path / "site"
    shutil.copytree(FIXTURES / "fdb", site_root)
    export_zip(site_root / "FDB" / "WS" / "export")
    page_2 = (FIXTURES / "fdb" / "list-page-2.html").read_bytes()
    with SampleSite(root=site_root, overrides={PAGE_2: (200, page_2)}) as site:
        folder = write_config(tmp_path / "config", site.base_url, [EXPORT, FDB])
        runs = crawl(load_config(folder), "r1", None)
    assert sum(r["new"] for r in runs) == 5
    links = stored(folder, "SELECT * FROM call_links ORDER BY call_id")
    pairs = {(link["call_id"].split(":")[0], link["canonical_id"].split(":")[0]) for link in links}
    assert len(links) == 2 and pairs in ({("fdb", "fdb-export")}, {("fdb-export", "fdb")})
    assert {link["reason"] for link in links} == {"same programme id"}
