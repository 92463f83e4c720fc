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
        self.folder.mkdir(parents=True, exist_ok=True)
        files = [_write(self.folder / f"{name}.eml", message)]
        html = html_part(message)
        if html is not None:
            files.append(_write(self.folder / f"{name}.html", html.encode("utf-8")))
        return Accepted(files, [])


def html_part(message: bytes) -> str | None:
    """The HTML body of a stored message, for the browser preview."""
    parsed = message_from_bytes(message, policy=default)
    body = parsed.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    return None if body is None else body.get_content()


def _write(path: Path, data: bytes) -> Path:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
    return path


class SmtpTransport:
    """Sends through ``mail.smtp`` with bounded retries and exponential backoff.

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

    def deliver(self, message: bytes, envelope_from: str, recipients: list[str], name: str) -> Accepted:
        attempts = max(1, self.settings.retries)
        last: Exception | None = None
        for attempt in range(1, attempts + 1):
            try:
                refused = self._send_once(message, envelope_from, recipients)
                return Accepted([], sorted(refused))
            except smtplib.SMTPAuthenticationError as exc:
                # retrying a refused login only risks locking the account
                raise DeliveryError(f"{self._where}: login refused ({_describe(exc)})") from None
            except (smtplib.SMTPException, OSError) as exc:
                last = exc
                if attempt < attempts:
                    self.sleep(self.settings.retry_delay * 2 ** (attempt - 1))
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        raise DeliveryError(f"{self._where}: not accepted after {tries} ({_describe(last)})")

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

    def _send_once(self, message: bytes, envelope_from: str, recipients: list[str]) -> dict[str, object]:
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
            smtp_skip_login=password is None,
            soft_email_validation=False,
            **extra,
        )
        try:
            yag.login()
            return yag.smtp.sendmail(envelope_from, recipients, message)
        finally:
            yag.close()


def _describe(exc: Exception | None) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(
            f"{addr} ({code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg})"
            for addr, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
    return f"{type(exc).__name__}: {exc}" if exc else "unknown error"
