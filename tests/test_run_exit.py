"""`foerderradar run` tells cron and systemd the truth: a stage that failed entirely is exit code 1.

The real CLI in its own process against a loopback server; the daemon's crawl job through its log.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from test_crawler import FEED, SITE, calls_of, write_config

import scheduler
from foerderradar.demo.server import SampleSite

DOWN = '{id: kaputt, name: Kaputt, kind: feed, url: "{base}/kaputt/feed.rss"}'
ERROR_503 = (503, b"<h1>Service Unavailable</h1>")


def foerderradar(folder: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "foerderradar", "--config", str(folder), *args]
    return subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), check=False)


def test_run_exits_1_with_one_summary_line_when_every_source_failed(tmp_path: Path) -> None:
    second = DOWN.replace("id: kaputt, name: Kaputt", "id: kaputt2, name: Kaputt 2").replace(
        "feed.rss", "zwei.rss"
    )
    overrides = {"/kaputt/feed.rss": ERROR_503, "/kaputt/zwei.rss": ERROR_503}
    with SampleSite(root=SITE, overrides=overrides) as site:
        folder = write_config(
            tmp_path / "config", site.base_url, [DOWN, second], retries=1, progress_every=0.4
        )
        done = foerderradar(folder, "run", "--today", "2026-12-01")
    assert done.returncode == 1, done.stderr
    assert "sources crawled   2 (2 with errors)" in done.stdout  # the summary is still printed
    last = done.stderr.strip().splitlines()[-1]
    assert last == "run FAILED: crawl: all 2 sources failed (see the lines above and `foerderradar status`)"
    # the wait before the retry is announced, and a source still waiting says so
    assert "kaputt: " in done.stderr and "failed (HTTP 503); retry 1 of 1 in 1 s" in done.stderr
    assert "still crawling" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_exits_0_when_one_source_of_several_still_works(tmp_path: Path) -> None:
    with SampleSite(root=SITE, overrides={"/kaputt/feed.rss": ERROR_503}) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FEED, DOWN])
        done = foerderradar(folder, "run", "--today", "2026-12-01")
    assert done.returncode == 0, done.stderr
    assert "sources crawled   2 (1 with errors)" in done.stdout
    assert "FAILED" not in done.stderr
    assert len(calls_of(folder)) == 3


def test_the_daemon_logs_a_crawl_job_whose_sources_all_failed_as_failed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with SampleSite(root=SITE, overrides={"/kaputt/feed.rss": ERROR_503}) as site:
        folder = write_config(tmp_path / "config", site.base_url, [DOWN])
        with caplog.at_level(logging.INFO, logger="foerderradar.jobs"):
            assert scheduler.crawl_job(str(folder), "kaputt") is None
    (record,) = [r for r in caplog.records if r.name == "foerderradar.jobs"]
    assert record.levelno == logging.ERROR
    assert "job crawl:kaputt FAILED" in record.getMessage()
    assert "the one source crawled failed" in record.getMessage()


def test_run_exits_1_when_digests_stay_pending(tmp_path: Path) -> None:
    closed = socket.socket()  # bound, never listening: the mail server refuses every connection
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    try:
        with SampleSite(root=SITE) as site:
            folder = write_config(tmp_path / "config", site.base_url, [FEED])
            settings = folder / "settings.yaml"
            mail = f"mail: {{transport: smtp, smtp: {{host: 127.0.0.1, port: {port}, security: none, retries: 1}}}}\n"
            settings.write_text(settings.read_text(encoding="utf-8") + mail, encoding="utf-8")
            done = foerderradar(folder, "run", "--today", "2026-12-01")
    finally:
        closed.close()
    assert done.returncode == 1, done.stderr
    assert "digests           0 written/sent, 1 pending" in done.stdout
    assert done.stderr.strip().splitlines()[-1].startswith("run FAILED: digests: 1 still pending")
    assert len(calls_of(folder)) == 3  # the crawl's calls are stored all the same
