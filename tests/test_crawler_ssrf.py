"""Crawls refuse private, loopback, link-local and metadata addresses unless the source allows them.

Real crawls against two loopback servers: a "public" site whose feed links into an "internal" one.
Addresses outside loopback (10.0.0.1, 169.254.169.254) are IP literals refused before any
connection is attempted, so no test traffic leaves the machine.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_crawler import write_config

from crawler.addresses import AddressPolicy, kind_of
from foerderradar.cli import cli
from foerderradar.configuration import ConfigError, load_config
from foerderradar.demo.server import SampleSite
from foerderradar.store import Store

SECRET = "Vertrauliche Zugangsdaten des internen Dienstes"


def feed(entries: list[tuple[str, str]]) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>Kurzfassung: Förderung für {title}.</description></item>"
        for title, link in entries
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def stored(folder: Path, sql: str) -> list[dict]:
    store = Store(load_config(folder).database_path)
    try:
        return store.rows(sql)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("169.254.3.4", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "non-public"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_non_public_addresses_are_named(address: str, kind: str) -> None:
    assert kind_of(ipaddress.ip_address(address)) == kind
    assert "refused" in (AddressPolicy.of(False).refusal(address, 80, [address]) or "")


def test_public_addresses_and_allowed_entries_pass() -> None:
    for public in ("93.184.216.34", "2a00:1450:4001:80b::200e", "172.32.0.1"):
        assert kind_of(ipaddress.ip_address(public)) is None
    policy = AddressPolicy.of(["intranet.example:8080", "10.1.0.0/16", "127.0.0.1:5000"])
    assert policy.refusal("intranet.example", 8080, ["10.9.9.9"]) is None
    assert policy.refusal("intranet.example", 8081, ["10.9.9.9"])  # another port of that host
    assert policy.refusal("db.intern", 80, ["10.1.200.3"]) is None  # inside the allowed network
    assert policy.refusal("localhost", 5000, ["127.0.0.1"]) is None  # the allowed address, by name
    assert policy.refusal("localhost", 5001, ["127.0.0.1"])
    # one bad address is enough: a name resolving to a public and an internal address is refused
    assert AddressPolicy.of(False).refusal("mixed.example", 80, ["93.184.216.34", "10.0.0.5"])
    assert AddressPolicy.of(True).refusal("x", 80, ["169.254.169.254"]) is None


@pytest.mark.parametrize(
    "entry", ["http://intranet/x", "intranet.example:abc", "a b", "10.0.0.0/x", "10.0.0.0/99", ""]
)
def test_a_malformed_allow_private_entry_is_a_config_error(tmp_path: Path, entry: str) -> None:
    folder = write_config(
        tmp_path / "config",
        "http://127.0.0.1:9",
        [f'{{id: f, name: F, kind: feed, url: "{{base}}/f.rss", allow_private: ["{entry}"]}}'],
    )
    with pytest.raises(ConfigError, match="allow_private"):
        load_config(folder)


@pytest.mark.parametrize(
    "entry", ["intranet.example", "intranet.example:8080", "10.1.0.0/16", "[fd00::1]:80", "fd00::1"]
)
def test_well_formed_allow_private_entries_load_and_parse(tmp_path: Path, entry: str) -> None:
    folder = write_config(
        tmp_path / "config",
        "http://127.0.0.1:9",
        [f'{{id: f, name: F, kind: feed, url: "{{base}}/f.rss", allow_private: ["{entry}"]}}'],
    )
    (source,) = load_config(folder).sources
    assert AddressPolicy.of(source.allow_private).allowed  # the crawler reads it the same way


def test_a_source_without_allow_private_cannot_crawl_loopback(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "f.rss").write_text(feed([("Eins", "/eins.html")]), encoding="utf-8")
    with SampleSite(root=tmp_path / "site") as site:
        folder = write_config(
            tmp_path / "config",
            site.base_url,
            ['{id: f, name: F, kind: feed, url: "{base}/f.rss", allow_private: false}'],
        )
        result = CliRunner().invoke(cli, ["--config", str(folder), "crawl"])
    assert result.exit_code == 1, result.output
    assert "crawl FAILED: the one source crawled failed" in result.output
    assert site.log == []  # not even robots.txt was asked for
    (run,) = stored(folder, "SELECT * FROM crawl_runs")
    assert run["errors"] == 1 and run["items"] == 0 and run["status"] == "finished"
    assert run["requests"] == 0  # a refused request never went over the wire
    (message,) = json.loads(run["error_messages"])
    assert "refused: 127.0.0.1 is a loopback address" in message["message"]
    assert "allow_private" in message["message"]
    assert stored(folder, "SELECT * FROM calls") == []


def test_feed_links_to_internal_addresses_are_neither_fetched_nor_stored(tmp_path: Path) -> None:
    (tmp_path / "internal").mkdir()
    (tmp_path / "internal" / "secret.html").write_text(
        f"<html><body><main><p>{SECRET}.</p></main></body></html>", encoding="utf-8"
    )
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "ok.html").write_text(
        "<html><body><main><p>Ausführliche Beschreibung der offenen Förderung.</p></main></body></html>",
        encoding="utf-8",
    )
    with SampleSite(root=tmp_path / "internal") as internal, SampleSite(root=tmp_path / "site") as site:
        inside = internal.base_url.removeprefix("http://")
        port = inside.rsplit(":", 1)[1]
        entries = [
            ("Loopback", f"http://{inside}/secret.html"),
            ("Localhost", f"http://localhost:{port}/secret.html"),
            ("IPv6", f"http://[::1]:{port}/secret.html"),
            ("Metadaten", "http://169.254.169.254/latest/meta-data/"),
            ("Intranet", "http://10.0.0.1/intern.html"),
            ("Umleitung", f"{site.base_url}/weiter"),
            ("Offen", f"{site.base_url}/ok.html"),
        ]
        (tmp_path / "site" / "f.rss").write_text(feed(entries), encoding="utf-8")
        site.overrides["/weiter"] = (302, b"", {"Location": f"http://{inside}/secret.html?via=weiter"})
        allowed = site.base_url.removeprefix("http://")
        source = f'{{id: f, name: F, kind: feed, follow_links: true, url: "{{base}}/f.rss", allow_private: ["{allowed}"]}}'
        folder = write_config(tmp_path / "config", site.base_url, [source])
        result = CliRunner().invoke(cli, ["--config", str(folder), "crawl"])
    assert result.exit_code == 0, result.output
    assert internal.log == []  # nothing, not even robots.txt, reached the internal server
    assert "/weiter" in [e.path for e in site.log]  # the redirect was asked for; its target was not
    calls = {c["title"]: c for c in stored(folder, "SELECT * FROM calls")}
    assert len(calls) == 7  # each entry is kept with its own teaser …
    assert all(SECRET not in c["text"] for c in calls.values())  # … and no internal page's text
    assert "Ausführliche Beschreibung" in calls["Offen"]["text"]  # an allowed page is followed
    (run,) = stored(folder, "SELECT * FROM crawl_runs")
    refused = [m["message"] for m in json.loads(run["error_messages"]) if "refused" in m["message"]]
    assert len(refused) == 6, refused
    assert any("169.254.169.254 is a cloud metadata address" in m for m in refused)
    assert any("10.0.0.1 is a private address" in m for m in refused)
    assert any("localhost (" in m and "loopback" in m for m in refused)
    assert any("::1 is a loopback address" in m for m in refused)


def test_an_answer_from_an_internal_peer_is_refused_after_the_connect() -> None:
    """DNS rebinding: the name passed the check, the connection reached an internal address."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from crawler.guards import AddressGuard, PrivateAddress
    from crawler.spiders import spider_class
    from foerderradar.configuration import Source

    feed_spider = spider_class("feed")
    crawler = get_crawler(feed_spider)
    source = Source(id="f", name="F", kind="feed", url="https://calls.example/feed.rss")
    crawler.spider = feed_spider(source=source)
    guard = AddressGuard.from_crawler(crawler)
    request = Request("https://calls.example/page.html")
    public = HtmlResponse(
        request.url, body=b"<p>ok</p>", request=request, ip_address=ipaddress.ip_address("93.184.216.34")
    )
    assert guard.process_response(request, public) is public
    rebound = public.replace(ip_address=ipaddress.ip_address("10.0.0.7"))
    with pytest.raises(PrivateAddress, match=r"calls.example \(10.0.0.7\) is a private address"):
        guard.process_response(request, rebound)
