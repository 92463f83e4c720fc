"""The coordinator's web view in headless Chromium: log in, open the queue, accept and reject, no anonymous writes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from foerderradar.configuration import ReviewSettings, Source, load_config
from foerderradar.models import Call, Classification, Deadline
from foerderradar.review.web import ReviewError, metadata, passwords
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
PASSWORD = "Prüf-Passwort 2026"


def seed(path: Path) -> None:
    store = Store(path)
    store.sync_sources([Source(id="a", name="Quelle A", kind="feed", url="https://a.example.org/feed")])
    for number, title in enumerate(
        ["KI-Piloten im Mittelstand", "Lehrkräftefortbildung Informatik", "Offene Daten"]
    ):
        call = Call(
            id=f"a:{number + 1}",
            source_id="a",
            url=f"https://a.example.org/{number}",
            title=title,
            text=title,
        )
        store.save_call(call)
        result = Classification(
            call_id=call.id, language="de", relevant=True, score=0.5, topics=("ki",),
            deadlines=(Deadline("2026-03-31", None, None, "single", "bis 31.03.2026"),), rolling=False,
            next_deadline="2026-03-31", status="open",
        )  # fmt: skip
        store.save_classification(
            result, call.content_hash(), ["unsicher: Score 0,50 zwischen 0,35 und 0,65"]
        )
    store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(config_dir: Path):
    database = load_config(config_dir).database_path
    seed(database)
    port = free_port()
    env = {**os.environ, "FOERDERRADAR_REVIEW_PASSWORD": PASSWORD}
    process = subprocess.Popen(
        [sys.executable, "-m", "foerderradar", "--config", str(config_dir), "review", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    guard = threading.Timer(60, process.kill)  # a hung start fails the test instead of hanging it
    guard.start()
    output = []
    for line in process.stdout:  # wait for uvicorn to say it listens; no sleeps
        output.append(line)
        if "Uvicorn running on" in line:
            break
    guard.cancel()
    if process.poll() is not None:
        pytest.fail("review serve did not start:\n" + "".join(output))
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
    yield f"http://127.0.0.1:{port}", database
    process.terminate()
    process.wait(timeout=20)


def reviews(database: Path) -> dict[str, tuple]:
    store = Store(database)
    try:
        return {
            r["call_id"]: (r["decision"], r["reason"], r["note"], r["by"])
            for r in store.rows("SELECT * FROM reviews")
        }
    finally:
        store.close()


def submit(page, selector: str = "input[type=submit][value='Run SQL']") -> None:
    """Click and wait for the page it leads to (a POST answers with a redirect to the next page)."""
    with page.expect_navigation():
        page.click(selector)


def post(url: str, data: dict[str, str], headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, urllib.parse.urlencode(data).encode(), headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make test installs it)")
def test_coordinator_logs_in_accepts_and_rejects_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    base, database = server
    queue = f"{base}/{database.stem}/review_queue"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(queue)
        assert "KI-Piloten" not in page.content()  # nothing to see without a login
        page.goto(f"{base}/-/login")
        page.fill("#id_username", "koordination")
        page.fill("#id_password", PASSWORD)
        submit(page, "input[type=submit]")
        page.goto(queue)
        assert "KI-Piloten im Mittelstand" in page.content()
        assert "Lehrkräftefortbildung Informatik" in page.content()

        submit(page, "a[href$='accept_call?call_id=a%3A1']")
        page.fill("input[name=note]", "mit Hochschule prüfen")
        submit(page)
        assert "Gespeichert: annehmen" in page.content()

        page.goto(queue)
        submit(page, "a[href$='reject_call?call_id=a%3A2']")
        page.fill("input[name=reason]", "Frist zu knapp")
        submit(page)
        assert "Gespeichert: ablehnen" in page.content()
        assert page.url == queue  # back to the queue for the next decision

        page.goto(f"{base}/{database.stem}/reject_call?call_id=a:3")
        page.fill("input[name=reason]", "keine Lust")  # not a configured reason code
        submit(page)
        assert "Nicht gespeichert" in page.content()

        page.goto(queue)
        assert "KI-Piloten" not in page.content() and "Offene Daten" in page.content()
        # a logged-in POST without the form's CSRF token is refused too
        forged = page.request.post(
            f"{base}/{database.stem}/accept_call", form={"call_id": "a:3", "reason": "", "note": ""}
        )
        assert forged.status == 403
        page.goto(f"{base}/{database.stem}/source_health")  # sources' health
        assert "Quelle A" in page.content()
        page.goto(f"{base}/{database.stem}/calls?_search=Daten")  # full-text search over calls
        assert "Offene Daten" in page.content() and "KI-Piloten" not in page.content()
        browser.close()

    assert reviews(database) == {
        "a:1": ("accept", None, "mit Hochschule prüfen", "koordination"),
        "a:2": ("reject", "Frist zu knapp", None, "koordination"),
    }


def test_anonymous_post_to_the_write_query_is_refused(server):
    base, database = server
    url = f"{base}/{database.stem}/accept_call"
    assert post(url, {"call_id": "a:3", "reason": "", "note": ""}) == 403
    assert post(url, {"call_id": "a:3"}, {"Accept": "application/json"}) == 403
    assert reviews(database) == {}


def test_no_password_in_the_environment_is_a_clear_error():
    with pytest.raises(ReviewError, match=r"export \$FOERDERRADAR_REVIEW_PASSWORD for 'koordination'"):
        passwords(ReviewSettings(), {})


def test_every_write_query_and_the_instance_need_a_coordinator(store):
    meta = metadata("test", ["koordination"], store, ReviewSettings())
    assert meta["allow"] == {"id": ["koordination"]} and meta["allow_sql"] == {"id": ["koordination"]}
    queries = meta["databases"]["test"]["queries"]
    writes = [name for name, query in queries.items() if query.get("write")]
    assert sorted(writes) == ["accept_call", "reject_call"]
    assert all(queries[name]["allow"] == {"id": ["koordination"]} for name in writes)
