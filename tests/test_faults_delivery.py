"""Delivery faults through the CLI against aiosmtpd on loopback: a refused login, the acceptance→ledger window."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from test_alerts import DAY, load_sample, parse
from test_alerts_smtp import Mailbox, free_port, smtp_server

import alerts
from alerts.select import parse_rows
from foerderradar.cli import cli
from foerderradar.configuration import load_config
from foerderradar.store import Store

PASSWORD_ENV = "TEST_SMTP_PASSWORD"


class Counted:
    """An authenticator that counts AUTH commands; refuses for good (535) or for now (454)."""

    def __init__(self, password: bytes, refusal: str | None = None) -> None:
        self.password, self.refusal, self.attempts = password, refusal, 0

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.attempts += 1
        if auth_data.password == self.password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message=self.refusal)


def smtp_project(config_dir: Path, port: int) -> Path:
    settings = config_dir / "settings.yaml"
    text = settings.read_text(encoding="utf-8").replace("  transport: outbox", "  transport: smtp", 1)
    block = (
        f"  smtp:\n    host: 127.0.0.1\n    port: {port}\n    security: none\n"
        f"    username: foerderradar\n    password_env: {PASSWORD_ENV}\n    retries: 3\n    retry_delay: 0\n"
    )
    settings.write_text(text.replace("\nschedule:", f"\n{block}\nschedule:", 1), encoding="utf-8")
    store = Store(load_config(config_dir).database_path)
    load_sample(store)
    store.close()
    return load_config(config_dir).database_path


def digests(path: Path) -> list[dict[str, Any]]:
    store = Store(path)
    try:
        return store.rows("SELECT id, list_id, status, message_id, attempts FROM digests ORDER BY id")
    finally:
        store.close()


def send_cli(config_dir: Path, password: str):
    return CliRunner().invoke(
        cli,
        ["--config", str(config_dir), "digest", "send", "--today", DAY.isoformat()],
        env={PASSWORD_ENV: password},
        catch_exceptions=False,
    )


def test_a_refused_login_is_tried_once_per_run_reported_and_kept_pending(config_dir):
    port, box, auth = free_port(), Mailbox(), Counted(b"richtig")
    database = smtp_project(config_dir, port)
    with smtp_server(port, box, authenticator=auth, auth_require_tls=False):
        refused = send_cli(config_dir, "falsch")
        assert auth.attempts == 1, "one AUTH command for the whole run, not one per mechanism and list"
        pending = digests(database)
        ok = send_cli(config_dir, "richtig")
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output and "falsch" not in refused.output
    assert refused.output.count("login refused (535") == len(pending) == 2
    assert "not tried again in this run" in refused.output
    assert {d["status"] for d in pending} == {"pending"}
    assert ok.exit_code == 0, ok.output
    sent = digests(database)
    assert {d["status"] for d in sent} == {"sent"}
    # the digests that waited are the ones delivered: same ids, same Message-IDs, nothing new built
    assert [(d["id"], d["message_id"]) for d in sent] == [(d["id"], d["message_id"]) for d in pending]
    assert sorted(parse(e.content)["Message-ID"] for e in box.envelopes) == sorted(
        d["message_id"] for d in sent
    )


def test_a_temporary_login_failure_is_retried(store, config):
    import dataclasses

    from foerderradar.configuration import SmtpSettings

    port, box = free_port(), Mailbox()
    auth = Counted(b"richtig", refusal="454 4.7.0 Temporary authentication failure")
    smtp = SmtpSettings(
        host="127.0.0.1", port=port, security="none", username="u", password_env=PASSWORD_ENV, retries=2
    )
    mail = config.settings.mail.model_copy(update={"transport": "smtp", "smtp": smtp})
    config = dataclasses.replace(config, settings=config.settings.model_copy(update={"mail": mail}))
    load_sample(store)
    sleeps: list[float] = []
    transport = alerts.make_transport(config, sleeps.append, {PASSWORD_ENV: "falsch"})
    with smtp_server(port, box, authenticator=auth, auth_require_tls=False):
        report = alerts.send_digests(store, config, list(config.lists)[:1], DAY, transport=transport)
    assert auth.attempts == 2 and sleeps == [5.0]
    assert "not accepted after 2 attempts (454" in report.failed[0].error


class Ordered(Mailbox):
    """Records the order of the server's DATA acceptance and the client's QUIT."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.events.append("accepted")
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        self.events.append("quit")
        return "221 Bye"


def test_the_ledger_is_written_before_the_session_ends(store, config, monkeypatch):
    """The window between acceptance and ledger holds no network round trip (QUIT comes after)."""
    import dataclasses

    from foerderradar.configuration import SmtpSettings

    events: list[str] = []
    port = free_port()
    smtp = SmtpSettings(host="127.0.0.1", port=port, security="none")
    mail = config.settings.mail.model_copy(update={"transport": "smtp", "smtp": smtp})
    config = dataclasses.replace(config, settings=config.settings.model_copy(update={"mail": mail}))
    load_sample(store)
    real = store.mark_digest_sent

    def ledger(digest_id: str, *args: Any) -> None:
        events.append("ledger")
        real(digest_id, *args)

    monkeypatch.setattr(store, "mark_digest_sent", ledger)
    with smtp_server(port, Ordered(events)):
        report = alerts.send_digests(store, config, list(config.lists), DAY, sleep=lambda s: None)
    assert len(report.sent) == 2
    assert events == ["accepted", "ledger", "accepted", "ledger", "quit"], "one session, QUIT after both"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_daemon_logs_a_job_whose_digests_stayed_pending_as_failed(config_dir, monkeypatch):
    import scheduler

    port = free_port()  # nothing listens there: every attempt is refused
    database = smtp_project(config_dir, port)
    config = load_config(config_dir)
    store = Store(database)
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    digest = alerts.build_digest(store, config, config.lists[0], parse_rows(store.alert_rows()), DAY, now)
    assert digest is not None and store.record_digest(digest)
    store.close()
    monkeypatch.setenv(PASSWORD_ENV, "egal")
    handler, logger = Lines(), logging.getLogger("foerderradar.jobs")
    monkeypatch.setattr(logger, "level", logging.INFO)
    logger.addHandler(handler)
    try:
        assert scheduler.pending_job(str(config_dir)) is None
    finally:
        logger.removeHandler(handler)
    (line,) = handler.lines
    assert line.startswith("job pending FAILED after ") and "not accepted after 3 attempts" in line
    assert [d["status"] for d in digests(database)] == ["pending"]


def test_schedule_run_of_a_job_that_left_digests_pending_exits_1(config_dir, monkeypatch):
    port = free_port()
    database = smtp_project(config_dir, port)
    config = load_config(config_dir)
    store = Store(database)
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    digest = alerts.build_digest(store, config, config.lists[0], parse_rows(store.alert_rows()), DAY, now)
    assert digest is not None and store.record_digest(digest)
    store.close()
    result = CliRunner().invoke(
        cli,
        ["--config", str(config_dir), "schedule", "--run", "pending"],
        env={PASSWORD_ENV: "egal"},
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "error: job pending failed; see the log line above" in result.stderr
    log = (database.parent / "scheduler.log").read_text(encoding="utf-8")
    assert "ERROR job pending FAILED after" in log and " ok in " not in log
