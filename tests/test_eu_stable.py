"""EU cascade calls keep their ids across processes, and a date passing changes no stored call."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sources_spiders import EU, FIXTURES, stored, write_config

from crawler import eu_sedia
from crawler.eu_sedia import search_request
from crawler.run import crawl
from foerderradar.configuration import SediaOptions, load_config
from foerderradar.demo.server import SampleSite
from foerderradar.store import Store

CASCADE = FIXTURES / "eu" / "cascade-without-numbers.json"


def cascade_site(site: SampleSite) -> None:
    url = search_request(SediaOptions(page_size=8), 1, endpoint=site.base_url + "/eu/search").url
    site.overrides[url.removeprefix(site.base_url)] = (200, CASCADE.read_bytes())


def test_cascade_ids_are_the_same_in_two_crawl_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each crawl runs in its own child process; different hash seeds make hash() differ there."""
    with SampleSite(root=FIXTURES / "eu") as site:
        cascade_site(site)
        folder = write_config(tmp_path / "config", site.base_url, [EU], retries=1)  # see the EU spider test
        monkeypatch.setenv("PYTHONHASHSEED", "1")
        (first,) = crawl(load_config(folder), "r1", None)
        ids_first = sorted(c["id"] for c in stored(folder))
        monkeypatch.setenv("PYTHONHASHSEED", "2")
        (second,) = crawl(load_config(folder), "r2", None)
    assert first["errors"] == 0 and first["new"] == 2, first["error_messages"]
    assert second["new"] == 0 and second["changed"] == 0 and second["unchanged"] == 2
    assert sorted(c["id"] for c in stored(folder)) == ids_first
    assert stored(folder, "SELECT * FROM call_versions") == []
    externals = {c["external_id"] for c in stored(folder)}
    assert len(externals) == 2 and all(
        e.startswith("DIGITAL-2025-ROBOTICS-02-CASCADE/cascade-") for e in externals
    )


def test_the_url_digest_is_content_stable():
    url = "https://ec.europa.eu/x/competitive-calls-cs/robotest-open-call-a"
    assert eu_sedia.url_digest(url) == eu_sedia.url_digest(url + " ") == "2774b5975d24"  # sha256, not hash()
    assert len(eu_sedia.url_digest(url)) == 12 and eu_sedia.url_digest(url) != eu_sedia.url_digest(url + "b")


def test_a_deadline_passing_changes_no_stored_call(tmp_path: Path):
    """Read before and after the first cut-off: the same call, stored unchanged, no new version."""
    store = Store(tmp_path / "calls.db")
    try:
        store.sync_sources(load_config(write_config(tmp_path / "c", "https://e.org", [EU])).sources)
        before = eu_sedia.parse_search(CASCADE.read_bytes(), "u", "eu-ft", SediaOptions()).calls
        assert [store.save_call(c, seen_at="2026-12-01T08:00:00Z") for c in before] == ["new", "new"]
        after = eu_sedia.parse_search(CASCADE.read_bytes(), "u", "eu-ft", SediaOptions()).calls
        assert after == before  # nothing in a call depends on the day it is read
        saved = [store.save_call(c, seen_at="2026-12-16T08:00:00Z") for c in after]
        assert saved == ["unchanged", "unchanged"]
        assert all("Status" not in c.fields for c in after)
    finally:
        store.close()
