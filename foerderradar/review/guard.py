"""The web view's front door: login rate limits, strict Authorization headers, CSRF for every write.

Datasette 0.65 with datasette-auth-passwords leaves three gaps this module closes, as an ASGI wrapper
around the whole instance: the plugin checks Basic-auth passwords (PBKDF2, ~0.3 s) on the event loop
for every request, unlimited, so a flood of guesses stalls the view for everyone; asgi-csrf skips its
check for a POST without cookies or with a Bearer header, so a Basic-auth POST is never checked; and a
malformed header or a non-ASCII password raises inside the plugin (HTTP 500). Here a header is parsed
strictly (400 with the reason), a password is verified in a worker thread, one at a time, only while
neither the user nor the client is locked out, and the Authorization header is removed once it has
been turned into an actor, so nothing downstream sees it and asgi-csrf checks the token.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import math
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

LOG = logging.getLogger("foerderradar.review")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
FORM_TYPE = b"application/x-www-form-urlencoded"
CSRF_COOKIE = "ds_csrftoken"
ACTOR_KEY = "foerderradar_actor"  # where the wrapper leaves the Basic-auth actor for actor_from_request
# datasette-auth-passwords' hashing tool runs PBKDF2 on the event loop for anyone: not offered here
CLOSED_PATHS = {"/-/password-tool"}
MAX_BODY = 64 * 1024  # a decision form is a few hundred bytes; a note is capped at 4000 characters
MAX_KEYS = 10_000  # a spray of invented user names must not grow memory without bound
VERIFIED_TTL = 600.0  # seconds a verified Basic-auth credential is trusted without a new PBKDF2 run


class BadAuthorization(ValueError):
    """An Authorization header that cannot be read; the message says why (shown with HTTP 400)."""


class LoginLimiter:
    """Failed logins per user name and per client address; too many lock the key for a while.

    ``max_failures`` failures of one key within ``lockout`` seconds lock it until ``lockout`` seconds
    after the last of them; the lock then ends by itself. ``clock`` is injectable for tests.
    """

    def __init__(self, max_failures: int, lockout: float, clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.lockout = lockout
        self.clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def locked_for(self, user: str, client: str) -> float:
        """Seconds until a login for this user from this client is possible again (0: now)."""
        now = self.clock()
        return max(self._wait(("user", user), now), self._wait(("client", client), now))

    def failed(self, user: str, client: str) -> None:
        now = self.clock()
        for key in (("user", user), ("client", client)):
            times = self._failures.pop(key, deque(maxlen=self.max_failures))
            times.append(now)
            self._failures[key] = times  # most recently failed last, so the oldest is evicted first
            if len(times) == self.max_failures and now - times[0] < self.lockout:
                # the admin's trace of a guessing attempt; never the password
                LOG.warning("review login: %s %r locked for %.0f s after %d failures", *key, self.lockout,
                            self.max_failures)  # fmt: skip
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def succeeded(self, user: str, client: str) -> None:
        self._failures.pop(("user", user), None)
        self._failures.pop(("client", client), None)

    def _wait(self, key: tuple[str, str], now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and now - times[0] >= self.lockout:
            times.popleft()
        if len(times) < self.max_failures:
            return 0.0
        return max(0.0, times[-1] + self.lockout - now)


def parse_authorization(value: bytes) -> tuple[str, str, str]:
    """``(scheme, user, password)`` from an Authorization header; only Basic carries a user."""
    text = value.decode("latin-1").strip()
    scheme, _, credentials = text.partition(" ")
    if scheme.lower() != "basic":
        return scheme.lower(), "", ""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except binascii.Error:
        raise BadAuthorization("Authorization header: the Basic credentials are not valid base64") from None
    except UnicodeDecodeError:
        raise BadAuthorization("Authorization header: user name and password must be UTF-8 encoded") from None
    user, colon, password = decoded.partition(":")
    if not colon or not user:
        raise BadAuthorization("Authorization header: Basic credentials must be 'user:password'")
    return "basic", user, password


@dataclass(frozen=True)
class Attempt:
    """The outcome of a login attempt: accepted, or refused with the seconds of a lockout (0: wrong)."""

    ok: bool
    wait: float = 0.0


class PasswordChecker:
    """Verifies passwords against datasette-auth-passwords hashes off the event loop, one at a time.

    Every attempt goes through the ``limiter``: a locked user or client is refused without a PBKDF2
    run, also when the lock happened while the attempt waited for its turn.
    """

    def __init__(
        self,
        hashes: Callable[[], dict[str, str]],
        limiter: LoginLimiter,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.hashes = hashes
        self.limiter = limiter
        self.clock = clock
        self.runs = 0  # PBKDF2 verifications done; a flood test checks it stays bounded
        self._lock = asyncio.Lock()
        self._verified: OrderedDict[str, float] = OrderedDict()
        self._dummy_hash: str | None = None

    async def attempt(self, user: str, password: str, client: str, remember: bool = False) -> Attempt:
        """Check a login; ``remember`` trusts a verified credential for a while (Basic auth repeats it)."""
        from datasette_auth_passwords.utils import verify_password

        stored = self.hashes().get(user)
        key = hashlib.sha256(f"{user}\0{password}\0{stored}".encode()).hexdigest()
        wait = self.limiter.locked_for(user, client)
        if wait:
            return Attempt(False, wait)
        if stored and remember and self._verified.get(key, 0.0) > self.clock():
            return Attempt(True)
        async with self._lock:  # PBKDF2 is CPU-bound: one at a time leaves a core for the pages
            wait = self.limiter.locked_for(user, client)  # failures recorded while this one waited
            if wait:
                return Attempt(False, wait)
            self.runs += 1
            # an unknown name costs the same PBKDF2 run as a known one, so timing does not tell names
            ok = await asyncio.to_thread(verify_password, password, stored or await self._dummy())
            ok = ok and bool(stored)
            if not ok:
                self.limiter.failed(user, client)
                return Attempt(False)
        self.limiter.succeeded(user, client)
        if remember:
            self._verified[key] = self.clock() + VERIFIED_TTL
            while len(self._verified) > 64:
                self._verified.popitem(last=False)
        return Attempt(True)

    async def _dummy(self) -> str:
        from datasette_auth_passwords.utils import hash_password

        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(hash_password, secrets.token_hex(16))
        return str(self._dummy_hash)


Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def client_of(scope: dict[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def wrap(app: Asgi, guards: Callable[[], PasswordChecker]) -> Asgi:
    """The ASGI wrapper: authorization first, then the write rules, then Datasette.

    ``guards`` is called per request: Datasette builds its app before the caller attaches them.
    """

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        checker = guards()
        if scope.get("path") in CLOSED_PATHS:
            return await _plain(send, 404, "not found", {})
        headers = dict(scope.get("headers") or [])
        if b"authorization" in headers:
            result = await _basic_actor(headers[b"authorization"], client_of(scope), checker)
            if isinstance(result, tuple):
                return await _plain(send, *result)
            kept = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            scope = {**scope, "headers": kept, ACTOR_KEY: result}
        if scope["method"] not in SAFE_METHODS:
            refused = _write_refusal(headers)
            if refused:
                return await _plain(send, *refused)
            body = await _body(receive)
            if isinstance(body, tuple):
                return await _plain(send, *body)
            receive = _replay(body, receive)
        await app(scope, receive, send)

    return guarded


async def _basic_actor(
    value: bytes, client: str, checker: PasswordChecker
) -> dict[str, str] | tuple[int, str, dict[str, str]]:
    """The actor a Basic-auth header proves, or the refusal ``(status, text, headers)``."""
    challenge = {"www-authenticate": 'Basic realm="Foerderradar", charset="UTF-8"'}
    try:
        scheme, user, password = parse_authorization(value)
    except BadAuthorization as exc:
        return 400, str(exc), {}
    if scheme != "basic":
        return (
            401,
            f"Authorization: the scheme '{scheme}' is not accepted here; use Basic or log in",
            challenge,
        )
    attempt = await checker.attempt(user, password, client, remember=True)
    if attempt.wait:
        minutes = math.ceil(attempt.wait / 60)
        text = f"too many failed logins for this user or client; try again in {minutes} min"
        return 429, text, {"retry-after": str(math.ceil(attempt.wait))}
    if not attempt.ok:
        return 401, "wrong user name or password", challenge
    return {"id": user}


def _write_refusal(headers: dict[bytes, bytes]) -> tuple[int, str, dict[str, str]] | None:
    """Why a state-changing request is refused before it reaches Datasette, or None."""
    content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if content_type != FORM_TYPE:
        shown = content_type.decode("latin-1") or "none"
        return 415, f"forms must be sent as application/x-www-form-urlencoded (got {shown})", {}
    # asgi-csrf skips its check when a request has no cookies: here every write needs the token
    # cookie, so asgi-csrf always compares it with the form's csrftoken field
    if f"{CSRF_COOKIE}=".encode() not in headers.get(b"cookie", b""):
        return 403, "CSRF token missing: open the form first, then send it", {}
    return None


async def _body(receive: Any) -> bytes | tuple[int, str, dict[str, str]]:
    """The whole form body, or why it is refused: Datasette and asgi-csrf decode it as UTF-8 unchecked."""
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return 400, "the request ended before its body", {}
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > MAX_BODY:
            return 413, f"the form is larger than {MAX_BODY // 1024} KB", {}
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "the form is not UTF-8 encoded", {}
    return body


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _plain(send: Any, status: int, text: str, headers: dict[str, str]) -> None:
    body = (text + "\n").encode("utf-8")
    raw = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
