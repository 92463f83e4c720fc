"""The daemon itself: one per database (a lock), SIGTERM stops it cleanly after the running job, one log line per run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from click.testing import CliRunner

import scheduler as jobs
from foerderradar.cli import cli
from foerderradar.configuration import load_config
from foerderradar.steps import ClassifyReport

ROOT = Path(__file__).resolve().parents[1]


def test_a_second_daemon_on_the_same_database_refuses_to_start(config):
    with jobs.SingleInstance(config.database_path):
        with pytest.raises(
            jobs.ScheduleError, match=rf"\(pid {os.getpid()}\) is already running on this database"
        ):
            with jobs.SingleInstance(config.database_path):
                pass
    with jobs.SingleInstance(config.database_path):  # released on exit: the next start works
        pass


def test_cli_says_so_in_one_line_and_exits_1(config, config_dir):
    with jobs.SingleInstance(config.database_path):
        result = CliRunner().invoke(cli, ["--config", str(config_dir), "schedule"])
    assert result.exit_code == 1
    assert result.output.startswith("error: another 'foerderradar schedule'")
    assert "Traceback" not in result.output


class Threadless(BaseScheduler):
    """Edits the job store without a thread (a BackgroundScheduler would consume due jobs at shutdown)."""

    def wakeup(self):
        pass

    def shutdown(self, wait=True):
        super().shutdown(wait)


def due_now(config, *job_ids: str) -> None:
    """Prepare the job store as if these jobs had fallen due a minute ago (the daemon keeps that time)."""
    store = Threadless(jobstores={"default": SQLAlchemyJobStore(url=jobs.jobstore_url(config))})
    config.database_path.parent.mkdir(parents=True, exist_ok=True)
    store.start(paused=True)
    jobs.configure(store, config)
    past = datetime.now(store.timezone) - timedelta(minutes=1)
    for job_id in job_ids:
        store.modify_job(job_id, next_run_time=past)
    store.shutdown(wait=False)


def test_stop_lets_the_running_job_finish_and_skips_the_queued_ones(config, monkeypatch):
    source_id = next(s.id for s in config.sources if s.enabled)
    due_now(config, f"crawl:{source_id}", "backup")
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow_crawl(config, store, source_ids):
        started.set()
        release.wait(30)
        finished.set()
        return [{"source_id": source_ids[0], "requests": 3, "items": 2, "new": 1, "changed": 0, "errors": 0}]

    monkeypatch.setattr(jobs, "crawl_step", slow_crawl)
    monkeypatch.setattr(jobs, "classify_step", lambda config, store, day: ClassifyReport(2, 1, 1))
    stop = threading.Event()
    daemon = threading.Thread(target=jobs.run_daemon, args=(config, stop))
    daemon.start()
    assert started.wait(30), "the due crawl did not start"
    stop.set()  # what SIGTERM does
    assert jobs.STOPPING.wait(30)
    assert daemon.is_alive() and not finished.is_set()  # waiting for the running crawl
    release.set()
    daemon.join(30)
    assert not daemon.is_alive() and finished.is_set()
    log = (config.database_path.parent / "scheduler.log").read_text(encoding="utf-8")
    assert f"job crawl:{source_id} ok in" in log
    assert "requests 3, items 2, new 1, changed 0, errors 0; classified 2 (1 relevant, 1 flagged)" in log
    assert "job backup skipped: shutting down" in log
    assert log.rstrip().endswith("scheduler stopped")


def test_sigterm_stops_the_daemon_cleanly(config_dir):
    # no crawl may ever reach the internet from a test, even at 06:00 sharp: every source off
    path = config_dir / "sources.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for source in data["sources"]:
        source["enabled"] = False
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "foerderradar", "--config", str(config_dir), "schedule"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    guard = threading.Timer(60, process.kill)
    guard.start()
    lines = []
    for line in process.stderr:  # wait for the start line; no sleeps
        lines.append(line)
        if "scheduler started" in line:
            break
    second = CliRunner().invoke(cli, ["--config", str(config_dir), "schedule"])
    process.send_signal(signal.SIGTERM)
    rest = process.stderr.read()
    code = process.wait(30)
    guard.cancel()
    assert code == 0, "".join(lines) + rest
    assert "scheduler stopped" in rest
    assert second.exit_code == 1 and "already running" in second.output
    assert load_config(config_dir).database_path.with_name("foerderradar-jobs.sqlite").exists()


def test_backup_job_writes_a_consistent_copy_and_rotates(config_dir, monkeypatch):
    import sqlite3

    from foerderradar.store import Store

    path = config_dir / "settings.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["schedule"]["backup_keep"] = 1
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(config_dir)
    store = Store(config.database_path)
    store.sync_sources(config.sources)
    stamps = iter(["20261129-030000", "20261206-030000"])
    monkeypatch.setattr(jobs, "_stamp", lambda: next(stamps))
    first = CliRunner().invoke(cli, ["--config", str(config_dir), "schedule", "--run", "backup"])
    second = CliRunner().invoke(cli, ["--config", str(config_dir), "schedule", "--run", "backup"])
    store.close()
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "removed 1 old" in second.output
    (kept,) = sorted((config.database_path.parent / "backups").glob("*.db"))
    assert kept.name == "foerderradar-20261206-030000.db"
    with sqlite3.connect(kept) as copy:
        assert copy.execute("SELECT count(*) FROM sources").fetchone()[0] == len(config.sources)
