"""Alerts over SMTP: yagmail against a real aiosmtpd server on loopback; what arrived, as parsed MIME.

No sleeps: the backoff's sleep function is injected (and used to start the server "later").
"""

from __future__ import annotations

import dataclasses
import socket
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from test_alerts import DAY, calendar_events, load_sample, parse, with_lists

import alerts

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


class Mailbox:
    """An aiosmtpd handler that keeps every accepted envelope; can refuse recipients."""

    def __init__(self, refuse: bool | str = False) -> None:
        self.envelopes: list[Any] = []
        self.refuse = refuse  # True: every recipient; an address: only that one

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse is True or self.refuse == address:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[Any]:
        return [parse(e.content) for e in self.envelopes]


def free_port() -> int:
    # aiosmtpd's Controller(port=0) cannot report the port it got: pick one first
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(port: int, handler: Mailbox, **options: Any):
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp_config(config, port: int, **smtp: Any):
    from foerderradar.configuration import SmtpSettings

    settings = SmtpSettings(
        host="127.0.0.1", port=port, security="none", retries=3, retry_delay=1.0, timeout=5.0, **smtp
    )
    mail = config.settings.mail.model_copy(update={"transport": "smtp", "smtp": settings})
    return dataclasses.replace(config, settings=config.settings.model_copy(update={"mail": mail}))


def send(store, config, day: date = DAY, sleep=None) -> alerts.DeliveryReport:
    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"unexpected backoff of {seconds} s")

    return alerts.send_digests(store, config, list(config.lists), day, sleep=sleep or no_sleep, now=NOW)


def test_digest_through_smtp_arrives_as_parsed_mime_and_only_once(store, config):
    port, box = free_port(), Mailbox()
    config = with_lists(smtp_config(config, port), frequency="immediate")
    load_sample(store)
    with smtp_server(port, box):
        report = send(store, config)
        assert len(report.sent) == 2 and not report.failed and report.files == []
        assert len(box.envelopes) == 2
        first = box.envelopes[0]
        assert first.mail_from == "foerderradar@example.org" and first.rcpt_tos == [
            "ki-netzwerk@lists.example.org"
        ]
        msg = parse(first.content)
        assert msg["Subject"] == "Förderradar KW 48: 5 neue Aufrufe, 2 Fristen in 14 Tagen"
        assert b"F=C3=B6rderradar" in first.content.split(b"\r\n\r\n", 1)[0]  # RFC 2047, not raw UTF-8
        assert msg["Message-ID"] == report.sent[0].message_id
        assert len({m["Message-ID"] for m in box.messages()}) == 2
        assert msg["List-Id"] and msg["List-Unsubscribe"] and msg["Date"] == "Mon, 23 Nov 2026 07:00:00 +0000"
        plain, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
        assert "NEUE AUFRUFE (5)" in plain and "<html" not in plain
        assert '<a href="https://www.example-bmftr.de/bekanntmachungen/ki-kmu.html"' in html
        events = calendar_events(msg)
        assert {e["DTSTART"].dt for e in events} >= {date(2026, 12, 1), date(2027, 3, 31)}
        # the stored message is exactly what the server got
        assert store.digest(report.sent[0].digest_id)["message"].encode() == first.content
        again = send(store, config)
        assert not again.sent and len(box.envelopes) == 2


def test_server_down_for_the_first_attempt_and_up_for_the_second(store, config):
    port, box = free_port(), Mailbox()
    config = smtp_config(config, port)
    load_sample(store)
    sleeps: list[float] = []
    servers: list[Any] = []

    def sleep_then_start(seconds: float) -> None:
        sleeps.append(seconds)
        if not servers:
            servers.append(Controller(box, hostname="127.0.0.1", port=port))
            servers[0].start()

    try:
        report = send(store, config, sleep=sleep_then_start)
    finally:
        for server in servers:
            server.stop()
    assert sleeps == [1.0]
    assert len(report.sent) == 2 and not report.failed
    per_list = {tuple(e.rcpt_tos) for e in box.envelopes}
    assert len(box.envelopes) == 2 and len(per_list) == 2  # exactly one digest per list
    assert not store.pending_digests()


def test_outage_leaves_digests_pending_and_the_next_run_sends_the_same_ones(store, config):
    port, box = free_port(), Mailbox()
    config = smtp_config(config, port)
    load_sample(store)
    sleeps: list[float] = []
    report = send(store, config, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0, 1.0, 2.0]  # 3 attempts per list, backoff doubling
    assert not report.sent and len(report.failed) == 2
    assert all("PENDING" in line and "not accepted after 3 attempts" in line for line in report.lines())
    pending = {d["list_id"]: d for d in store.pending_digests()}
    assert len(pending) == 2 and all(d["attempts"] == 1 and d["last_error"] for d in pending.values())
    with smtp_server(port, box):
        later = send(store, config, day=date(2026, 11, 24))
    assert [s.resent for s in later.sent] == [True, True]
    got = {m["Message-ID"] for m in box.messages()}
    assert got == {d["message_id"] for d in pending.values()}
    assert [e.content for e in box.envelopes] == [d["message"].encode() for d in pending.values()]
    assert store.rows("SELECT count(*) AS n FROM digests")[0]["n"] == 2


class Crash(Exception):
    pass


def test_crash_between_send_and_record_sends_no_second_different_digest(store, config, monkeypatch):
    port, box = free_port(), Mailbox()
    config = with_lists(smtp_config(config, port), frequency="immediate")
    load_sample(store)
    real = store.mark_digest_sent

    def crash(*args: Any, **kwargs: Any) -> None:
        raise Crash("killed after the server accepted")

    with smtp_server(port, box):
        monkeypatch.setattr(store, "mark_digest_sent", crash)
        with pytest.raises(Crash):
            send(store, config)
        monkeypatch.setattr(store, "mark_digest_sent", real)
        send(store, config)
        send(store, config)
    by_list: dict[str, set[str]] = {}
    for envelope in box.envelopes:
        by_list.setdefault(envelope.rcpt_tos[0], set()).add(parse(envelope.content)["Message-ID"])
    # the crashed list got the same message twice (same Message-ID: readers' clients fold it), never another
    assert [len(ids) for ids in by_list.values()] == [1, 1]
    assert len(box.envelopes) == 3
    assert box.envelopes[0].content == box.envelopes[1].content


class Credentials:
    def __init__(self, password: bytes) -> None:
        self.password = password
        self.logins: list[bytes] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append(auth_data.login)
        return AuthResult(success=auth_data.password == self.password, handled=False)


def test_refused_login_stays_pending_without_retrying_then_sends(store, config, monkeypatch):
    port, box, auth = free_port(), Mailbox(), Credentials(b"richtig")
    config = smtp_config(config, port, username="foerderradar", password_env="TEST_SMTP_PASSWORD")
    load_sample(store)
    with smtp_server(port, box, authenticator=auth, auth_require_tls=False):
        monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
        missing = send(store, config)
        assert "TEST_SMTP_PASSWORD (mail.smtp.password_env) is not set" in missing.failed[0].error
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "falsch")
        refused = send(store, config)  # no sleep: a refused login is not retried
        assert len(refused.failed) == 2 and "login refused" in refused.failed[0].error
        assert "falsch" not in " ".join(refused.lines())
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "richtig")
        ok = send(store, config, day=date(2026, 11, 24))
    assert len(ok.sent) == 2 and len(box.envelopes) == 2
    assert set(auth.logins) == {b"foerderradar"}  # yagmail did not append "@gmail.com"


def test_rejected_recipient_stays_pending(store, config):
    port, box = free_port(), Mailbox(refuse=True)
    config = smtp_config(config, port)
    load_sample(store)
    with smtp_server(port, box):
        report = send(store, config, sleep=lambda s: None)
    assert len(report.failed) == 2 and not box.envelopes
    assert "recipients refused: ki-netzwerk@lists.example.org (550" in report.failed[0].error
    assert len(store.pending_digests()) == 2


def test_timeout_stays_pending(store, config):
    port = free_port()
    config = smtp_config(config, port)
    config = dataclasses.replace(
        config,
        settings=config.settings.model_copy(
            update={
                "mail": config.settings.mail.model_copy(
                    update={
                        "smtp": config.settings.mail.smtp.model_copy(update={"timeout": 0.2, "retries": 1})
                    }
                )
            }
        ),
    )
    load_sample(store)
    with socket.socket() as silent:  # accepts connections, never greets
        silent.bind(("127.0.0.1", port))
        silent.listen(8)
        report = send(store, config)
    assert len(report.failed) == 2 and "timed out" in report.failed[0].error
    assert len(store.pending_digests()) == 2


def test_member_addresses_go_in_the_envelope_not_the_header(store, config):
    port, box = free_port(), Mailbox()
    config = smtp_config(config, port)
    members = config.lists[0].model_copy(update={"address": ["anna@kmu.example", "ben@institut.example"]})
    config = dataclasses.replace(config, lists=(members,))
    load_sample(store)
    with smtp_server(port, box):
        send(store, config)
    envelope = box.envelopes[0]
    assert envelope.rcpt_tos == ["anna@kmu.example", "ben@institut.example"]
    msg = parse(envelope.content)
    assert "anna@" not in str(msg["To"]) and "ben@" not in envelope.content.decode().split("\r\n\r\n")[0]


def test_send_pending_retries_without_building_anything_new(store, config):
    port, box = free_port(), Mailbox()
    config = smtp_config(config, port)
    load_sample(store)
    send(store, config, sleep=lambda s: None)
    assert len(store.pending_digests()) == 2
    with smtp_server(port, box):
        report = alerts.send_pending(store, config, date(2026, 11, 24), sleep=lambda s: None)
        assert len(report.sent) == 2 and all(s.resent for s in report.sent)
        again = alerts.send_pending(store, config, date(2026, 11, 25))
    assert again.lines() == ["pending: no pending digests"] and len(box.envelopes) == 2


def test_one_refused_member_does_not_hold_back_the_others(store, config):
    port, box = free_port(), Mailbox(refuse="weg@kmu.example")
    config = smtp_config(config, port)
    members = config.lists[0].model_copy(update={"address": ["anna@kmu.example", "weg@kmu.example"]})
    config = dataclasses.replace(config, lists=(members,))
    load_sample(store)
    with smtp_server(port, box):
        report = send(store, config)
    # the server took the digest for anna: resending it would give her a second copy
    assert len(report.sent) == 1 and report.sent[0].refused == ["weg@kmu.example"]
    assert "(refused: weg@kmu.example)" in report.lines()[0]
    assert box.envelopes[0].rcpt_tos == ["anna@kmu.example"] and not store.pending_digests()


def test_starttls_required_but_not_offered_stays_pending(store, config):
    port, box = free_port(), Mailbox()
    config = smtp_config(config, port)
    smtp = config.settings.mail.smtp.model_copy(update={"security": "starttls", "retries": 1})
    mail = config.settings.mail.model_copy(update={"smtp": smtp})
    config = dataclasses.replace(config, settings=config.settings.model_copy(update={"mail": mail}))
    load_sample(store)
    with smtp_server(port, box):
        report = send(store, config)
    assert len(report.failed) == 2 and "STARTTLS" in report.failed[0].error and not box.envelopes
