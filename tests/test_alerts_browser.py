"""The HTML digest in a real headless Chromium at a phone and a desktop width: no sideways scrolling,
every entry visible with its facts, nothing fetched from the network. Screenshots go to the tests'
output folder (tests/output/, not versioned). Skips when /usr/bin/chromium is absent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_alerts import UNTRUSTED, load_sample, parse, run, with_lists

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).parent / "output"  # screenshots for a person to look at after a run
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (make browser)"
)

LONG = {
    "id": "fdb:long",
    "source_id": "fdb",
    "url": "https://www.example-fdb.de/programme/" + "sehr-langer-pfad-" * 12 + "ende",
    "title": "Donaudampfschifffahrtsgesellschaftskapitänsförderprogrammbekanntmachungsrichtlinie"
    " für KI-gestützte Datenräume in der mittelständischen Industrie",
    "funder": "Bundesministerium für Wirtschaft und Energie (BMWE) – Referat Digitalisierung",
    "fields": {},
    "score": 0.74,
    "relevant": True,
    "topics": ["ki", "daten", "digital"],
    "status": "open",
    "deadlines": [
        {
            "date": "2027-01-31",
            "time": None,
            "timezone": None,
            "kind": "skizze",
            "raw": "Projektskizzen können bis zum 31. Januar 2027 über das elektronische Portal"
            " easy-Online eingereicht werden",
        }
    ],
}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def digest_html(store, config, language: str = "de") -> str:
    load_sample(store, [LONG, UNTRUSTED])
    config = with_lists(config, frequency="immediate", language=language)
    report = run(store, config, now=datetime(2026, 11, 23, 7, tzinfo=UTC))
    msg = parse((config.outbox_path / f"{report.sent[0].digest_id}.eml").read_bytes())
    return msg.get_body(("html",)).get_content()


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("width", [375, 1280])
def test_digest_layout_at_phone_and_desktop_width(browser, store, config, width, language):
    html = digest_html(store, config, language)
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(html, wait_until="load")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"digest-{language}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal overflow of {overflow}px at {width}px"
    entries = page.locator("td.entry")
    assert entries.count() == 7
    for index in range(entries.count()):
        box = entries.nth(index).bounding_box()
        assert box and box["height"] > 20 and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
    container = page.locator("table.digest").bounding_box()
    assert container and container["width"] <= 640 + 0.5  # readable line length on a desktop
    facts = page.locator("div.facts")
    assert facts.count() == 4 and all(facts.nth(i).is_visible() for i in range(facts.count()))
    who = "Wer: KMU, Hochschulen" if language == "de" else "Who: SMEs, universities"
    assert page.get_by_text(who, exact=False).count() == 1
    assert page.locator("div.summary").first.bounding_box()["width"] <= width  # type: ignore[index]
    assert page.locator("script").count() == 0
    assert page.get_by_text("<script>alert('x')</script>", exact=False).count() == 1  # shown as text
    assert not [url for url in requests if not url.startswith(("about:", "data:"))]
    page.close()
