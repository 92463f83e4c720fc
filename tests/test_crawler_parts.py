"""The crawler's pure parts: dates, selectors, feed entries, normalising, blocked pages and health."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Request

from crawler import parsing
from crawler.generic import FeedSpider, HtmlSpider
from crawler.health import assess, unhealthy_sources, usual_items, yield_lines
from crawler.pipelines import normalise_call, problem
from crawler.spiders import SPIDERS, CrawlError, SourceSpider, spider_class
from foerderradar.configuration import CrawlSettings, Source
from foerderradar.models import Call
from foerderradar.store import SourceYield

SITE = Path(__file__).parent / "fixtures" / "crawler" / "site"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stand: 14.11.2025", "2025-11-14"),
        ("Veröffentlicht am 3. Februar 2026", "2026-02-03"),
        ("Di, 02 Dez 2025 10:00:00 +0100", "2025-12-02"),
        ("Thu, 05 Feb 2026 08:00:00 GMT", "2026-02-05"),
        ("Published 10 March 2026", "2026-03-10"),
        ("March 10, 2026", "2026-03-10"),
        ("2026-01-12T09:30:00+01:00", "2026-01-12"),
        ("31.02.2026", None),
        ("bald", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: str | None) -> None:
    assert parsing.parse_date(text) == expected


def test_selectors_accept_css_and_xpath() -> None:
    page = Selector(
        text='<div><a class="x" href="/a">A</a><a class="x" href="/b"> B </a><p>Hi <b>you</b></p></div>'
    )
    assert parsing.links(page, "a.x") == ["/a", "/b"]
    assert parsing.links(page, "a.x::attr(href)") == ["/a", "/b"]
    assert parsing.links(page, "//a[@class='x']/@href") == ["/a", "/b"]
    assert parsing.links(page, "(//a)[2]") == ["/b"]
    assert parsing.texts(page, "p") == ["Hi you"]
    assert parsing.first_text(page, "//a[2]") == "B"


def test_spider_registry_has_the_generic_kinds_and_names_unknown_ones() -> None:
    assert spider_class("feed") is FeedSpider and spider_class("html") is HtmlSpider
    assert all(issubclass(cls, SourceSpider) for cls in SPIDERS.values())
    with pytest.raises(CrawlError, match="no spider for source kind 'gopher'"):
        spider_class("gopher")


def feed_source(**extra: object) -> Source:
    return Source(id="feed", name="Feed", kind="feed", url="https://example.org/feed.rss", **extra)


def test_feed_entries_keep_stable_ids_across_hosts() -> None:
    body = (SITE / "bmx" / "bekanntmachungen.rss").read_bytes()
    spider = FeedSpider(source=feed_source())
    ids = []
    for host in ("http://127.0.0.1:8001", "http://127.0.0.1:9002"):
        response = HtmlResponse(url=f"{host}/bmx/feed.rss", body=body, request=Request(f"{host}/x"))
        ids.append([c.id for c in spider.parse(response)])
    # the permalink guid and the non-URL guid keep their id when the feed moves; a bare link does not
    assert ids[0][:2] == ids[1][:2] and ids[0][2] != ids[1][2]
    assert ids[0][1] == "feed:bmx-2026-017"


def test_normalise_and_validate() -> None:
    call = Call(
        id="s:1", source_id="s", url=" https://e.org/1 ", title="  Ein \n Titel ", text="a\n\n\n b  c"
    )
    clean = normalise_call(call)
    assert (clean.url, clean.title, clean.text) == ("https://e.org/1", "Ein Titel", "a\n\nb c")
    assert problem(clean) is None
    assert problem(normalise_call(Call(id="s:2", source_id="s", url="https://e.org/2", title=" ", text="x")))
    assert "URL" in (problem(Call(id="s:3", source_id="s", url="ftp://e.org", title="T", text="x")) or "")


def test_bot_protection_page_is_recognised() -> None:
    spider = HtmlSpider(
        source=Source(id="p", name="P", kind="html", url="https://e.org/", selectors={"item": "a"})
    )
    captcha = HtmlResponse(url="https://e.org/", body=(SITE / "captcha.html").read_bytes())
    normal = HtmlResponse(url="https://e.org/", body=(SITE / "portal" / "suche.html").read_bytes())
    assert "captcha" in (spider.is_blocked(captcha) or "").lower()
    assert spider.is_blocked(normal) is None
    assert spider.is_blocked(HtmlResponse(url="https://e.org/", status=429, body=b"slow down"))


def test_pdf_text_is_extracted_and_limited() -> None:
    body = (SITE / "docs" / "richtlinie-ki-transfer.pdf").read_bytes()
    assert "30.06.2027" in parsing.pdf_text(body, 10_000)
    assert len(parsing.pdf_text(body, 20)) == 20
    with pytest.raises(ValueError, match="not a PDF"):
        parsing.pdf_text(b"<html>", 100)


def run(items: int, errors: int = 0, blocked: int = 0) -> dict:
    return {"items": items, "errors": errors, "blocked": blocked, "error_messages": "[]", "finished": "t"}


CRAWL = CrawlSettings(unhealthy_after=2, low_yield_ratio=0.5)


@pytest.mark.parametrize(
    ("runs", "state"),
    [
        ([], "never run"),
        ([run(10), run(11)], "ok"),
        ([run(10), run(10), run(0, errors=1)], "warning"),
        ([run(10), run(10), run(0, errors=1), run(0, errors=2)], "unhealthy"),
        ([run(10), run(10), run(3), run(2)], "unhealthy"),  # far fewer than usual, twice
        ([run(10), run(10), run(3), run(9)], "ok"),
        ([run(10), run(0, blocked=1)], "blocked"),  # blocked at once, never "no new calls"
        ([run(0), run(0)], "unhealthy"),  # an unverified source that never yields
    ],
)
def test_health_states(runs: list[dict], state: str) -> None:
    assert assess("s", runs, CRAWL).state == state


def test_usual_yield_ignores_blocked_and_empty_runs() -> None:
    assert usual_items([run(10), run(0, blocked=1), run(0), run(12), run(14)]) == 12
    assert usual_items([run(0)]) is None


def test_unhealthy_sources_for_the_admin_notice() -> None:
    runs = {"good": [run(5), run(5)], "bad": [run(5), run(0, errors=1), run(0, errors=1)]}
    found = unhealthy_sources(runs, CRAWL)
    assert [(h.source_id, h.state) for h in found] == [("bad", "unhealthy")]
    assert "usually 5" not in found[0].reason and "errors" in found[0].reason
    assert found[0].advice


def test_scrapy_settings_come_from_the_config(config) -> None:
    from crawler.settings import cache_dir, process_settings, source_settings

    settings = process_settings(config)
    crawl = config.settings.crawl
    assert settings["ROBOTSTXT_OBEY"] is True and settings["USER_AGENT"] == config.settings.user_agent
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == crawl.concurrent_requests_per_domain
    assert settings["DOWNLOAD_TIMEOUT"] == crawl.timeout
    assert settings["DOWNLOAD_MAXSIZE"] == crawl.max_response_bytes
    assert settings["RETRY_TIMES"] == crawl.retries and 429 not in settings["RETRY_HTTP_CODES"]
    assert settings["HTTPCACHE_DIR"] == str(cache_dir(config))
    assert cache_dir(config).parent == config.database_path.parent
    slow = Source(id="slow", name="S", kind="feed", url="https://e.org/f.rss", delay=30)
    assert source_settings(config, slow)["DOWNLOAD_DELAY"] == 30
    fast = Source(id="fast", name="F", kind="feed", url="https://e.org/f.rss", delay=0)
    assert source_settings(config, fast)["DOWNLOAD_DELAY"] == crawl.download_delay  # never below


def test_failures_are_described_in_one_line() -> None:
    from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError
    from twisted.python.failure import Failure

    from crawler.spiders import describe_failure

    def described(exc: Exception) -> str:
        try:
            raise exc
        except Exception:
            return describe_failure(Failure(), 30)

    assert described(DownloadTimeoutError("slow")) == "timeout (no answer within 30 s)"
    assert described(CannotResolveHostError("www.gone.example")).startswith("host not found")
    assert described(DownloadConnectionRefusedError("no")).startswith("connection refused")
    assert described(ValueError("odd")) == "ValueError: odd"


def test_atom_entries_become_calls() -> None:
    body = (SITE / "bmx" / "aufrufe.atom").read_bytes()
    response = HtmlResponse(url="https://www.land.example/aufrufe.atom", body=body)
    (call,) = FeedSpider(source=feed_source()).parse(response)
    assert call.title == "KI-Innovationsgutscheine 2026"
    assert call.url == "https://www.land.example/foerderung/ki-gutscheine"
    assert call.published == "2026-02-27" and call.funder == "Landesministerium für Digitales"
    assert call.text.split() == "Zuschüsse für KMU bis 20.000 Euro. Anträge bis 30.06.2026".split()
    assert call.id == "feed:tag:land.example,2026:aufruf-41"


def test_detail_pages_without_date_selector_use_page_metadata() -> None:
    source = Source(
        id="p", name="P", kind="html", url="https://e.org/", selectors={"item": "a", "text": "main"}
    )
    body = (
        '<html lang="en"><head><meta property="article:published_time" content="2026-04-02T09:00:00Z">'
        "</head><body><h1>Call</h1><main>Apply by 1 June 2027.</main></body></html>"
    )
    response = HtmlResponse(url="https://e.org/c", body=body.encode(), encoding="utf-8")
    call = HtmlSpider(source=source).detail_call(response)
    assert call is not None and (call.published, call.language) == ("2026-04-02", "en")
    german = Source(
        id="d", name="D", kind="html", url="https://e.org/", selectors={"item": "a"}, language="de"
    )
    assert HtmlSpider(source=german).detail_call(response).language == "de"  # the admin's word wins


def test_sources_are_grouped_by_site() -> None:
    from crawler.run import by_site

    def source(source_id: str, url: str) -> Source:
        return Source(id=source_id, name=source_id, kind="feed", url=url)

    sources = [
        source("fdb", "https://www.foerderdatenbank.de/liste.html"),
        source("eu", "https://api.tech.ec.europa.eu/search"),
        source("fdb-export", "https://foerderdatenbank.de/FDB/WS/export"),
    ]
    assert [[s.id for s in group] for group in by_site(sources)] == [["fdb", "fdb-export"], ["eu"]]


def test_status_yield_lines_show_shares_an_example_and_warn_on_short_texts() -> None:
    none = SourceYield(
        "s", calls=0, titled=0, texted=0, example_title=None, example_url=None, example_chars=None
    )
    assert yield_lines(None) == [] and yield_lines(none) == []
    found = SourceYield(
        "s",
        calls=4,
        titled=4,
        texted=1,
        example_title="Gründungszuschuss",
        example_url="https://www.bank.example/p/1",
        example_chars=119,
    )
    lines = yield_lines(found)
    assert lines[0] == "    calls stored 4: 100 % with a title, 25 % with a text of 200+ characters"
    assert lines[1] == "    example: Gründungszuschuss (119 characters) https://www.bank.example/p/1"
    assert "most texts are short" in lines[2] and "source probe" in lines[2]
    assert len(yield_lines(replace(found, texted=4))) == 2
