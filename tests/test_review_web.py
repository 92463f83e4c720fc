"""The coordinator's review page in headless Chromium: log in, the queue, accept, reject, the next call.

Screenshots of the page at 1280 and 375 px go to the tests' output folder (tests/output/, not versioned).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from foerderradar.configuration import ReviewSettings, ReviewWebSettings, Source, load_config
from foerderradar.models import Call, CallFacts, Classification, Deadline, Evidence
from foerderradar.review.web import HOST, ReviewError, metadata, passwords
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).parent / "output"  # screenshots for a person to look at after a run (not versioned)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
PASSWORD = "Prüf-Passwort 2026"
TITLES = ["KI-Piloten im Mittelstand", "Lehrkräftefortbildung Informatik", "Offene Daten"]


def seed(path: Path, facts: bool = False) -> None:
    store = Store(path)
    store.sync_sources([Source(id="a", name="Quelle A", kind="feed", url="https://a.example.org/feed")])
    for number, title in enumerate(TITLES):
        call = Call(
            id=f"a:{number + 1}", source_id="a", url=f"https://a.example.org/{number}", title=title,
            text=title, funder="Ministerium für Beispiele", external_id=f"BEISPIEL-2026-{number + 1}",
        )  # fmt: skip
        store.save_call(call, seen_at=f"2026-11-{20 - number:02d}T06:00:00+00:00")
        evidence = (
            Evidence("topic", "ki", "KI", f"Gefördert werden KI-Vorhaben: {title}.", 1.0),
            Evidence("topic", "daten", "Daten", "Daten werden geteilt.", 0.4),
        )
        result = Classification(
            call_id=call.id, language="de", relevant=True, score=0.5, topics=("ki", "daten"),
            deadlines=(Deadline("2026-12-15", "12:00", None, "skizze", "Skizzen bis 15.12.2026"),
                       Deadline("2027-03-31", None, None, "antrag", "Anträge bis 31.03.2027")),
            rolling=False, next_deadline="2026-12-15", status="open", evidence=evidence,
            facts=CallFacts(
                summary="Gefördert werden Pilotprojekte mit KI in kleinen Firmen.", applicants=("kmu", "hochschule"),
                consortium=True, funding="bis zu 50 %", identifier=f"BEISPIEL-2026-{number + 1}", region="Sachsen",
            ) if facts else CallFacts(),
        )  # fmt: skip
        store.save_classification(
            result, call.content_hash(), ["unsicher: Score 0,50 zwischen 0,35 und 0,65"]
        )
    store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_cli_server(
    config_dir: Path, port: int, password: str = PASSWORD
) -> tuple[subprocess.Popen, list[str]]:
    """``foerderradar review serve`` as a user starts it, once uvicorn says it listens."""
    env = {**os.environ, "FOERDERRADAR_REVIEW_PASSWORD": password}
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
    return process, output


@pytest.fixture
def server(config_dir: Path):
    database = load_config(config_dir).database_path
    seed(database, facts=True)
    process, output = start_cli_server(config_dir, free_port())
    listening = next(line for line in output if "Uvicorn running on" in line)
    assert "http://127.0.0.1:" in listening  # never on the network
    yield listening.split("running on ")[1].split()[0], database
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


def submit(page, selector: str) -> None:
    """Click and wait for the page it leads to (a POST answers with a redirect to the next page)."""
    with page.expect_navigation():
        page.click(selector)


def card(call_id: str) -> str:
    return f"article[data-call-id='{call_id}']"


def fits_the_width(page) -> bool:
    """Nothing pushed off-screen: no horizontal scrolling, every card inside the viewport."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const cards = [...document.querySelectorAll('article.review-card, .review-actions form')];
        return document.documentElement.scrollWidth <= width
            && cards.every(c => c.getBoundingClientRect().right <= width + 0.5);
    }""")


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (make test installs it)"
)


@needs_chromium
def test_coordinator_logs_in_accepts_rejects_and_gets_the_next_call(server):
    from playwright.sync_api import sync_playwright

    base, database = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/{database.stem}/review_queue")
        assert "KI-Piloten" not in page.content()  # nothing to see without a login
        page.goto(base)
        assert page.url.endswith("/-/login")
        page.fill("#id_username", "koordination")
        page.fill("#id_password", PASSWORD)
        submit(page, "form.review-login button")
        assert page.url.endswith("/-/review")  # the start page after login is the queue
        first = page.locator(card("a:1"))
        text = first.inner_text()
        for shown in ("KI-Piloten im Mittelstand", "Ministerium für Beispiele", "BEISPIEL-2026-1",
                      "Gefördert werden Pilotprojekte mit KI", "KMU, Hochschulen", "Verbund nötig",
                      "bis zu 50 %", "Sachsen", "Projektskizze: 15.12.2026, 12:00 Uhr", "Vollantrag: 31.03.2027",
                      "Künstliche Intelligenz, Daten und Datenökonomie", "unsicher: Score 0,50",
                      "Gefördert werden KI-Vorhaben"):  # fmt: skip
            assert shown in text, shown
        assert '["' not in text  # topics and applicants as names, not raw JSON
        assert first.locator("h2 a").get_attribute("href") == "https://a.example.org/0"
        accept = first.locator("form.review-accept")
        assert accept.locator("select").count() == 0 and "nicht KI" not in accept.inner_text()
        assert fits_the_width(page)
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "review-page-1280.png"), full_page=True)
        page.set_viewport_size({"width": 375, "height": 800})
        assert fits_the_width(page)
        page.screenshot(path=str(OUTPUT / "review-page-375.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        first.locator("form.review-accept input[name=note]").fill("mit Hochschule prüfen")
        submit(page, f"{card('a:1')} form.review-accept button")
        assert "Gespeichert: „KI-Piloten im Mittelstand“ angenommen von koordination" in page.content()
        assert page.locator("#weiter").get_attribute("data-call-id") == "a:2"  # the next call
        assert page.locator(card("a:1")).count() == 0

        second = page.locator(card("a:2"))
        second.locator("select[name=reason]").select_option("Frist zu knapp")
        second.locator("form.review-reject input[name=note]").fill("erst 2027 wieder")
        submit(page, f"{card('a:2')} form.review-reject button")
        assert "abgelehnt („Frist zu knapp“) von koordination" in page.content()
        assert page.locator("#weiter").get_attribute("data-call-id") == "a:3"
        browser.close()

    assert reviews(database) == {
        "a:1": ("accept", None, "mit Hochschule prüfen", "koordination"),
        "a:2": ("reject", "Frist zu knapp", "erst 2027 wieder", "koordination"),
    }


def log_in(page, base: str) -> None:
    page.goto(f"{base}/-/login")
    page.fill("#id_username", "koordination")
    page.fill("#id_password", PASSWORD)
    submit(page, "form.review-login button")


@needs_chromium
def test_bad_input_gets_a_message_keeps_what_was_typed_and_saves_nothing(server):
    from playwright.sync_api import sync_playwright

    base, database = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context()
        page = context.new_page()
        log_in(page, base)
        reject = f"{card('a:3')} form.review-reject"
        # a reject without a reason (the browser's own "required" check taken away, as an old browser would)
        page.eval_on_selector(f"{reject} select", "s => s.removeAttribute('required')")
        page.fill(f"{reject} input[name=note]", "kein KI-Bezug erkennbar")
        submit(page, f"{reject} button")
        assert "Bitte einen Grund für die Ablehnung wählen." in page.locator(card("a:3")).inner_text()
        assert page.input_value(f"{reject} input[name=note]") == "kein KI-Bezug erkennbar"
        assert page.locator(card("a:3")).count() == 1 and "a:3" not in reviews(database)
        page.set_viewport_size({"width": 375, "height": 800})
        assert fits_the_width(page)
        OUTPUT.mkdir(exist_ok=True)
        page.locator(card("a:3")).screenshot(path=str(OUTPUT / "review-page-error-375.png"))
        page.set_viewport_size({"width": 1280, "height": 900})

        # a reason that is not one of review.reason_codes
        page.eval_on_selector(
            f"{reject} select",
            "s => { s.add(new Option('keine Lust', 'keine Lust')); s.value = 'keine Lust'; }",
        )
        submit(page, f"{reject} button")
        assert "Unbekannter Grund „keine Lust“" in page.content()
        assert page.input_value(f"{reject} input[name=note]") == "kein KI-Bezug erkennbar"

        # an unknown call id
        accept = f"{card('a:3')} form.review-accept"
        page.eval_on_selector(f"{accept} input[name=call_id]", "i => { i.value = 'a:999'; }")
        page.fill(f"{accept} input[name=note]", "bitte merken")
        submit(page, f"{accept} button")
        assert "Unbekannte Aufruf-ID „a:999“: nichts gespeichert." in page.content()
        assert page.input_value("textarea[name=typed_note]") == "bitte merken"

        # a double submit: the same call decided in a second tab meanwhile
        stale = context.new_page()
        stale.goto(f"{base}/-/review")
        submit(page, f"{card('a:3')} form.review-accept button")
        stale.select_option(f"{reject} select", "nicht KI")
        stale.fill(f"{reject} input[name=note]", "doch nicht")
        submit(stale, f"{reject} button")
        assert "„Offene Daten“ wurde inzwischen schon angenommen (von koordination" in stale.content()
        assert "Ihre Eingabe wurde nicht gespeichert" in stale.content()
        assert stale.input_value("textarea[name=typed_note]") == "doch nicht"

        # a logged-in POST without the form's CSRF token is refused
        forged = page.request.post(f"{base}/-/review/decide", form={"call_id": "a:1", "decision": "accept"})
        assert forged.status == 403
        assert page.goto(f"{base}/{database.stem}?sql=select+1").status == 403  # raw SQL is off by default
        browser.close()
    assert reviews(database) == {"a:3": ("accept", None, None, "koordination")}


def test_no_password_in_the_environment_is_a_clear_error():
    with pytest.raises(ReviewError, match=r"export \$FOERDERRADAR_REVIEW_PASSWORD for 'koordination'"):
        passwords(ReviewSettings(), {})


def test_the_instance_needs_a_coordinator_and_raw_sql_is_a_setting(store):
    meta = metadata("test", ["koordination"], store, ReviewSettings())
    assert meta["allow"] == {"id": ["koordination"]} and meta["allow_sql"] is False
    queries = meta["databases"]["test"]["queries"]
    assert not [name for name, query in queries.items() if query.get("write")]  # decisions: the page
    allowed = ReviewSettings(web=ReviewWebSettings(allow_sql=True))
    assert metadata("test", ["koordination"], store, allowed)["allow_sql"] == {"id": ["koordination"]}


def test_a_decision_is_saved_once_even_when_sent_twice(tmp_path):
    database = tmp_path / "r.db"
    seed(database)
    store = Store(database)
    try:
        decision = {"call_id": "a:1", "decision": "accept", "reason": None, "note": "x", "by": "anna",
                    "at": "2026-12-01T08:00:00+00:00"}  # fmt: skip
        assert store.record_decision(decision, None) == "saved"
        assert (
            store.record_decision({**decision, "decision": "reject", "reason": "nicht KI"}, None) == "stale"
        )
        assert store.record_decision({**decision, "call_id": "a:9"}, None) == "unknown"
        later = {**decision, "note": "y", "at": "2026-12-02T08:00:00+00:00"}
        assert store.record_decision(later, "2026-12-01T08:00:00+00:00") == "saved"  # saw the first decision
        assert store.review_of("a:1").note == "y" and "a:1" not in store.review_queue_ids()
    finally:
        store.close()


def test_a_taken_port_is_one_clear_line_and_exit_1(config_dir):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "foerderradar", "--config", str(config_dir), "review", "serve", "--port", str(port)],
            cwd=ROOT, env={**os.environ, "FOERDERRADAR_REVIEW_PASSWORD": PASSWORD}, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"review.web.port: cannot listen on 127.0.0.1:{port}" in result.stderr
