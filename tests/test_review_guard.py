"""The review view's front door over real HTTP on loopback: lockouts, auth headers, CSRF on every write."""

from __future__ import annotations

import base64
import http.client
import re
import socket
import threading
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import uvicorn
from test_review_web import PASSWORD, reviews, seed

from foerderradar.configuration import ReviewSettings, ReviewWebSettings
from foerderradar.review.guard import BadAuthorization, LoginLimiter, parse_authorization
from foerderradar.review.page import site_of
from foerderradar.review.web import HOST, build
from foerderradar.store import Store

SETTINGS = ReviewSettings(web=ReviewWebSettings(login_failures=5, lockout_minutes=15))
USER = "koordination"


class Clock:
    """The lockout's clock, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Client:
    """HTTP on loopback from a chosen source address (all of 127.0.0.0/8 is this machine)."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None,
                body: bytes | None = None):  # fmt: skip
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30, source_address=(self.source, 0))
        sent = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        for value in response.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, text

    def token(self, path: str = "/-/login") -> str:
        status, _, text = self.request("GET", path)
        return re.search(r'name="csrftoken" value="([^"]+)"', text).group(1)

    def log_in(self, user: str, password: str):
        return self.request(
            "POST", "/-/login", {"username": user, "password": password, "csrftoken": self.token()}
        )


@pytest.fixture
def live(tmp_path: Path):
    """The review view in this process on a loopback socket, with a clock the test moves."""
    database = tmp_path / "review.db"
    seed(database)
    store = Store(database)
    clock = Clock()
    datasette = build(store, SETTINGS, {"FOERDERRADAR_REVIEW_PASSWORD": PASSWORD}, clock=clock)
    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen(64)  # connections wait in the backlog until uvicorn accepts them: no start-up wait
    server = uvicorn.Server(uvicorn.Config(datasette.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield sock.getsockname()[1], clock, datasette, database
    server.should_exit = True
    thread.join(timeout=20)
    store.close()


def basic(user: str, password: str, encoding: str = "utf-8") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode(encoding)).decode()}


def test_the_limiter_locks_a_user_and_a_client_and_unlocks_by_itself(caplog):
    clock = Clock()
    limiter = LoginLimiter(3, 600, clock)
    for _ in range(3):
        assert limiter.locked_for("anna", "10.0.0.1") == 0
        limiter.failed("anna", "10.0.0.1")
    assert limiter.locked_for("anna", "10.0.0.2") == 600  # the user, from anywhere
    assert limiter.locked_for("bert", "10.0.0.1") == 600  # the client, for any user
    assert limiter.locked_for("bert", "10.0.0.2") == 0
    assert "review login: user 'anna' locked for 600 s after 3 failures" in caplog.text
    clock.now += 599
    assert limiter.locked_for("anna", "10.0.0.2") == 1
    clock.now += 1
    assert limiter.locked_for("anna", "10.0.0.1") == 0  # the lock ended by itself


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"Basic !!!not-base64", "not valid base64"),
        (b"Basic " + base64.b64encode("koordination:Prüf".encode("latin-1")), "must be UTF-8"),
        (b"Basic " + base64.b64encode(b"no-colon"), "must be 'user:password'"),
        (b"Basic", "must be 'user:password'"),
    ],
)
def test_malformed_basic_credentials_are_named(header, message):
    with pytest.raises(BadAuthorization, match=message):
        parse_authorization(header)


def test_form_login_locks_out_after_failures_per_user_and_per_client_and_ends_by_itself(live):
    port, clock, datasette, _ = live
    guesser = Client(port, "127.0.0.2")
    for attempt in range(SETTINGS.web.login_failures):
        status, _, text = guesser.log_in(USER, f"falsch {attempt}")
        assert status == 401 and "Name oder Passwort falsch." in text
        assert 'value="koordination"' in text  # the form keeps the name that was typed
    # the user is locked, even from another client and with the right password
    coordinator = Client(port, "127.0.0.3")
    status, _, text = coordinator.log_in(USER, PASSWORD)
    assert status == 429 and "Zu viele Fehlversuche" in text and "in 15 Minuten wieder möglich" in text
    # the guessing client is locked for other names too
    assert guesser.log_in("bert", "x")[0] == 429
    clock.now += 15 * 60
    status, headers, _ = coordinator.log_in(USER, PASSWORD)
    assert status == 302 and headers["location"] == "/-/review"
    assert coordinator.request("GET", "/-/review")[0] == 200


def test_a_basic_auth_flood_is_cut_off_and_does_not_run_the_hash_for_every_guess(live):
    port, clock, datasette, _ = live

    def guess(number: int) -> int:
        client = Client(port, f"127.0.1.{number % 8 + 1}")  # 8 clients at once
        return client.request("GET", "/-/review", headers=basic(USER, f"rate {number}"))[0]

    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(pool.map(guess, range(40)))
    assert statuses == {401: 5, 429: 35}
    checker = site_of(datasette).checker
    assert checker.runs == 5  # only the first guesses cost a PBKDF2 run; the rest are refused at once
    flood = Client(port, "127.0.0.4")
    status, headers, text = flood.request("GET", "/-/review", headers=basic(USER, PASSWORD))
    assert status == 429 and int(headers["retry-after"]) == 15 * 60 and "try again in 15 min" in text
    clock.now += 15 * 60
    assert flood.request("GET", "/-/review", headers=basic(USER, PASSWORD))[0] == 200
    runs = checker.runs
    for _ in range(5):  # a browser sends the header with every request: verified once, then remembered
        assert flood.request("GET", "/-/review", headers=basic(USER, PASSWORD))[0] == 200
    assert checker.runs == runs


@pytest.mark.parametrize(
    ("header", "status", "message"),
    [
        ("Basic ###", 400, "not valid base64"),
        (
            "Basic " + base64.b64encode("koordination:Prüf-Passwort 2026".encode("latin-1")).decode(),
            400,
            "UTF-8",
        ),
        ("Basic " + base64.b64encode(b"koordination").decode(), 400, "'user:password'"),
        ("Bearer dstok_abc", 401, "scheme 'bearer' is not accepted"),
        ("Digest username=x", 401, "scheme 'digest' is not accepted"),
    ],
)
def test_malformed_auth_headers_get_a_clear_4xx_not_500(live, header, status, message):
    port = live[0]
    got, _, text = Client(port).request("GET", "/-/review", headers={"Authorization": header})
    assert got == status and message in text


def test_a_non_ascii_password_works_over_basic_auth(live):
    status, _, text = Client(live[0]).request("GET", "/-/review", headers=basic(USER, PASSWORD))
    assert status == 200 and "Prüfliste" in text


def test_basic_auth_and_bearer_posts_need_the_csrf_token_too(live):
    port, _, _, database = live
    form = {"call_id": "a:1", "decision": "accept", "note": "", "seen": ""}
    client = Client(port)
    status, _, text = client.request("POST", "/-/review/decide", form, basic(USER, PASSWORD))
    assert status == 403 and "CSRF token missing" in text
    assert client.request("POST", "/-/review/decide", form, {"Authorization": "Bearer x"})[0] == 401
    client.cookies["ds_csrftoken"] = "forged"
    assert client.request("POST", "/-/review/decide", form, basic(USER, PASSWORD))[0] == 403
    assert reviews(database) == {}
    # with the token of a form it loaded (as a browser does), the same Basic-auth POST is saved
    client.cookies.clear()
    status, _, page = client.request("GET", "/-/review", headers=basic(USER, PASSWORD))
    token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    status, headers, _ = client.request(
        "POST", "/-/review/decide", {**form, "csrftoken": token}, basic(USER, PASSWORD)
    )
    assert status == 302 and headers["location"].startswith("/-/review?saved=a%3A1")
    assert reviews(database) == {"a:1": ("accept", None, None, USER)}


def test_multipart_and_other_bodies_are_refused_with_415_not_500(live):
    port, _, _, database = live
    client = Client(port)
    client.log_in(USER, PASSWORD)
    body = b'--x\r\nContent-Disposition: form-data; name="call_id"\r\n\r\na:1\r\n--x--\r\n'
    for content_type in ("multipart/form-data; boundary=x", "multipart/form-data", "application/json"):
        status, _, text = client.request(
            "POST", "/-/review/decide", headers={"Content-Type": content_type}, body=body
        )
        assert status == 415 and "application/x-www-form-urlencoded" in text
    assert reviews(database) == {}


def test_anonymous_posts_and_the_password_tool_are_refused(live):
    port, _, _, database = live
    client = Client(port)
    form = {"call_id": "a:1", "decision": "accept", "csrftoken": client.token()}
    status, _, text = client.request("POST", "/-/review/decide", form)
    assert status == 403 and "anmelden" in text
    assert client.request("GET", "/-/password-tool")[0] == 404
    assert reviews(database) == {}


def test_a_form_that_is_not_utf8_or_too_big_is_refused_not_500(live):
    port, _, _, database = live
    client = Client(port)
    client.log_in(USER, PASSWORD)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, text = client.request(
        "POST", "/-/review/decide", headers=form, body=b"call_id=a:1&note=\xff\xfe"
    )
    assert status == 400 and "not UTF-8" in text
    status, _, text = client.request("POST", "/-/review/decide", headers=form, body=b"note=" + b"x" * 70_000)
    assert status == 413 and "larger than 64 KB" in text
    assert reviews(database) == {}


def test_the_same_decision_sent_twice_is_saved_once_and_both_answers_lead_on(live):
    port, _, _, database = live
    client = Client(port)
    client.log_in(USER, PASSWORD)
    form = {"call_id": "a:2", "decision": "reject", "reason": "nicht KI", "note": "kein Bezug", "seen": ""}
    form["csrftoken"] = client.token("/-/review")
    first = client.request("POST", "/-/review/decide", form)
    second = client.request("POST", "/-/review/decide", form)  # a double click, or a resent form
    assert first[0] == second[0] == 302
    assert reviews(database) == {"a:2": ("reject", "nicht KI", "kein Bezug", USER)}
    status, _, text = client.request("POST", "/-/review/decide", {**form, "reason": "Frist zu knapp"})
    assert status == 409 and "wurde inzwischen schon abgelehnt" in text and "nicht gespeichert" in text
    assert reviews(database) == {"a:2": ("reject", "nicht KI", "kein Bezug", USER)}


def test_an_extension_adds_lines_to_each_card(tmp_path):
    """The seam the members' view will use: more lines per call without touching the template."""
    import asyncio

    import httpx

    database = tmp_path / "ext.db"
    seed(database)
    store = Store(database)

    def interest(tables, ids):
        return {call_id: [("Interesse", f"2 Mitglieder ({call_id})")] for call_id in ids}

    datasette = build(store, SETTINGS, {"FOERDERRADAR_REVIEW_PASSWORD": PASSWORD}, extensions=[interest])

    async def page() -> str:
        transport = httpx.ASGITransport(app=datasette.app())
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return (await client.get("/-/review", headers=basic(USER, PASSWORD))).text

    try:
        text = asyncio.run(page())
    finally:
        store.close()
    assert "<dt>Interesse</dt><dd>2 Mitglieder (a:1)</dd>" in text
