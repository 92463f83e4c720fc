"""The bundled sample site (demo/site) is well-formed, matches demo/config and its truth file."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import urllib.robotparser
from datetime import date
from pathlib import Path

import feedparser
import lxml.html
import pytest
from parsel import Selector

from foerderradar.configuration import load_config
from foerderradar.demo.server import SITE_DIR, SampleSite, write_demo_config

ROOT = Path(__file__).resolve().parents[1]
TRUTH = json.loads((ROOT / "tests/fixtures/sample_site_truth.json").read_text(encoding="utf-8"))
FEED = SITE_DIR / "bmftr/bekanntmachungen.rss"
DETAILS = sorted((SITE_DIR / "fdb/programm").glob("*.html"))
KINDS = {"single", "skizze", "antrag", "stichtag", "other"}
FEED_PREFIX = "https://www.bmftr.example/SharedDocs/Bekanntmachungen/DE/2026/"
FDB_PREFIX = "https://www.foerderdatenbank.example/FDB/Content/DE/Foerderprogramm/"


@pytest.fixture(scope="module")
def selectors(tmp_path_factory):
    """The html source's selectors, read through the real config loader."""
    config = load_config(write_demo_config(tmp_path_factory.mktemp("demo"), "http://127.0.0.1:9"))
    html_sources = [s for s in config.sources if s.kind == "html"]
    assert len(html_sources) == 1
    return html_sources[0].selectors


def string_of(sel: Selector, css: str) -> str:
    """String value of the first match (what a person sees), whitespace collapsed."""
    found = sel.css(css)
    return " ".join(found[0].xpath("string()").get().split()) if found else ""


def feed_entries() -> list:
    return feedparser.parse(FEED.read_bytes()).entries


def html_text(markup: str) -> str:
    return " ".join(lxml.html.fragment_fromstring(markup, create_parent="div").text_content().split())


def call_texts() -> dict[str, str]:
    """Stable URL → plain text of the call, as a crawler would read it."""
    texts = {e.link: html_text(e.description) for e in feed_entries()}
    for page in DETAILS:
        sel = Selector(text=page.read_text(encoding="utf-8"))
        texts[sel.css("link[rel=canonical]::attr(href)").get()] = string_of(sel, "div.rich--text")
    return texts


def test_feed_is_well_formed_rss_with_full_texts():
    parsed = feedparser.parse(FEED.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert len(parsed.entries) == 14
    for entry in parsed.entries:
        assert entry.link.startswith(FEED_PREFIX)
        assert entry.id == entry.link and entry.guidislink is False
        assert entry.title and len(html_text(entry.description)) >= 800
    # Deliberate: two items carry a German pubDate ("Mi, 04 Nov 2026 …") that feedparser
    # cannot parse; the feed stays well-formed, only published_parsed is missing.
    unparsed = [e.published for e in parsed.entries if e.get("published_parsed") is None]
    assert sorted(unparsed) == ["Fr, 13 Nov 2026 14:30:00 +0100", "Mi, 04 Nov 2026 10:00:00 +0100"]


def test_list_pages_give_eight_cards_each_and_one_forward_link(selectors):
    page1 = Selector(text=(SITE_DIR / "fdb/suche.html").read_text(encoding="utf-8"))
    page2 = Selector(text=(SITE_DIR / "fdb/suche--page=2.html").read_text(encoding="utf-8"))
    links1, links2 = page1.css(selectors.item).getall(), page2.css(selectors.item).getall()
    assert len(links1) == len(links2) == 8
    assert page1.css(selectors.next_page).getall() == ["suche.html?page=2"]
    assert page2.css(selectors.next_page).getall() == []
    assert len(page1.css("div.card.card--horizontal.card--fundingprogram")) == 8
    assert all(not link.startswith(("/", "http")) for link in links1 + links2)
    targets = {(SITE_DIR / "fdb" / link).resolve() for link in links1 + links2}
    assert targets == {p.resolve() for p in DETAILS}
    for card in page1.css("div.card--fundingprogram") + page2.css("div.card--fundingprogram"):
        detail = Selector(text=(SITE_DIR / "fdb" / card.css("a::attr(href)").get()).read_text("utf-8"))
        assert string_of(card, "span.link--label") == string_of(detail, selectors.title)


@pytest.mark.parametrize("page", DETAILS, ids=lambda p: p.stem)
def test_detail_page_parses_and_selectors_find_title_text_funder(page, selectors):
    markup = page.read_text(encoding="utf-8")
    lxml.html.document_fromstring(markup)  # raises on markup lxml cannot read
    sel = Selector(text=markup)
    title = string_of(sel, selectors.title)
    assert title
    assert len(string_of(sel, selectors.text)) >= 800
    assert string_of(sel, selectors.funder)
    assert sel.css("link[rel=canonical]::attr(href)").get().startswith(FDB_PREFIX)
    labels = [
        " ".join(t.split()) for t in sel.css("dl.document-info-fundingprogram dt").xpath("string()").getall()
    ]
    assert {"Förderart:", "Foerderart:"} & set(labels)


def test_one_detail_page_uses_ascii_labels_and_one_an_inner_funder_span():
    ascii_pages = [p for p in DETAILS if "Foerderart:" in p.read_text(encoding="utf-8")]
    assert len(ascii_pages) == 1
    inner = [p for p in DETAILS if re.search(r'link--label">\s*<span>', p.read_text(encoding="utf-8"))]
    assert len(inner) == 1


def test_truth_lists_exactly_the_thirty_calls_once():
    calls = TRUTH["calls"]
    urls = [c["url"] for c in calls]
    assert len(calls) == 30 and len(set(urls)) == 30
    assert set(urls) == set(call_texts())
    assert sum(c["language"] == "en" for c in calls) == 10
    assert 14 <= sum(c["relevant"] for c in calls) <= 18
    titles = {e.link: e.title for e in feed_entries()}
    for call in calls:
        if call["url"] in titles:
            assert call["title"] == titles[call["url"]]


def test_truth_deadlines_are_well_formed_and_stated_in_the_text():
    texts = call_texts()
    today = date.fromisoformat(TRUTH["reference_date"])
    for call in TRUTH["calls"]:
        text = texts[call["url"]]
        assert 800 <= len(text) <= 2500, (call["id"], len(text))
        for deadline in call["deadlines"]:
            assert deadline["kind"] in KINDS
            assert " ".join(deadline["raw"].split()) in text, (call["id"], deadline["raw"])
            date.fromisoformat(deadline["date"])
        upcoming = sorted(d["date"] for d in call["deadlines"] if d["date"] >= today.isoformat())
        assert call["next_deadline"] == (upcoming[0] if upcoming else None), call["id"]
        assert call["status"] in {"open", "closed", "unknown"}


def test_sample_covers_the_deadline_shapes_and_traps_of_the_spec():
    corpus = "\n".join(call_texts().values())
    for shape in (
        "31.03.2027", "1.12.2026", "15. April 2027", "bis zum 15. April ", "Montag, den 10. Mai 2027",
        "bis zum 30. Juni 2027", "Frist: 29.07.2026/12 Uhr", "29. Januar 2027, 13:00 Uhr",
        "17:00:00 Brussels time", "Thursday 11 February 2027 2:00pm CET", "September 23, 2026",
        "12th of May 2027", "13/05/2026 at 17:00", "2026-12-03", "2027/01/13", "March 13th",
        "— Stage 1 deadline", "Stichtage: 15.04.2026, 15.10.2026, 15.04.2027", "jederzeit", "laufend",
        "Vom 13. Februar 2026", "BAnz AT", "Laufzeit bis 2029", "Die Richtlinie gilt bis zum 31. Dezember 2028",
        "Webinar am 3. Dezember 2026", "verschoben vom 20. November 2026 auf den 4. Dezember 2026",
        "Opening date", "Angebotsfrist", "Antragsstopp",
    ):  # fmt: skip
        assert shape in corpus, shape
    today = TRUTH["reference_date"]
    relevant = [c for c in TRUTH["calls"] if c["relevant"]]
    soon = [c for c in relevant if c["next_deadline"] and c["next_deadline"] <= "2026-12-07"]
    past = [c for c in relevant if c["deadlines"] and not c["next_deadline"]]
    assert len(soon) >= 3 and len(past) >= 2 and today == "2026-11-23"


def test_robots_txt_allows_everything():
    robots = urllib.robotparser.RobotFileParser()
    robots.parse((SITE_DIR / "robots.txt").read_text(encoding="utf-8").splitlines())
    assert robots.can_fetch("Foerderradar-Demo/0.1", "/fdb/programm/zim-technologieoffen.html")


def fetch(url: str, etag: str | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:  # urllib raises for 304
        return error.code, b"", dict(error.headers)


@pytest.mark.parametrize("path", ["/bmftr/bekanntmachungen.rss", "/fdb/suche.html?page=2"])
def test_server_answers_200_then_304_with_etag(path):
    with SampleSite() as site:
        status, body, headers = fetch(site.base_url + path)
        assert status == 200 and headers["ETag"]
        assert fetch(site.base_url + path, etag=headers["ETag"])[0] == 304
    if "page=2" in path:
        assert body == (SITE_DIR / "fdb/suche--page=2.html").read_bytes()
    else:
        assert headers["Content-Type"].startswith("application/rss+xml")
