"""The coordinator's Datasette lists the calls × members matrix, the proposed consortia and the interest
marks (views of store migration 8), in headless Chromium after a login."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_review_web import free_port, start_cli_server

from foerderradar.configuration import load_config
from foerderradar.steps import match_step
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
PASSWORD = "Mitglieder-Passwort 2026"


@pytest.fixture
def server(config_dir: Path):
    from test_members import seed  # the invented calls of the members tests

    config = load_config(config_dir)
    store = Store(config.database_path)
    seed(store)
    store.save_interest(
        [{"call_id": "t:verbund", "member_id": "bildwerk", "mark": "interessiert", "by": "jana"}]
    )
    match_step(config, store, date(2026, 11, 23))
    store.close()
    port = free_port()
    process, _ = start_cli_server(config_dir, port, PASSWORD)
    yield f"http://127.0.0.1:{port}", config.database_path.stem
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make test installs it)")
def test_the_matrix_views_list_fits_consortia_and_interest(server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, db = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/-/login")
        page.fill("#id_username", "koordination")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("form.review-login button")
        page.goto(f"{base}/{db}/member_matches?call_id=t%3Averbund")
        content = page.content()
        assert "Bildwerk Vision GmbH" in content and "Hochschule Beispielstadt" in content
        assert "Computer Vision" in content and "interessiert" in content and "(Lead, KMU)" in content
        page.screenshot(path=str(tmp_path / "members-matrix-1280.png"), full_page=True)
        page.goto(f"{base}/{db}/call_consortia")
        content = page.content()
        assert "Verbund mit Forschung nötig" in content and "(Lead, KMU) + " in content
        assert "Bildwerk Vision GmbH" in content  # listed as interested
        page.goto(f"{base}/{db}/member_interest")
        assert "jana" in page.content() and "Verbundprojekte: KI-Bildverarbeitung" in page.content()
        browser.close()
