"""Cross-source duplicates: pure matching, the store's links, and a crawl of two sources of one call."""

from __future__ import annotations

from pathlib import Path

from crawler.links import Copy, find_links, link_duplicates, match, normalise, same_funder, text_dates
from foerderradar.models import Call, call_id_for
from foerderradar.store import CallCopy, Store


def copy(id_: str, source: str, title: str, seen: str = "2026-01-01", **kw) -> Copy:
    return Copy(id=id_, source_id=source, title=title, first_seen=seen, **kw)


def test_normalised_titles_ignore_case_umlauts_punctuation_and_filler():
    assert normalise("Richtlinie zur Förderung von KI-Transfer Plus!") == "ki transfer plus"
    assert normalise("Foerderung: KI Transfer-Plus") == "ki transfer plus"


def test_same_funder_by_name_or_acronym():
    assert same_funder("Bundesministerium für Wirtschaft und Energie (BMWE)", "BMWE")
    assert same_funder(
        "Bundesministerium für Wirtschaft und Energie (BMWE)", "bundesministerium fuer wirtschaft und energie"
    )
    assert not same_funder("Land Hessen", "NRW.BANK") and not same_funder(None, "BMWE")


def test_text_dates_reads_german_and_iso_dates():
    assert text_dates("Skizzen bis 1.3.2027, Deadline: 2027-09-15.") == {"2027-03-01", "2027-09-15"}


def test_match_rules():
    ministry = copy("a", "bmwe", "KI-Transfer Plus: Förderaufruf für KMU", funder="BMWE")
    fdb = copy(
        "b",
        "fdb-export",
        "KI-Transfer Plus Förderaufruf für KMU",
        funder="Bundesministerium für Wirtschaft und Energie (BMWE)",
    )
    assert match(ministry, fdb)[1] == "same title"
    similar = copy(
        "c",
        "fdb-export",
        "KI-Transfer Plus für kleine und mittlere Unternehmen",
        funder="Bundesministerium für Wirtschaft und Energie (BMWE)",
    )
    near = copy("d", "bmwe", "KI-Transfer Plus für kleine Unternehmen", funder="BMWE")
    assert match(near, similar)[1] == "similar title, same funder"
    dated = copy("e", "bmwe", "KI-Transfer Plus für kleine Unternehmen", dates=frozenset({"2027-03-31"}))
    assert (
        match(dated, copy("f", "x", similar.title, dates=frozenset({"2027-03-31"})))[1]
        == "similar title, same date"
    )
    assert match(dated, copy("g", "x", similar.title)) is None  # similar alone is not enough
    assert match(ministry, copy("h", "bmwe", ministry.title)) is None  # same source: two calls
    assert (
        match(copy("i", "fdb", "A", external_id="P/x"), copy("j", "fdb-export", "B", external_id="P/x"))[1]
        == "same programme id"
    )
    assert match(ministry, copy("k", "eu", "Quantum sensing pilot lines")) is None


def test_every_copy_links_to_the_first_seen():
    links = find_links(
        [
            copy("fdb:x", "fdb", "Datenräume für den Mittelstand", seen="2026-03-01", external_id="P/d"),
            copy(
                "exp:x", "fdb-export", "Datenräume für den Mittelstand", seen="2026-02-01", external_id="P/d"
            ),
            copy(
                "nrw:x",
                "nrw",
                "Datenräume für den Mittelstand in NRW",
                seen="2026-04-01",
                funder="NRW.BANK (NRW)",
            ),
            copy("eu:y", "eu", "Common European data spaces for manufacturing", seen="2026-01-01"),
        ]
    )
    assert {(x.call_id, x.canonical_id) for x in links} == {("fdb:x", "exp:x"), ("nrw:x", "exp:x")}


def save(store: Store, source: str, title: str, seen: str, url: str) -> str:
    call = Call(id=call_id_for(source, url), source_id=source, url=url, title=title, text="Frist: 31.03.2027")
    store.save_call(call, seen_at=seen)
    return call.id


def test_store_links_keep_where_and_when_each_copy_was_first_seen(tmp_path: Path):
    store = Store(tmp_path / "links.db")
    try:

        class Src:
            def __init__(self, id_: str) -> None:
                self.id, self.name, self.kind, self.url, self.enabled = id_, id_, "feed", "https://x/", True

            def model_dump_json(self) -> str:
                return "{}"

        store.sync_sources([Src("bmwe"), Src("fdb-export")])
        first = save(
            store, "fdb-export", "KI-Transfer Plus für KMU", "2026-01-10T06:00:00+00:00", "https://fdb/ki"
        )
        later = save(
            store, "bmwe", "KI-Transfer Plus für KMU", "2026-02-03T06:00:00+00:00", "https://bmwe/ki"
        )
        other = save(
            store, "bmwe", "Quantencomputing in der Praxis", "2026-02-03T06:00:00+00:00", "https://bmwe/q"
        )
        links = link_duplicates(store)
        assert [(x.call_id, x.canonical_id) for x in links] == [(later, first)]
        assert store.call(later)["canonical_id"] == first and store.call(first)["canonical_id"] is None
        copies = store.call_copies(later)
        assert [(c.source_id, c.url, c.first_seen) for c in copies] == [
            ("fdb-export", "https://fdb/ki", "2026-01-10T06:00:00+00:00"),
            ("bmwe", "https://bmwe/ki", "2026-02-03T06:00:00+00:00"),
        ]
        assert store.call_copies(other) == [
            CallCopy(canonical_id=other, id=other, source_id="bmwe", url="https://bmwe/q",
                     first_seen="2026-02-03T06:00:00+00:00", reason=None, score=None)
        ]  # fmt: skip
        link_duplicates(store)  # recomputing is idempotent
        assert store.rows("SELECT count(*) AS n FROM call_links")[0]["n"] == 1
    finally:
        store.close()
