"""The crawler end to end: real Scrapy in a child process against the local sample server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.run import crawl
from foerderradar.cli import cli
from foerderradar.configuration import ConfigError, load_config
from foerderradar.demo.server import SampleSite
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(__file__).parent / "fixtures" / "crawler" / "site"
PORTAL_SELECTORS = (
    '{item: "div.card--fundingprogram p.card--title a::attr(href)", '
    'next_page: "a.forward.button::attr(href)", title: h1.title, text: div.rich--text, '
    'published: p.date, funder: "dd.foerdergeber span.link--label"}'
)


def loopback_allowed(entry: str) -> str:
    """The test server is on 127.0.0.1, which a source must allow (``allow_private``) unless it says."""
    return entry if "allow_private" in entry else entry.replace("{id:", "{allow_private: true, id:", 1)


def write_config(folder: Path, base_url: str, sources: list[str], **crawl: object) -> Path:
    """A small config folder for the sample server; ``sources`` are YAML flow mappings."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"download_delay": 0, "retries": 0, "autothrottle": False, "max_pages": 2, "timeout": 5}
    settings.update(crawl)
    (folder / "settings.yaml").write_text(
        "database: data/foerderradar.db\n"
        "user_agent: 'Foerderradar-Test/0.1 (+mailto:test@example.org)'\n"
        f"crawl: {json.dumps(settings)}\n",
        encoding="utf-8",
    )
    (folder / "keywords.yaml").write_text("topics:\n  - {id: ki, name: KI, terms: [KI]}\n", encoding="utf-8")
    (folder / "lists.yaml").write_text(
        "lists:\n  - {id: team, name: Team, address: team@example.org}\n", encoding="utf-8"
    )
    body = "".join(f"  - {loopback_allowed(entry).replace('{base}', base_url)}\n" for entry in sources)
    (folder / "sources.yaml").write_text(f"sources:\n{body}", encoding="utf-8")
    return folder


FEED = '{id: feed, name: Testministerium, kind: feed, url: "{base}/bmx/bekanntmachungen.rss", funder: Testministerium}'
PORTAL = (
    '{id: portal, name: Portal, kind: html, url: "{base}/portal/suche.html", selectors: '
    + PORTAL_SELECTORS
    + "}"
)


def calls_of(config_dir: Path) -> dict[str, dict]:
    store = Store(load_config(config_dir).database_path)
    try:
        return {row["id"]: row for row in store.rows("SELECT * FROM calls")}
    finally:
        store.close()


def page_requests(site: SampleSite, start: int = 0) -> list:
    return [e for e in site.log[start:] if e.path != "/robots.txt"]


def test_feed_and_html_sources_are_crawled_into_the_store(tmp_path: Path) -> None:
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FEED, PORTAL])
        runs = crawl(load_config(folder), "run-1", None)
    by_source = {r["source_id"]: r for r in runs}
    assert by_source["feed"]["items"] == 3 and by_source["feed"]["new"] == 3
    assert by_source["portal"]["items"] == 3 and by_source["portal"]["errors"] == 0
    assert json.loads(by_source["portal"]["responses"]) == {"200": 7}  # robots, 2 lists, 3 details, 1 PDF
    calls = calls_of(folder)
    assert len(calls) == 6
    ki = next(c for c in calls.values() if c["title"] == "KI-Transfer Plus")
    assert ki["url"] == "https://www.foerderportal.example/programme/ki-transfer-plus"  # rel=canonical
    assert ki["published"] == "2025-11-14" and ki["funder"] == "Testministerium für Wirtschaft"
    assert "31.03.2027" in ki["text"] and "30.06.2027" in ki["text"]  # the linked Richtlinie PDF
    feed_entry = next(c for c in calls.values() if c["title"].startswith("Richtlinie zur Förderung"))
    assert feed_entry["published"] == "2025-12-02"  # German pubDate
    assert "Künstlicher Intelligenz" in feed_entry["text"] and "<b>" not in feed_entry["text"]
    paths = [e.path for e in site.log]
    # two sources on one site take turns: every feed request comes before the portal's first
    assert max(i for i, p in enumerate(paths) if p.startswith("/bmx/")) < paths.index("/portal/suche.html")
    requested = set(paths)
    assert "/portal/suche.html?page=3" not in requested  # max_pages: 2
    assert "/docs/flyer.pdf" not in requested  # only guideline-like PDFs are read
    assert all("mailto:test@example.org" in e.headers.get("User-Agent", "") for e in site.log)


def test_second_run_over_unchanged_server_downloads_nothing_again(tmp_path: Path) -> None:
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FEED, PORTAL])
        first = crawl(load_config(folder), "run-1", None)
        ids_before = set(calls_of(folder))
        mark = len(site.log)
        second = crawl(load_config(folder), "run-2", None)
        again = page_requests(site, mark)
    assert len(again) == len(page_requests(site)) - len(again)  # the same pages were asked for …
    assert {e.status for e in again} == {304}  # … and every one answered "not modified"
    assert all(e.bytes == 0 for e in again)
    assert all("If-None-Match" in e.headers for e in again)
    for run in second:
        assert run["new"] == 0 and run["changed"] == 0 and run["unchanged"] == run["items"] > 0
    # headers only: a fraction of the first run's bytes
    assert sum(r["bytes"] for r in second) < 0.5 * sum(r["bytes"] for r in first)
    assert set(calls_of(folder)) == ids_before


def test_a_changed_deadline_becomes_a_version_row(tmp_path: Path) -> None:
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [PORTAL])
        crawl(load_config(folder), "run-1", None)
        page = (SITE / "portal" / "calls" / "digital-jetzt.html").read_text(encoding="utf-8")
        changed = page.replace("Eine Antragstellung ist laufend möglich.", "Anträge bis zum 30.09.2027.")
        site.overrides["/portal/calls/digital-jetzt.html?nn=123&utm_source=liste"] = (200, changed.encode())
        runs = crawl(load_config(folder), "run-2", None)
    assert runs[0]["changed"] == 1 and runs[0]["unchanged"] == 2
    store = Store(load_config(folder).database_path)
    versions = store.rows("SELECT * FROM call_versions")
    store.close()
    assert len(versions) == 1
    assert json.loads(versions[0]["changed"]) == ["text"]
    assert "laufend möglich" in json.loads(versions[0]["previous"])["text"]


BROKEN = [
    '{id: blocked, name: Gesperrt, kind: html, url: "{base}/captcha.html", selectors: {item: "a.card"}}',
    '{id: not-a-feed, name: Kein Feed, kind: feed, url: "{base}/bmx/leer.rss"}',
    '{id: sloppy-feed, name: Schlampiger Feed, kind: feed, url: "{base}/bmx/kaputt.rss"}',
    '{id: server-error, name: Serverfehler, kind: feed, url: "{base}/bmx/fehler.rss"}',
    '{id: huge, name: Riesig, kind: feed, url: "{base}/bmx/riesig.rss"}',
    '{id: loop, name: Kreis, kind: feed, url: "{base}/bmx/kreis.rss"}',
    '{id: latin, name: Latin-1, kind: feed, url: "{base}/bmx/latin.rss"}',
    '{id: robots, name: Robots, kind: html, url: "{base}/portal/mit-privat.html", selectors: '
    + PORTAL_SELECTORS
    + "}",
]


def test_broken_sources_are_recorded_and_shown_in_status(tmp_path: Path) -> None:
    latin = (SITE / "bmx" / "kaputt.rss").read_text(encoding="utf-8").replace("utf-8", "iso-8859-1")
    overrides = {
        "/bmx/fehler.rss": (500, b"Internal Server Error"),
        "/bmx/riesig.rss": (200, b"x" * 50_000),
        "/bmx/kreis.rss": (302, b"", {"Location": "/bmx/kreis2.rss"}),
        "/bmx/kreis2.rss": (302, b"", {"Location": "/bmx/kreis.rss"}),
        "/bmx/latin.rss": (200, latin.encode("latin-1")),  # served as "charset=utf-8"
    }
    silent = socket.socket()  # accepts connections (backlog) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    mute = (
        f'{{id: mute, name: Stumm, kind: feed, url: "http://127.0.0.1:{silent.getsockname()[1]}/feed.rss"}}'
    )
    with SampleSite(root=SITE, overrides=overrides) as site, silent:
        sources = [FEED, *BROKEN, mute]
        folder = write_config(
            tmp_path / "config", site.base_url, sources, max_response_bytes=20_000, timeout=2
        )
        runs = {r["source_id"]: r for r in crawl(load_config(folder), "run-1", None)}
        assert "/private/intern.html" not in {e.path for e in site.log}  # robots.txt obeyed
    assert runs["feed"]["items"] == 3 and runs["feed"]["errors"] == 0  # the others go on
    assert runs["blocked"]["blocked"] == 1 and runs["blocked"]["items"] == 0
    assert runs["sloppy-feed"]["items"] == 1 and runs["sloppy-feed"]["errors"] == 0
    messages = {k: json.dumps(json.loads(r["error_messages"]), ensure_ascii=False) for k, r in runs.items()}
    assert "malformed feed" in messages["sloppy-feed"]
    for source_id, expected in [
        ("not-a-feed", "not a readable feed"),
        ("server-error", "HTTP 500"),
        ("huge", "too large"),
        ("robots", "robots.txt"),
        ("mute", "timeout"),
        ("loop", "redirect loop"),
    ]:
        assert runs[source_id]["errors"] >= 1, source_id
        assert expected in messages[source_id], messages[source_id]
        assert any(p in messages[source_id] for p in ("/bmx/", "/private/", "/feed.rss"))  # names the URL
    assert json.loads(runs["server-error"]["responses"]) == {"200": 1, "500": 1}
    assert runs["latin"]["items"] == 1 and runs["latin"]["errors"] == 0  # wrong charset: still read
    assert runs["robots"]["dropped"] == 1 and "dropped: no text" in messages["robots"]

    result = CliRunner().invoke(cli, ["--config", str(folder), "status"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line and not line[0].isspace()}
    assert "OK" in lines["feed"]
    assert "BLOCKED" in lines["blocked"]
    for source_id in ("not-a-feed", "server-error", "huge", "robots", "mute", "loop"):
        assert "WARNING" in lines[source_id] or "UNHEALTHY" in lines[source_id]
    assert "HTTP 500" in result.output and "bot-protection" in result.output
    assert "what to do:" in result.output


def test_failures_never_delete_stored_calls_and_repeat_failures_turn_unhealthy(tmp_path: Path) -> None:
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FEED], unhealthy_after=2, retries=1)
        crawl(load_config(folder), "run-1", None)
        site.overrides["/bmx/bekanntmachungen.rss"] = (503, b"down for maintenance")
        crawl(load_config(folder), "run-2", None)
        last = crawl(load_config(folder), "run-3", None)[0]
        assert site.count(503) == 4  # each failing run tried twice (one retry, after a backoff)
    assert json.loads(last["responses"]) == {"304": 1, "503": 2}  # robots.txt, then the feed twice
    assert len(calls_of(folder)) == 3
    result = CliRunner().invoke(cli, ["--config", str(folder), "status"])
    assert "UNHEALTHY" in result.output and "usually 3 items" in result.output
    assert "HTTP 503" in result.output
    with SampleSite(root=SITE) as site:
        write_config(tmp_path / "config", site.base_url, [FEED])
        site.overrides["/bmx/bekanntmachungen.rss"] = (200, (SITE / "captcha.html").read_bytes())
        blocked = crawl(load_config(folder), "run-4", None)[0]
    assert blocked["blocked"] == 1 and blocked["errors"] == 0 and len(calls_of(folder)) == 3
    result = CliRunner().invoke(cli, ["--config", str(folder), "status"])
    assert "BLOCKED" in result.output and "bot-protection" in result.output


def test_unknown_source_id_is_a_config_error(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "config", "http://127.0.0.1:9", [FEED])
    with pytest.raises(ConfigError, match="no source with id 'nope'"):
        crawl(load_config(folder), "run-1", ["nope"])
    result = CliRunner().invoke(cli, ["--config", str(folder), "crawl", "--source", "nope"])
    assert result.exit_code == 2 and "no source with id 'nope'" in result.output


def source_test(
    folder: Path, source_id: str, file: Path, url: str | None = None, code: int = 0
) -> list[dict]:
    """``source test`` through the CLI; it exits 1 when nothing usable came out."""
    args = ["--config", str(folder), "source", "test", source_id, "--file", str(file)]
    result = CliRunner().invoke(cli, args + (["--url", url] if url else []))
    assert result.exit_code == code, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_source_test_prints_items_and_follows_of_a_saved_page(tmp_path: Path) -> None:
    base = "https://www.foerderportal.example"
    folder = write_config(tmp_path / "config", base, [FEED, PORTAL])
    listing = source_test(folder, "portal", SITE / "portal" / "suche.html")
    assert listing == [
        {"follow": f"{base}/portal/calls/ki-transfer.html"},
        {"follow": f"{base}/portal/calls/digital-jetzt.html?nn=123&utm_source=liste"},
        {"follow": f"{base}/portal/suche.html?page=2"},
    ]
    detail = source_test(folder, "portal", SITE / "portal" / "calls" / "green-ai.html", f"{base}/x.html")
    assert detail[0]["item"]["title"] == "Green AI Innovation Call"
    assert detail[0]["item"]["published"] == "2026-03-10"
    feed = source_test(folder, "feed", SITE / "bmx" / "bekanntmachungen.rss")
    assert [r["item"]["published"] for r in feed] == ["2025-12-02", "2026-01-12", "2026-02-05"]
    assert feed[0]["item"]["url"] == f"{base}/bmx/bekanntmachung-ki-mittelstand.html"
    empty = source_test(
        folder, "portal", SITE / "portal" / "calls" / "leer.html", f"{base}/leer.html", code=1
    )
    assert empty[0]["dropped"] == "no text" and empty[0]["item"]["title"] == "Programm ohne Beschreibung"
    blocked = source_test(folder, "portal", SITE / "captcha.html", code=1)
    assert "selectors.text 'div.rich--text' matched nothing" in json.dumps(empty, ensure_ascii=False)
    assert "blocked" in blocked[0]


def test_robots_txt_crawl_delay_is_picked_up(tmp_path: Path) -> None:
    """The fixture's robots.txt says Crawl-delay: 0.1; the crawl process reports adopting it."""
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FEED])
        config = load_config(folder)
        store = Store(config.database_path)
        store.sync_sources(config.sources)
        store.close()
        command = [
            sys.executable,
            "-m",
            "crawler",
            "--config",
            str(folder),
            "--run-id",
            "r",
            "--log-level",
            "INFO",
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "robots.txt asks for Crawl-delay 0.1 s" in done.stderr


def test_feed_entries_can_be_followed_to_their_pages(tmp_path: Path) -> None:
    followed = FEED.replace("id: feed,", "id: feed, follow_links: true,")
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [followed])
        run = crawl(load_config(folder), "run-1", None)[0]
    assert run["items"] == 3 and run["errors"] == 0  # two entry pages are missing: noted, teaser kept
    notes = json.loads(run["error_messages"])
    assert len(notes) == 2 and all("HTTP 404" in n["message"] for n in notes)
    ki = next(c for c in calls_of(folder).values() if "Mittelstand" in c["title"])
    assert "Verbundprojekte" in ki["text"]  # the teaser
    assert "zweistufig" in ki["text"] and "Impressum" not in ki["text"]  # the page's main content
    assert "30.06.2027" in ki["text"]  # the linked Bekanntmachung PDF


def test_a_failed_crawl_process_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_config(tmp_path / "config", "http://127.0.0.1:9", [FEED])
    monkeypatch.setattr("crawler.run.sys.executable", "/bin/false")  # a crawl process that dies at once
    result = CliRunner().invoke(cli, ["--config", str(folder), "crawl"])
    assert result.exit_code == 1
    assert "error: crawl process of run" in result.output and "exited with code 1" in result.output
    assert "Traceback" not in result.output


def test_a_source_without_selectors_is_read_by_the_generic_reader_and_status_shows_its_yield(
    tmp_path: Path,
) -> None:
    generic = '{id: generic, name: Portal ohne Selektoren, kind: html, url: "{base}/portal/suche.html"}'
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [generic])
        (run,) = crawl(load_config(folder), "run-1", None)
    assert run["errors"] == 0 and run["items"] == 3, run["error_messages"]  # two listed, one on page 2
    titles = {c["title"] for c in calls_of(folder).values()}
    assert len(titles) == 3 and all(titles)
    result = CliRunner().invoke(cli, ["--config", str(folder), "status"])
    assert result.exit_code == 0, result.output
    assert "calls stored 3: 100 % with a title" in result.output
    assert "example: " in result.output
