"""Delivery: the outbox folder, or SMTP through yagmail (the only module that imports yagmail).

The message is built beforehand (render.py) and stored; this module only moves its exact bytes.
yagmail is used for the connection (SSL / STARTTLS / login) only: its own message builder would
replace our Message-ID, turn newlines into <br> and send the HTML as the text part.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import yagmail

from foerderradar.configuration import SmtpSettings


class DeliveryError(Exception):
    """The server did not accept a message (after the allowed attempts); the digest stays pending."""


@dataclass
class Accepted:
    """What a transport did with one message: files written, addresses the server refused."""

    files: list[Path]
    refused: list[str]


class OutboxTransport:
    """Writes ``<outbox>/<id>.eml`` and an ``.html`` preview of the HTML part (atomic renames)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, message: bytes, envelope_from: str, recipients: list[str], name: str) -> Accepted:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            files = [_write(self.folder / f"{name}.eml", message)]
            html = html_part(message)
            if html is not None:
                files.append(_write(self.folder / f"{name}.html", html.encode("utf-8")))
        except OSError as exc:  # a full disk or a read-only folder: the digest stays pending
            raise DeliveryError(
                f"outbox {self.folder}: cannot write {name}.eml ({exc.strerror or exc})"
            ) from None
        return Accepted(files, [])


def html_part(message: bytes) -> str | None:
    """The HTML body of a stored message, for the browser preview."""
    parsed = message_from_bytes(message, policy=default)
    body = parsed.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    return None if body is None else body.get_content()


def _write(path: Path, data: bytes) -> Path:
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)  # no half message left behind on a full disk
        raise
    return path


class SmtpTransport:
    """Sends through ``mail.smtp`` with bounded retries and exponential backoff, one session per run.

    The session stays open after a message was accepted and is closed by ``close()`` (or before the
    next connection), so the QUIT round trip never lies between the server's acceptance and the
    ledger write. A login the server refuses for good (5xx) is tried once per run: every later
    message of the run fails with the same error without connecting again.
    ``sleep`` is injected so tests never wait; ``environ`` so a test can supply the password.
    """

    def __init__(
        self,
        settings: SmtpSettings,
        sleep: Callable[[float], None] = time.sleep,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        self.environ = environ
        self._yag: Any = None
        self._refused_login: DeliveryError | None = None

    def deliver(self, message: bytes, envelope_from: str, recipients: list[str], name: str) -> Accepted:
        if self._refused_login is not None:
            raise self._refused_login
        attempts = max(1, self.settings.retries)
        last: Exception | None = None
        for attempt in range(1, attempts + 1):
            try:
                return Accepted([], sorted(self._send(message, envelope_from, recipients)))
            except smtplib.SMTPAuthenticationError as exc:
                self.close()
                if exc.smtp_code >= 500:  # 535 bad credentials: retrying only risks locking the account
                    self._refused_login = DeliveryError(
                        f"{self._where}: login refused ({_describe(exc)}); check mail.smtp.username and "
                        f"${self.settings.password_env} — not tried again in this run"
                    )
                    raise self._refused_login from None
                last = exc  # 454: a temporary authentication failure, worth another try
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                last = exc
            if attempt < attempts:
                self.sleep(self.settings.retry_delay * 2 ** (attempt - 1))
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        raise DeliveryError(f"{self._where}: not accepted after {tries} ({_describe(last)})")

    def close(self) -> None:
        """End the session (QUIT); the next message opens a new one."""
        yag, self._yag = self._yag, None
        if yag is not None:
            yag.close()  # yagmail swallows errors of QUIT on a dead connection

    @property
    def _where(self) -> str:
        return f"smtp {self.settings.host}:{self.settings.port}"

    def _password(self) -> str | None:
        if not self.settings.username:
            return None
        password = self.environ.get(self.settings.password_env)
        if not password:
            raise DeliveryError(
                f"{self._where}: environment variable {self.settings.password_env} "
                "(mail.smtp.password_env) is not set"
            )
        return password

    def _send(self, message: bytes, envelope_from: str, recipients: list[str]) -> dict[str, object]:
        if self._yag is not None:
            try:
                return self._yag.smtp.sendmail(envelope_from, recipients, message)
            except smtplib.SMTPServerDisconnected:
                self.close()  # the server ended an idle session: a new one is not a retry
        self._yag = self._connect(envelope_from)
        return self._yag.smtp.sendmail(envelope_from, recipients, message)

    def _connect(self, envelope_from: str) -> Any:
        password = self._password()
        security = self.settings.security
        extra: dict[str, object] = {"timeout": self.settings.timeout}
        if security == "ssl":
            extra["context"] = ssl.create_default_context()
        login = self.settings.username or envelope_from
        yag = yagmail.SMTP(
            # a dict keeps yagmail from appending "@gmail.com" to a login name without "@"
            user={login: login},
            password=password or "",  # never None: yagmail would ask the keyring
            host=self.settings.host,
            port=self.settings.port,
            smtp_ssl=security == "ssl",
            # a dict makes yagmail call starttls(context=…): certificates are verified
            smtp_starttls={"context": ssl.create_default_context()} if security == "starttls" else False,
            smtp_skip_login=True,  # connect (and STARTTLS) only; the login is ours, see _authenticate
            soft_email_validation=False,
            **extra,
        )
        try:
            yag.login()
            if password is not None:
                _authenticate(yag.smtp, login, password)
        except BaseException:
            yag.close()
            raise
        return yag


def _authenticate(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """One AUTH command with the best mechanism the server offers.

    ``smtplib.SMTP.login`` tries every offered mechanism in turn, so one wrong password counted as
    two or three failed logins against the account; here a refusal is final.
    """
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("the server offers no login (AUTH); remove mail.smtp.username")
    offered = smtp.esmtp_features["auth"].upper().split()
    mechanism = next((m for m in ("CRAM-MD5", "PLAIN", "LOGIN") if m in offered), None)
    if mechanism is None:
        raise smtplib.SMTPException(f"no supported login mechanism offered ({' '.join(offered)})")
    smtp.user, smtp.password = user, password
    method = getattr(smtp, "auth_" + mechanism.lower().replace("-", "_"))
    smtp.auth(mechanism, method, initial_response_ok=True)


def _describe(exc: Exception | None) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(
            f"{addr} ({code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg})"
            for addr, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
    return f"{type(exc).__name__}: {exc}" if exc else "unknown error"
