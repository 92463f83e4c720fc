"""Alerts: selection, rendering and the digest run (outbox transport) against a tmp Store.

Test data are invented calls written straight into the store (tests/fixtures/alerts/calls.json).
The SMTP path is in test_alerts_smtp.py, the browser layout check in test_alerts_browser.py.
"""

from __future__ import annotations

import json
from datetime import UTC, date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from foerderradar.configuration import Source
from foerderradar.models import Call, CallFacts, Classification, Deadline, Evidence
from foerderradar.store import Delivery, Store

FIXTURES = Path(__file__).parent / "fixtures" / "alerts"
DAY = date(2026, 11, 23)  # a Monday, ISO week 48
SOURCES = {"bmftr": "BMFTR Bekanntmachungen", "fdb": "Förderdatenbank", "eu": "EU Funding & Tenders"}


def sample_calls() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "calls.json").read_text(encoding="utf-8"))["calls"]


def add_sources(store: Store) -> None:
    store.sync_sources(
        Source(id=key, name=name, kind="feed", url=f"https://{key}.example.org/feed")
        for key, name in SOURCES.items()
    )


def add_call(store: Store, spec: dict[str, Any], seen_at: str = "2026-11-20T06:00:00+00:00") -> Call:
    """Write one call, its classification and (optionally) a review decision into the store."""
    call = Call(
        id=spec["id"],
        source_id=spec["source_id"],
        url=spec["url"],
        title=spec["title"],
        text=spec.get("text", spec["title"] + ". Förderaufruf."),
        funder=spec.get("funder"),
        fields=spec.get("fields", {}),
    )
    store.save_call(call, seen_at=seen_at)
    deadlines = tuple(Deadline(**d) for d in spec.get("deadlines", []))
    dated = sorted(d.date for d in deadlines if d.date and d.date >= "2026-11-20")
    result = Classification(
        call_id=call.id,
        language=spec.get("language", "de"),
        relevant=spec["relevant"],
        score=spec["score"],
        topics=tuple(spec.get("topics", [])),
        deadlines=deadlines,
        rolling=spec.get("rolling", False),
        next_deadline=dated[0] if dated else None,
        status=spec.get("status", "open"),
        evidence=tuple(Evidence(**e) for e in spec.get("evidence", [])),
        facts=CallFacts.from_stored(spec.get("facts")),
    )
    store.save_classification(result, call.content_hash(), spec.get("flag_reasons", []))
    if spec.get("decision"):
        store.save_reviews(
            [{"call_id": call.id, "decision": spec["decision"], "reason": None, "by": "test", "at": seen_at}]
        )
    return call


def load_sample(store: Store, extra: list[dict[str, Any]] = ()) -> None:
    add_sources(store)
    for spec in [*sample_calls(), *extra]:
        add_call(store, spec)


def parse(data: bytes | str) -> EmailMessage:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return message_from_bytes(raw, policy=default)  # type: ignore[return-value]


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def now():
    from datetime import datetime

    return datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def with_lists(config, **changes):
    """The config with every mailing list changed (e.g. frequency='immediate')."""
    import dataclasses

    lists = tuple(m.model_copy(update=changes) for m in config.lists)
    return dataclasses.replace(config, lists=lists)


def run(store, config, day=DAY, **kwargs):
    import alerts

    return alerts.send_digests(store, config, list(config.lists), day, **kwargs)


def outbox_messages(config) -> dict[str, EmailMessage]:
    return {p.stem: parse(p.read_bytes()) for p in sorted(config.outbox_path.glob("*.eml"))}


def calendar_events(message: EmailMessage) -> list[Any]:
    from icalendar import Calendar

    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "PUBLISH"
    cal = Calendar.from_ical(part.get_content())
    assert str(cal["METHOD"]) == "PUBLISH"
    return list(cal.walk("VEVENT"))


# --- selection (pure) ----------------------------------------------------------------------


def test_selection_rule_relevant_on_topic_accepted_never_rejected_or_closed(store, config):
    from alerts.select import ledgers, parse_rows, select_digest

    load_sample(store)
    calls = parse_rows(store.alert_rows())
    everyone, research = config.mailing_list("ki-netzwerk"), config.mailing_list("forschung")
    chosen = set(select_digest(calls, {}, everyone, DAY).call_ids)
    assert chosen == {
        "bmftr:ki-kmu",
        "fdb:datenraeume",
        "eu:horizon-cl4-ai-health",
        "fdb:digital-jetzt",
        "fdb:accepted-low",
    }  # not: irrelevant, rejected, closed
    # forschung: topics ki/daten and min_score 0.6 — the rolling 'digital' call stays out
    assert "fdb:digital-jetzt" not in select_digest(calls, {}, research, DAY).call_ids
    # never twice: what the ledger holds is not selected again
    ledger = ledgers([Delivery(c, "new", "", None, None, "t") for c in chosen])
    again = select_digest(calls, ledger, everyone, DAY)
    assert not again.new and not again.updated
    # ... except reminders of deadlines closing soon, each once
    assert {i["item_key"] for i in again.items} == {"skizze:2026-12-01", "stichtag:2026-12-03"}
    ledger = ledgers(
        [Delivery(i["call_id"], i["kind"], i["item_key"], None, None, "t") for i in again.items]
        + [Delivery(c, "new", "", None, None, "t") for c in chosen]
    )
    assert select_digest(calls, ledger, everyone, DAY).empty


def test_sections_are_sorted_by_next_deadline(store, config):
    from alerts.select import parse_rows, select_digest

    load_sample(store)
    plan = select_digest(parse_rows(store.alert_rows()), {}, config.mailing_list("ki-netzwerk"), DAY)
    assert [e.call.id for e in plan.new] == [
        "bmftr:ki-kmu",
        "eu:horizon-cl4-ai-health",
        "fdb:datenraeume",
        "fdb:accepted-low",
        "fdb:digital-jetzt",
    ]
    assert plan.soon_count == 2  # the Skizze on 01.12. and the EU cut-off on 03.12.


def test_profile_filters_regions_funders_reviewed_only(store, config):
    from alerts.select import parse_rows, select_digest
    from foerderradar.configuration import IncludeExclude

    load_sample(store)
    calls = parse_rows(store.alert_rows())
    base = config.mailing_list("ki-netzwerk")
    bavaria = base.model_copy(update={"regions": IncludeExclude(include=["Bayern"])})
    ids = set(select_digest(calls, {}, bavaria, DAY).call_ids)
    assert "fdb:digital-jetzt" not in ids  # Berlin only
    assert {"fdb:datenraeume", "bmftr:ki-kmu", "eu:horizon-cl4-ai-health"} <= ids  # Bayern, bundesweit, none
    no_eu = base.model_copy(update={"funders": IncludeExclude(exclude=["European Commission"])})
    assert "eu:horizon-cl4-ai-health" not in select_digest(calls, {}, no_eu, DAY).call_ids
    reviewed = base.model_copy(update={"reviewed_only": True})
    assert select_digest(calls, {}, reviewed, DAY).call_ids == ["fdb:accepted-low"]


def test_frequency_weekly_daily_immediate(config):
    from alerts.select import is_due

    weekly = config.mailing_list("ki-netzwerk")  # weekly on Monday
    monday, thursday = date(2026, 11, 23), date(2026, 11, 26)
    assert is_due(weekly, thursday, None)  # first digest ever: do not wait
    assert not is_due(weekly, thursday, monday)
    assert is_due(weekly, date(2026, 11, 30), monday)
    assert is_due(weekly, date(2026, 12, 1), monday)  # Monday's run was missed: catch up
    friday = weekly.model_copy(update={"weekday": "fri"})
    assert not is_due(friday, thursday, date(2026, 11, 20))
    assert is_due(friday, date(2026, 11, 27), date(2026, 11, 20))
    daily = weekly.model_copy(update={"frequency": "daily"})
    assert not is_due(daily, monday, monday) and is_due(daily, date(2026, 11, 24), monday)
    assert is_due(weekly.model_copy(update={"frequency": "immediate"}), monday, monday)


# --- the digest as mail (outbox transport) ---------------------------------------------------


def test_digest_written_to_outbox_as_parsed_mime(store, config, now):
    load_sample(store)
    report = run(store, config, now=now)
    assert len(report.sent) == 2 and not report.failed
    assert {p.suffix for p in report.files} == {".eml", ".html"}
    messages = outbox_messages(config)
    assert len(messages) == 2
    msg = messages[report.sent[0].digest_id]
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename().endswith(".ics")
    assert msg["Subject"] == "Förderradar KW 48: 5 neue Aufrufe, 2 Fristen in 14 Tagen"
    assert msg["To"] == "ki-netzwerk@lists.example.org"
    assert msg["List-Id"] == "KI-Netzwerk (alle Mitglieder) <ki-netzwerk.example.org>"
    assert msg["List-Unsubscribe"].strip().startswith("<mailto:foerderradar@example.org?")
    assert "List-Unsubscribe-Post" not in msg  # no https unsubscribe_url configured
    ids = {m["Message-ID"] for m in messages.values()}
    assert len(ids) == 2 and all(i.endswith("@example.org>") for i in ids)
    text = msg.get_body(("plain",)).get_content()
    assert "Einreichungsfrist 01.12.2026, 12:00 Uhr (Projektskizze) – noch 8 Tage" in text
    for noise in ("Status: offen", "Relevanz", "noch nicht geprüft", "gelesen aus", "„Projektskizzen bis"):
        assert noise not in text  # the evidence span and the score only where they help
    assert "BMFTR · BAnz AT 02.11.2026 B3" in text
    assert "Wer: KMU, Hochschulen, Forschungseinrichtungen" in text and "Verbund nötig" in text
    assert "<" not in text and max(len(line) for line in text.splitlines()) <= 100
    html = msg.get_body(("html",)).get_content()
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<style" not in html.lower()
    events = calendar_events(msg)
    assert len(events) == 6  # 2 BMFTR stages, 2 EU cut-offs, 1 Datenräume, 1 accepted call
    assert len({str(e["UID"]) for e in events}) == 6


def test_second_run_sends_nothing_and_ledger_holds_each_call_once(store, config, now):
    config = with_lists(config, frequency="immediate")  # due on every run
    load_sample(store)
    first = run(store, config, now=now)
    assert len(first.sent) == 2
    second = run(store, config, now=now)
    assert not second.sent and not second.failed
    assert second.lines() == ["ki-netzwerk: nothing new", "forschung: nothing new"]
    assert len(list(config.outbox_path.glob("*.eml"))) == 2
    rows = store.rows("SELECT list_id, call_id, kind, count(*) AS n FROM deliveries GROUP BY 1, 2, 3")
    assert all(row["n"] == 1 for row in rows)


def test_weekly_list_is_not_due_again_in_the_same_week(store, config, now):
    load_sample(store)
    run(store, config, now=now)
    add_call(
        store, {**sample_calls()[1], "id": "fdb:neu", "url": "https://www.example-fdb.de/neu", "title": "Neu"}
    )
    later = run(store, config, day=date(2026, 11, 26), now=now)
    assert not later.sent and "not due" in later.lines()[0]
    assert len(run(store, config, day=date(2026, 11, 30), now=now).sent) == 2


def moved_deadline(spec: dict[str, Any]) -> dict[str, Any]:
    moved = json.loads(json.dumps(spec))
    moved["text"] = "Die Frist für Projektskizzen wurde auf den 15.01.2027 verschoben."
    moved["deadlines"][0].update(date="2027-01-15", raw="Projektskizzen bis 15.01.2027")
    return moved


def test_updated_call_shows_old_and_new_deadline_and_keeps_its_calendar_uid(store, config, now):
    config = with_lists(config, frequency="immediate")
    load_sample(store)
    first = run(store, config, now=now).sent[0]
    add_call(store, moved_deadline(sample_calls()[0]), seen_at="2026-11-24T06:00:00+00:00")
    report = run(store, config, day=date(2026, 11, 24), now=now)
    update = next(s for s in report.sent if s.list_id == "ki-netzwerk")
    msg = outbox_messages(config)[update.digest_id]
    text = msg.get_body(("plain",)).get_content()
    assert "GEÄNDERTE AUFRUFE (1)" in text
    assert "Frist verschoben (Projektskizze): 01.12.2026 → 15.01.2027" in text
    assert msg["Subject"].startswith("Förderradar KW 48: 1 Änderung")
    before = {str(e["UID"]): e for e in calendar_events(outbox_messages(config)[first.digest_id])}
    after = {str(e["UID"]): e for e in calendar_events(msg)}
    uid = next(u for u, e in after.items() if e["DTSTART"].dt == date(2027, 1, 15))
    assert uid in before and before[uid]["DTSTART"].dt == date(2026, 12, 1)  # same entry, moved
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    assert not run(store, config, day=date(2026, 11, 24), now=now).sent  # each update once


def test_call_closed_early_and_new_stage_are_updates(store, config, now):
    config = with_lists(config, frequency="immediate")
    load_sample(store)
    run(store, config, now=now)
    closed = {
        **sample_calls()[1],
        "status": "closed",
        "text": "Die Bekanntmachung wurde vorzeitig geschlossen.",
    }
    staged = json.loads(json.dumps(sample_calls()[2]))
    staged["text"] = "Second stage opened."
    staged["deadlines"].append(
        {
            "date": "2027-09-01",
            "time": None,
            "timezone": None,
            "kind": "antrag",
            "raw": "full proposals by 1 September 2027",
        }
    )
    add_call(store, closed, seen_at="2026-11-24T06:00:00+00:00")
    add_call(store, staged, seen_at="2026-11-24T06:00:00+00:00")
    report = run(store, config, day=date(2026, 11, 24), now=now)
    text = outbox_messages(config)[report.sent[0].digest_id].get_body(("plain",)).get_content()
    assert "Vorzeitig geschlossen" in text
    assert "Neue Stufe (Antrag): – → 01.09.2027" in text


def test_closing_soon_reminds_once_per_stage(store, config, now):
    config = with_lists(config, frequency="immediate")
    load_sample(store)
    run(store, config, now=now)
    # three months later the Antrag deadline of the BMFTR call (31.03.2027) is 14 days away
    day = date(2027, 3, 17)
    report = run(store, config, day=day, now=now)
    msg = outbox_messages(config)[next(s.digest_id for s in report.sent if s.list_id == "ki-netzwerk")]
    text = msg.get_body(("plain",)).get_content()
    assert "FRISTEN BALD (1)" in text and "Einreichungsfrist 31.03.2027 (Antrag) – noch 14 Tage" in text
    assert msg["Subject"] == "Förderradar KW 11: 1 Frist in 14 Tagen"
    assert not [s for s in run(store, config, day=day, now=now).sent if s.list_id == "ki-netzwerk"]


def test_longer_window_for_the_skizze_stage(store, config, now):
    import dataclasses

    mail = config.settings.mail.model_copy(update={"closing_soon_days_by_kind": {"skizze": 60}})
    config = dataclasses.replace(config, settings=config.settings.model_copy(update={"mail": mail}))
    extra = json.loads(json.dumps(sample_calls()[0]))
    extra.update(id="bmftr:zwei", url="https://www.example-bmftr.de/zwei", title="Zweistufig")
    extra["deadlines"][0]["date"] = "2027-01-15"
    load_sample(store, [extra])
    report = run(store, config, now=now)
    msg = outbox_messages(config)[report.sent[0].digest_id]
    assert msg["Subject"].endswith("3 Fristen in 14 Tagen")  # 53 days ahead, inside the Skizze window


UNTRUSTED = {
    "id": "evil:1",
    "source_id": "fdb",
    "url": "javascript:alert(document.cookie)",
    "title": "<script>alert('x')</script> KI-Förderung\r\nBcc: victim@evil.example\r\nX-Injected: yes",
    "funder": "Böse GmbH\r\nSubject: gotcha",
    "fields": {},
    "score": 0.95,
    "relevant": True,
    "topics": ["ki"],
    "status": "open",
    "deadlines": [
        {
            "date": "2027-02-01",
            "time": None,
            "timezone": "CET\r\nX-Evil: 1",
            "kind": "single",
            "raw": "<img src=https://tracker.example/x.gif> bis 01.02.2027",
        }
    ],
}


def test_untrusted_title_link_and_fields_arrive_harmless(store, config, now):
    load_sample(store, [UNTRUSTED])
    report = run(store, config, now=now)
    raw = (config.outbox_path / f"{report.sent[0].digest_id}.eml").read_bytes()
    msg = parse(raw)
    assert msg["Bcc"] is None and msg["X-Injected"] is None and msg["X-Evil"] is None
    assert msg["Subject"].startswith("Förderradar KW 48")
    html = msg.get_body(("html",)).get_content()
    assert "<script" not in html and "&lt;script&gt;alert(" in html
    assert "<img" not in html and "javascript:" not in html
    text = msg.get_body(("plain",)).get_content()
    assert "KI-Förderung Bcc: victim@evil.example X-Injected: yes" in " ".join(text.split())  # as text
    assert "javascript:" not in text
    for event in calendar_events(msg):
        assert "javascript" not in str(event.get("URL", ""))


def test_english_list_and_one_click_unsubscribe(store, config, now):
    import dataclasses

    mail = config.settings.mail.model_copy(
        update={"unsubscribe_url": "https://example.org/abmelden?liste={list}"}
    )
    config = dataclasses.replace(config, settings=config.settings.model_copy(update={"mail": mail}))
    config = with_lists(config, language="en")
    load_sample(store)
    report = run(store, config, now=now)
    msg = outbox_messages(config)[report.sent[0].digest_id]
    assert msg["Subject"] == "Förderradar week 48: 5 new calls, 2 deadlines within 14 days"
    assert "https://example.org/abmelden?liste=ki-netzwerk" in msg["List-Unsubscribe"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(("plain",)).get_content()
    assert "Deadline 1 Dec 2026, 12:00 (outline proposal) – 8 days left" in text
    flat = " ".join(text.split())  # the text part wraps at 72 characters
    assert "Who: SMEs, universities, research organisations" in flat
    assert "Funding: up to EUR 4 million" in flat and "Consortium required" in flat
    assert (
        "Why: Data and the data economy (“data spaces”); Artificial intelligence (“trustworthy AI”)" in flat
    )
    assert "Who: companies (any size) in Bayern" in flat
    assert "Warum" not in flat and "Wer:" not in flat


def test_preview_writes_files_and_records_nothing(store, config, now, tmp_path):
    import alerts

    load_sample(store)
    paths = alerts.preview(store, config, config.mailing_list("forschung"), tmp_path / "p", DAY, now=now)
    assert sorted(p.suffix for p in paths) == [".eml", ".html"]
    assert "Neue Aufrufe (4)" in paths[1].read_text(encoding="utf-8")
    assert store.rows("SELECT count(*) AS n FROM digests")[0]["n"] == 0
    assert store.rows("SELECT count(*) AS n FROM deliveries")[0]["n"] == 0
    run(store, config, now=now)
    assert alerts.preview(store, config, config.mailing_list("forschung"), tmp_path / "q", DAY) == []


class Crash(Exception):
    """Stands for the process dying between the server's acceptance and the ledger write."""


def test_crash_between_send_and_record_resends_the_same_digest(store, config, now, monkeypatch):
    load_sample(store)
    real = store.mark_digest_sent
    monkeypatch.setattr(store, "mark_digest_sent", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        run(store, config, now=now)
    written = {p.name: p.read_bytes() for p in config.outbox_path.glob("*.eml")}
    assert len(written) == 1 and len(store.pending_digests()) == 1
    monkeypatch.setattr(store, "mark_digest_sent", real)
    report = run(store, config, day=date(2026, 11, 24), now=now)
    assert [s.resent for s in report.sent] == [True, False]  # the old digest again, then the other list
    again = {p.name: p.read_bytes() for p in config.outbox_path.glob("*.eml")}
    assert len(again) == 2 and all(again[name] == data for name, data in written.items())
    assert not store.pending_digests()
    assert not run(store, config, day=date(2026, 11, 24), now=now).sent


def test_admin_notice_names_unhealthy_sources_and_a_waiting_review_queue(store, config, now):
    import alerts

    load_sample(store)
    quiet = alerts.send_admin_notice(store, config, [], date(2026, 11, 24), now=now)
    assert quiet.lines() == ["admin: nothing to report"]
    store.save_classification(
        Classification("fdb:datenraeume", "de", True, 0.5, ("daten",), (), False, None, "open"),
        store.call("fdb:datenraeume")["content_hash"],
        ["Score nahe der Schwelle"],
    )
    report = alerts.send_admin_notice(
        store, config, ["bmftr: 0 items in the last 2 runs (unhealthy)"], date(2026, 12, 10), now=now
    )
    assert len(report.sent) == 1
    msg = parse(report.files[0].read_bytes())
    assert (
        msg["To"] == "admin@example.org"
        and msg["Subject"] == "Förderradar: 3 Hinweise für die Administration"
    )
    body = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "bmftr: 0 items" in body and "1 Aufrufe warten seit mehr als 7 Tagen" in body
    # the reminder: both lists wait (unreviewed: wait, the default); only ki-netzwerk wants this call
    assert "1 Aufrufe warten in der Prüfwarteschlange; die Listen ki-netzwerk bekommen sie erst" in body


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "frequency: hourly",
            "lists[2] (id forschung).frequency: Input should be 'weekly', 'daily' or 'immediate' (got 'hourly')",
        ),
        ("weekday: monday", "lists[2] (id forschung).weekday: Input should be"),
        ('time: "7 Uhr"', "lists[2] (id forschung).time: String should match pattern"),
        (
            "regions: {inclde: [Bayern]}",
            "lists[2] (id forschung).regions.inclde: unknown key 'inclde' (did you mean 'include'?)",
        ),
    ],
)
def test_list_config_errors_are_one_line(config_dir, yaml_text, expected):
    from foerderradar.configuration import ConfigError, load_config

    lists = config_dir / "lists.yaml"
    lists.write_text(
        lists.read_text(encoding="utf-8").replace(
            "    min_score: 0.6", f"    min_score: 0.6\n    {yaml_text}", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    message = str(caught.value)
    assert "\n" not in message and "lists.yaml" in message and expected in message


def test_bad_address_is_a_config_error(config_dir):
    from foerderradar.configuration import ConfigError, load_config

    lists = config_dir / "lists.yaml"
    lists.write_text(
        lists.read_text(encoding="utf-8").replace(
            "ki-netzwerk@lists.example.org", '"ki@example.org\\r\\nBcc: x@evil.example"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match=r"lists\[1\] \(id ki-netzwerk\)\.address: .*is not an e-mail address"
    ):
        load_config(config_dir)


# --- the CLI as the admin uses it ----------------------------------------------------------


def test_cli_preview_send_and_not_due(config_dir, tmp_path):
    from click.testing import CliRunner

    from foerderradar.cli import cli
    from foerderradar.configuration import load_config

    config = load_config(config_dir)
    store = Store(config.database_path)
    load_sample(store)
    store.close()
    runner = CliRunner()
    base = ["--config", str(config_dir), "digest"]
    shown = runner.invoke(
        cli, [*base, "preview", "--list", "forschung", "--out", str(tmp_path / "p"), "--today", "2026-11-23"]
    )
    assert shown.exit_code == 0, shown.output
    files, said = shown.output.splitlines()[:2], shown.output.splitlines()[2:]
    assert [Path(line).suffix for line in files] == [".eml", ".html"]
    assert said == [
        "forschung: unreviewed: wait — 0 calls in the review queue are held until the coordinator decides"
    ]
    sent = runner.invoke(cli, [*base, "send", "--today", "2026-11-23"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.count("sent digest") == 2 and "Förderradar KW 48: 5 neue Aufrufe" in sent.output
    again = runner.invoke(cli, [*base, "send", "--today", "2026-11-25"])
    assert again.exit_code == 0 and again.output.count("not due (weekly on mon; last digest 2026-11-23)") == 2
    nothing = runner.invoke(
        cli, [*base, "preview", "--list", "forschung", "--out", str(tmp_path / "q"), "--today", "2026-11-25"]
    )
    assert "forschung: nothing new" in nothing.output


def test_cli_send_exits_1_and_says_pending_when_the_server_is_down(config_dir):
    import socket

    from click.testing import CliRunner

    from foerderradar.cli import cli
    from foerderradar.configuration import load_config

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = config_dir / "settings.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "  transport: outbox",
            f"  transport: smtp\n  smtp: {{host: 127.0.0.1, port: {port}, security: none, retries: 1}}",
        ),
        encoding="utf-8",
    )
    config = load_config(config_dir)
    store = Store(config.database_path)
    load_sample(store)
    store.close()
    result = CliRunner().invoke(
        cli, ["--config", str(config_dir), "digest", "send", "--list", "forschung", "--today", "2026-11-23"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("forschung: PENDING forschung-20261123-")
    assert "not accepted after 1 attempt (ConnectionRefusedError" in result.output


def test_preview_shows_the_pending_digest_that_the_next_run_will_send(
    store, config, now, tmp_path, monkeypatch
):
    import alerts

    load_sample(store)
    monkeypatch.setattr(store, "mark_digest_sent", lambda *a: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        run(store, config, now=now)
    pending = store.pending_digests()[0]
    paths = alerts.preview(store, config, config.mailing_list(pending["list_id"]), tmp_path, DAY)
    assert paths[0].read_bytes() == pending["message"].encode()


def test_only_alerts_send_imports_yagmail():
    from test_architecture import ROOT, imported_modules

    users = [
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("*.py")
        if ".venv" not in p.parts and "yagmail" in imported_modules(p)
    ]
    assert users == ["alerts/send.py"]


def test_two_runs_at_once_cannot_both_record_a_digest(store, config, now, tmp_path):
    from alerts.digest import build_digest
    from alerts.select import parse_rows

    load_sample(store)
    other = Store(store.path)  # a second process on the same file
    try:
        ml = config.mailing_list("forschung")
        mine = build_digest(store, config, ml, parse_rows(store.alert_rows()), DAY, now)
        theirs = build_digest(other, config, ml, parse_rows(other.alert_rows()), DAY, now)
        assert other.record_digest(theirs) is True
        assert store.record_digest(mine) is False  # their digest is still pending
        other.mark_digest_sent(theirs["id"])
        assert store.record_digest(mine) is False  # its calls were delivered meanwhile
        assert [d["id"] for d in store.rows("SELECT id FROM digests")] == [theirs["id"]]
    finally:
        other.close()
