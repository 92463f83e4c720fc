"""Downloader middlewares that guard what a crawl reaches and reads: internal addresses, hostile bytes."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from crawler.addresses import AddressPolicy
from crawler.spiders import SourceSpider


class PrivateAddress(IgnoreRequest):
    """A request to a private, loopback, link-local or metadata address the source does not allow."""


class AddressGuard:
    """Downloader middleware: refuse requests whose host resolves to a non-public address (SSRF).

    Before the request: the host is resolved (in a thread, like Scrapy's own resolver) and every
    address it has is checked, so no packet goes to an internal service. After it: the address the
    connection really reached (``response.ip_address``) is checked again, so a name that resolves
    differently the second time (DNS rebinding) is caught before the HTTP cache stores the answer.
    Every request passes here, redirects and robots.txt included.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.resolved: dict[tuple[str, int], list[str]] = {}  # one lookup per host and crawl

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressGuard:
        return cls(crawler)

    def _policy(self) -> AddressPolicy | None:
        spider = self.crawler.spider
        return AddressPolicy.of(spider.source.allow_private) if isinstance(spider, SourceSpider) else None

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        policy = self._policy()
        if policy is None or policy.allow_all or request.meta.get("proxy"):
            return
        parts = urlsplit(request.url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            if (host, port) not in self.resolved:  # a changed answer later is caught after the connect
                found = await maybe_deferred_to_future(threads.deferToThread(_resolve, host, port))
                self.resolved[(host, port)] = found
            addresses = self.resolved[(host, port)]
        reason = policy.refusal(host, port, addresses)
        if reason:
            raise PrivateAddress(reason)  # the run record adds the URL

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        policy = self._policy()
        peer = getattr(response, "ip_address", None)
        if policy is None or policy.allow_all or peer is None or request.meta.get("proxy"):
            return response
        parts = urlsplit(request.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        reason = policy.refusal(parts.hostname or "", port, [str(peer)])
        if reason:
            raise PrivateAddress(reason)  # the run record adds the URL
        return response


def _resolve(host: str, port: int) -> list[str]:
    """Every address of ``host``; none when it does not resolve (the download then fails as usual)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in found})


# C0 control bytes other than tab, line feed and carriage return, and DEL: never text, and XML
# parsers stop at them (a feed item with a NUL was cut short there).
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
XML_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]{0,200}?encoding=["'])[^"']{1,40}(["'])""")
WIDE_ENCODINGS = ("utf-16", "utf-32", "utf16", "utf32")  # where a zero byte is part of a character


class TextGuard:
    """Downloader middleware: the body of every text response is clean text in a charset that decodes.

    Control bytes are removed (noted on the run), so every parser after it sees the whole text. A
    body that does not decode in its declared charset is detected (charset_normalizer) and re-encoded
    as UTF-8, noted on the run, instead of being read with U+FFFD replacement characters. It sits
    after the HTTP cache, so the cache keeps what the server sent.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> TextGuard:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        source = self.crawler.spider
        if (
            not isinstance(response, TextResponse)
            or not response.body
            or not isinstance(source, SourceSpider)
        ):
            return response
        cleaned, notes = clean_body(response.body, response.encoding)
        for note in notes:
            source.run.note(response.url, note)
        if cleaned.body == response.body and cleaned.encoding == response.encoding:
            return response
        if cleaned.encoding == response.encoding:
            return response.replace(body=cleaned.body)
        # re-encoded as UTF-8: say so wherever a parser looks (feedparser reads header and declaration)
        headers = response.headers.copy()
        ctype = (headers.get("Content-Type") or b"text/html").decode("latin-1").split(";", 1)[0]
        headers["Content-Type"] = f"{ctype}; charset=utf-8"
        body = XML_DECLARED.sub(rb"\1utf-8\2", cleaned.body, count=1)
        return response.replace(body=body, encoding="utf-8", headers=headers)


@dataclass(frozen=True)
class Body:
    body: bytes
    encoding: str


def clean_body(body: bytes, declared: str) -> tuple[Body, list[str]]:
    """The body without control bytes, in a charset it decodes in (UTF-8 when re-encoded); notes why."""
    notes: list[str] = []
    wide = declared.lower().replace("_", "-").startswith(WIDE_ENCODINGS)
    if not wide:
        stripped = body.translate(None, CONTROL_BYTES)
        if len(stripped) != len(body):
            notes.append(
                f"removed {len(body) - len(stripped)} control bytes (NUL and the like) from the text"
            )
            body = stripped
    try:
        body.decode(declared)
        return Body(body, declared), notes
    except (UnicodeDecodeError, LookupError) as exc:
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
    found = own_charset(body, declared) or detect_charset(body)
    if found is None:
        notes.append(
            f"the text does not decode as its declared charset {declared}{where} and no other charset "
            "fits: undecodable bytes were replaced (U+FFFD)"
        )
        return Body(body, declared), notes
    charset, how = found
    notes.append(
        f"the text does not decode as its declared charset {declared}{where}; read as {charset} ({how})"
    )
    return Body(body.decode(charset).encode("utf-8"), "utf-8"), notes


def own_charset(body: bytes, declared: str) -> tuple[str, str] | None:
    """The charset the page's own ``<meta>`` (or XML declaration) names, when it differs and decodes."""
    from w3lib.encoding import html_body_declared_encoding

    named = html_body_declared_encoding(body)
    if not named or named.lower() == declared.lower():
        return None
    try:
        body.decode(named)
    except (UnicodeDecodeError, LookupError):
        return None
    return named, "the page's own charset"


# The sources are German and English: a body that is not what it claims is, in practice, in one of
# these. Unrestricted detection read short German text as mac_turkish.
WESTERN = ["cp1252", "iso8859_15", "latin_1", "mac_roman", "cp850"]


def detect_charset(body: bytes) -> tuple[str, str] | None:
    """The Western European charset the body decodes in best (charset_normalizer), or None."""
    from charset_normalizer import from_bytes

    best = from_bytes(body, cp_isolation=WESTERN).best()
    if best is None or best.encoding is None:
        return None
    try:
        body.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return str(best.encoding), "detected from its bytes"
