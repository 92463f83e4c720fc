"""Hostile text through a real crawl: control bytes are removed, a lying charset is detected and noted."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from test_crawler import write_config

from crawler.guards import clean_body
from foerderradar.cli import cli
from foerderradar.configuration import load_config
from foerderradar.demo.server import SampleSite
from foerderradar.store import Store

TAIL = "Projektskizzen sind bis zum 15.03.2027 einzureichen."


def stored(folder: Path, sql: str) -> list[dict]:
    store = Store(load_config(folder).database_path)
    try:
        return store.rows(sql)
    finally:
        store.close()


def notes_of(folder: Path) -> list[str]:
    return [
        m["message"]
        for run in stored(folder, "SELECT * FROM crawl_runs")
        for m in json.loads(run["error_messages"])
    ]


def test_clean_body_keeps_tabs_and_newlines_and_leaves_utf16_alone() -> None:
    body, notes = clean_body(b"a\tb\r\nc\x00d\x1be\x7f", "utf-8")
    assert body.body == b"a\tb\r\ncde" and notes == [
        "removed 3 control bytes (NUL and the like) from the text"
    ]
    wide = "Förderung".encode("utf-16-le")
    assert clean_body(wide, "utf-16-le") == (type(body)(wide, "utf-16-le"), [])


def test_a_nul_byte_in_a_feed_item_is_removed_not_cut_at(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    item = (
        "<item><title>KI im Mittelstand</title><link>https://example.org/ki</link>"
        f"<description>Gefördert werden Verbundprojekte.\x00 {TAIL}</description></item>"
        "<item><title>Zweiter Aufruf</title><link>https://example.org/zwei</link>"
        "<description>Frist: 30. April 2027.</description></item>"
    )
    feed = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{item}</channel></rss>'
    (root / "f.rss").write_bytes(feed.encode("utf-8"))
    with SampleSite(root=root) as site:
        folder = write_config(
            tmp_path / "config", site.base_url, ['{id: f, name: F, kind: feed, url: "{base}/f.rss"}']
        )
        result = CliRunner().invoke(cli, ["--config", str(folder), "crawl"])
    assert result.exit_code == 0, result.output
    calls = {c["title"]: c for c in stored(folder, "SELECT * FROM calls")}
    assert set(calls) == {"KI im Mittelstand", "Zweiter Aufruf"}
    assert TAIL in calls["KI im Mittelstand"]["text"] and "\x00" not in calls["KI im Mittelstand"]["text"]
    notes = notes_of(folder)
    assert any("removed 1 control bytes" in n for n in notes)
    assert not any("malformed feed" in n for n in notes)


def test_a_page_whose_charset_lies_is_read_in_its_real_charset_and_noted(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "calls").mkdir(parents=True)
    (root / "liste.html").write_text(
        '<html><body><a class="call" href="calls/eins.html">Eins</a></body></html>', encoding="utf-8"
    )
    page = (
        '<html><head><meta charset="utf-8"><title>Förderung für Künstliche Intelligenz – Förderportal</title></head><body>'
        "<h1>Förderung für Künstliche Intelligenz</h1>"
        '<div class="text"><p>Anträge für Vorhaben größerer Unternehmen sind möglich. Einreichung über das Portal; '
        "die Förderquote beträgt bis zu 50 Prozent der zuwendungsfähigen Ausgaben.</p></div></body></html>"
    )
    (root / "calls" / "eins.html").write_bytes(page.encode("cp1252"))  # served as "charset=utf-8"
    source = '{id: p, name: P, kind: html, url: "{base}/liste.html", selectors: {item: "a.call::attr(href)", text: div.text}}'
    with SampleSite(root=root) as site:
        folder = write_config(tmp_path / "config", site.base_url, [source])
        result = CliRunner().invoke(cli, ["--config", str(folder), "crawl"])
    assert result.exit_code == 0, result.output
    (call,) = stored(folder, "SELECT * FROM calls")
    assert call["title"] == "Förderung für Künstliche Intelligenz"
    assert "Anträge für Vorhaben größerer Unternehmen" in call["text"] and "\ufffd" not in call["text"]
    (note,) = [n for n in notes_of(folder) if "declared charset" in n]
    assert "does not decode as its declared charset utf-8" in note and "read as" in note


def test_a_feed_in_latin1_that_claims_utf8_keeps_its_umlauts(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>Förderung für Gründerinnen</title><link>https://example.org/g</link>"
        "<description>Zuschüsse für Gründungsvorhaben an Hochschulen; Anträge bis 30.06.2027.</description>"
        "</item></channel></rss>"
    )
    (root / "f.rss").write_bytes(feed.encode("latin-1"))
    with SampleSite(root=root) as site:
        folder = write_config(
            tmp_path / "config", site.base_url, ['{id: f, name: F, kind: feed, url: "{base}/f.rss"}']
        )
        result = CliRunner().invoke(cli, ["--config", str(folder), "crawl"])
    assert result.exit_code == 0, result.output
    (call,) = stored(folder, "SELECT * FROM calls")
    assert call["title"] == "Förderung für Gründerinnen"
    assert "Zuschüsse für Gründungsvorhaben" in call["text"] and "\ufffd" not in call["text"]
    assert any("declared charset utf-8" in n for n in notes_of(folder))


def test_a_lying_charset_is_read_by_the_pages_own_meta_first_then_detected() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body>Förderung für Anträge</body></html>'
    body, notes = clean_body(page.encode("cp1252"), "utf-8")  # the server's header said utf-8
    assert body.encoding == "utf-8" and "Förderung für Anträge" in body.body.decode("utf-8")
    assert notes == [
        "the text does not decode as its declared charset utf-8 at byte 55; read as cp1252 (the page's own charset)"
    ]
    short = "<p>Zuschüsse für Gründungen größerer Vorhaben</p>".encode("cp1252")
    body, notes = clean_body(short, "utf-8")
    assert body.body.decode("utf-8") == "<p>Zuschüsse für Gründungen größerer Vorhaben</p>"
    assert notes[0].endswith("read as cp1252 (detected from its bytes)")
    assert clean_body("Förderung".encode(), "utf-8") == (type(body)("Förderung".encode(), "utf-8"), [])
