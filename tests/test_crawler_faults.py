"""Faults during a crawl: a full disk, a killed run, a dead parent, a source that waits and retries.

Each test runs the real CLI in its own process (as cron or systemd would) against a loopback server.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

from test_crawler import FEED, SITE, calls_of, write_config

from foerderradar.configuration import load_config
from foerderradar.demo.server import SampleSite
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]

# Fault injection for the processes under test only: every SQLite connection they open may grow
# the database by a few pages, then SQLite answers SQLITE_FULL exactly as on a full disk.
DISK_FULL = """
import os, sqlite3
_connect = sqlite3.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + int(os.environ['TEST_SQLITE_SPARE_PAGES'])}")
    return conn
sqlite3.connect = connect
"""


def foerderradar(
    folder: Path, *args: str, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "foerderradar", "--config", str(folder), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False, **kwargs
    )


def rows(folder: Path, sql: str) -> list[dict]:
    store = Store(load_config(folder).database_path)
    try:
        return store.rows(sql)
    finally:
        store.close()


def big_feed(count: int) -> str:
    paragraph = "Gefördert werden Vorhaben zur Erprobung neuer Verfahren in kleinen Unternehmen. " * 40
    items = "".join(
        f"<item><title>Aufruf {n}</title><link>https://example.org/aufruf/{n}</link>"
        f"<description>{paragraph} Nummer {n}.</description></item>"
        for n in range(count)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def test_a_full_disk_stops_the_crawl_with_one_message_and_keeps_what_was_stored(tmp_path: Path) -> None:
    (tmp_path / "inject").mkdir()
    (tmp_path / "inject" / "sitecustomize.py").write_text(DISK_FULL, encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "gross.rss").write_text(big_feed(400), encoding="utf-8")
    big = '{id: gross, name: Gross, kind: feed, url: "{base}/gross.rss"}'
    second = '{id: zweite, name: Zweite, kind: feed, url: "{base}/gross.rss?zwei"}'
    with SampleSite(root=SITE) as site, SampleSite(root=tmp_path / "site") as other:
        folder = write_config(tmp_path / "config", site.base_url, [FEED])
        assert foerderradar(folder, "crawl").returncode == 0
        before = calls_of(folder)
        assert len(before) == 3
        entries = [FEED, big.replace("{base}", other.base_url), second.replace("{base}", other.base_url)]
        write_config(folder, site.base_url, entries)
        inject = {"PYTHONPATH": str(tmp_path / "inject"), "TEST_SQLITE_SPARE_PAGES": "12"}
        done = foerderradar(folder, "crawl", env=inject)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-3000:]  # one line, not one traceback per call
    assert lines[0].startswith("error: ") and "the disk is full" in lines[0]
    assert "foerderradar.db" in lines[0] and "Free some space" in lines[0]
    after = calls_of(folder)
    # nothing stored before was lost or changed (a re-crawl may only say it saw the call again)
    seen = lambda calls: {k: {**v, "last_seen": None} for k, v in calls.items()}  # noqa: E731
    assert seen({k: after[k] for k in before}) == seen(before)
    assert 0 < len(after) - len(before) < 400  # what fitted is kept; the crawl did not go on
    store = Store(load_config(folder).database_path)
    try:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


class Hanging:
    """Route handler state: ``/slow.rss`` waits until the test lets it answer."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()


def serve_slow(site: SampleSite, hanging: Hanging) -> None:
    """Make ``/slow.rss`` on ``site`` block until released (the crawl is then "in progress")."""
    original = site._server.RequestHandlerClass._serve  # type: ignore[union-attr]

    def _serve(handler: object, with_body: bool) -> None:
        if handler.path.startswith("/slow.rss"):  # type: ignore[attr-defined]
            hanging.asked.set()
            hanging.release.wait(30)
        original(handler, with_body)

    site._server.RequestHandlerClass._serve = _serve  # type: ignore[union-attr]


def wait_for_exit(pid: int, timeout: float) -> bool:
    """Wait for any process (not only a child) to end, through a pidfd; True when it ended."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def test_killing_the_parent_ends_the_crawl_child_and_its_row_says_interrupted(tmp_path: Path) -> None:
    hanging = Hanging()
    slow = '{id: langsam, name: Langsam, kind: feed, url: "{base}/slow.rss"}'
    with SampleSite(root=SITE, overrides={"/slow.rss": (200, b"<rss/>")}) as site:
        serve_slow(site, hanging)
        # the feed is on the same site, so it waits for the slow source: it must never start
        folder = write_config(tmp_path / "config", site.base_url, [slow, FEED], timeout=20)
        command = [sys.executable, "-m", "foerderradar", "--config", str(folder), "crawl"]
        parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert hanging.asked.wait(60), "the crawl never asked for the slow feed"
            (row,) = rows(folder, "SELECT * FROM crawl_runs")
            assert row["status"] == "running" and row["pid"] != parent.pid
            parent.kill()  # SIGKILL: the parent cannot tell its child anything
            parent.wait(10)
            hanging.release.set()  # the download in flight may finish; nothing new may start
            assert wait_for_exit(row["pid"], 30), "the crawl child kept running after its parent died"
        finally:
            hanging.release.set()
            if parent.poll() is None:
                parent.kill()
            parent.wait(10)
            if parent.stderr:
                parent.stderr.close()
    (row,) = rows(folder, "SELECT * FROM crawl_runs")  # the queued feed never started
    assert row["status"] == "interrupted" and row["finished"]
    assert any("interrupted" in m["message"] for m in json.loads(row["error_messages"]))
    assert not any(e.path.startswith("/bmx/") for e in site.log)
    assert calls_of(folder) == {}


def test_a_run_row_left_running_by_a_killed_crawl_is_marked_interrupted_by_the_next(tmp_path: Path) -> None:
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FEED])
        assert foerderradar(folder, "crawl").returncode == 0
        before = calls_of(folder)
        store = Store(load_config(folder).database_path)
        try:  # what a crawl child killed with SIGKILL (or the machine losing power) leaves behind
            dead = subprocess.run(
                [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
            )
            store.start_crawl_run("old-run", "feed", "2026-01-01T06:00:00+00:00", int(dead.stdout))
        finally:
            store.close()
        done = foerderradar(folder, "crawl")
    assert done.returncode == 0, done.stderr
    old = rows(folder, "SELECT * FROM crawl_runs WHERE run_id = 'old-run'")[0]
    assert old["status"] == "interrupted" and old["errors"] == 1
    assert "interrupted: the crawl process ended" in json.loads(old["error_messages"])[0]["message"]
    statuses = [r["status"] for r in rows(folder, "SELECT * FROM crawl_runs WHERE run_id != 'old-run'")]
    assert statuses == ["finished", "finished"]
    assert calls_of(folder).keys() == before.keys()


def test_a_killed_crawl_child_leaves_its_row_interrupted(tmp_path: Path) -> None:
    hanging = Hanging()
    slow = '{id: langsam, name: Langsam, kind: feed, url: "{base}/slow.rss"}'
    with SampleSite(root=SITE, overrides={"/slow.rss": (200, b"<rss/>")}) as site:
        serve_slow(site, hanging)
        folder = write_config(tmp_path / "config", site.base_url, [slow], timeout=20)
        command = [sys.executable, "-m", "foerderradar", "--config", str(folder), "crawl"]
        parent = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert hanging.asked.wait(60)
            (row,) = rows(folder, "SELECT * FROM crawl_runs")
            os.kill(row["pid"], signal.SIGKILL)
            out, err = parent.communicate(timeout=30)
        finally:
            hanging.release.set()
            if parent.poll() is None:
                parent.kill()
                parent.communicate()
    assert parent.returncode == 1
    assert "exited with code -9" in err and "Traceback" not in err
    (row,) = rows(folder, "SELECT * FROM crawl_runs")
    assert row["status"] == "interrupted"


def test_status_says_a_run_was_interrupted(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "config", "http://127.0.0.1:9", [FEED])
    store = Store(load_config(folder).database_path)
    try:
        store.sync_sources(load_config(folder).sources)
        row = store.start_crawl_run("r", "feed", "2026-12-01T06:00:00+00:00", 0)
        store.interrupt_crawl_runs(lambda pid: True)
        assert store.crawl_runs("r")[0]["id"] == row
    finally:
        store.close()
    done = foerderradar(folder, "status")
    assert done.returncode == 0, done.stderr
    assert "(interrupted)" in done.stdout
    assert "first problem: interrupted: the crawl process ended before this source finished" in done.stdout


def test_a_reused_pid_does_not_keep_a_stale_row_running() -> None:
    from crawler.run import process_gone

    assert process_gone(0) and process_gone(-1)
    assert process_gone(os.getpid()) == Path("/proc/self").exists()  # pytest is alive but no crawl
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    assert process_gone(int(ended.stdout))


def test_an_unwritable_http_cache_is_one_warning_and_the_crawl_goes_on(tmp_path: Path) -> None:
    with SampleSite(root=SITE) as site:
        folder = write_config(tmp_path / "config", site.base_url, [FEED])
        cache = load_config(folder).database_path.parent / "httpcache"
        cache.parent.mkdir(parents=True)
        cache.write_text("not a folder", encoding="utf-8")  # every page write fails
        done = foerderradar(folder, "crawl")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "HTTP cache" in line]
    assert len(warnings) == 1 and "crawling on without it" in warnings[0]
    assert "Traceback" not in done.stderr
    assert len(calls_of(folder)) == 3


def test_feed_entries_sharing_a_page_are_all_kept(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "seite.html").write_text(
        "<html><body><main><p>Gemeinsame Seite zu beiden Aufrufen.</p></main></body></html>", encoding="utf-8"
    )
    items = "".join(
        f"<item><title>Aufruf {n}</title><link>{link}</link><guid isPermaLink='false'>aufruf-{n}</guid>"
        f"<description>Kurzfassung {n}.</description></item>"
        for n, link in enumerate(["/seite.html", "/seite.html", "/weiter"])
    )
    (root / "f.rss").write_text(
        f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>", encoding="utf-8"
    )
    with SampleSite(root=root) as site:
        site.overrides["/weiter"] = (302, b"", {"Location": f"{site.base_url}/seite.html"})
        folder = write_config(
            tmp_path / "config",
            site.base_url,
            ['{id: f, name: F, kind: feed, follow_links: true, url: "{base}/f.rss"}'],
        )
        done = foerderradar(folder, "crawl")
    assert done.returncode == 0, done.stderr
    calls = calls_of(folder)
    assert sorted(c["title"] for c in calls.values()) == ["Aufruf 0", "Aufruf 1", "Aufruf 2"]
    assert all("Gemeinsame Seite" in c["text"] for c in calls.values())
    (run,) = rows(folder, "SELECT * FROM crawl_runs")
    assert run["errors"] == 0
