"""The scheduler's jobs: which run when (across daylight-saving changes), misfires with a controllable clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from apscheduler.executors.debug import DebugExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from click.testing import CliRunner

import scheduler as jobs
from foerderradar.cli import cli
from foerderradar.configuration import load_config

BERLIN = ZoneInfo("Europe/Berlin")


def edit(config_dir: Path, name: str, change) -> None:
    path = config_dir / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def fire_times(spec: jobs.JobSpec, start: datetime, count: int) -> list[datetime]:
    times, previous, now = [], None, start
    for _ in range(count):
        previous = spec.trigger.get_next_fire_time(previous, now)
        times.append(previous)
        now = previous
    return times


def spec_by_id(config, job_id: str) -> jobs.JobSpec:
    return {spec.id: spec for spec in jobs.job_specs(config)}[job_id]


def test_every_configured_job_is_listed(config):
    ids = [spec.id for spec in jobs.job_specs(config)]
    sources = [f"crawl:{s.id}" for s in config.sources if s.enabled]
    lists = [f"digest:{m.id}" for m in config.lists]
    assert ids == sources + lists + ["pending", "health", "backup"]


def test_daily_crawl_keeps_its_local_time_across_both_daylight_saving_changes(config):
    crawl = spec_by_id(config, f"crawl:{config.sources[0].id}")
    spring = fire_times(crawl, datetime(2026, 3, 27, 12, tzinfo=BERLIN), 3)
    assert [t.strftime("%m-%d %H:%M") for t in spring] == ["03-28 06:00", "03-29 06:00", "03-30 06:00"]
    assert [t.utcoffset() for t in spring] == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=2)]
    autumn = fire_times(crawl, datetime(2026, 10, 23, 12, tzinfo=BERLIN), 3)
    assert [t.astimezone(ZoneInfo("UTC")).hour for t in autumn] == [4, 5, 5]  # 06:00 CEST, then CET


def test_weekly_digest_is_monday_morning_berlin_time_before_and_after_the_change(config):
    digest = spec_by_id(config, f"digest:{config.lists[0].id}")
    times = fire_times(digest, datetime(2026, 10, 14, tzinfo=BERLIN), 3)
    assert [t.strftime("%a %d.%m. %H:%M %Z") for t in times] == [
        "Mon 19.10. 07:00 CEST", "Mon 26.10. 07:00 CET", "Mon 02.11. 07:00 CET",
    ]  # fmt: skip


def test_each_source_and_list_may_have_its_own_schedule(config_dir):
    edit(config_dir, "sources.yaml", lambda d: d["sources"][0].update(schedule="15 */6 * * *"))
    edit(config_dir, "lists.yaml", lambda d: d["lists"][1].update(weekday="thu", time="09:30"))
    config = load_config(config_dir)
    crawl = spec_by_id(config, f"crawl:{config.sources[0].id}")
    assert [t.hour for t in fire_times(crawl, datetime(2026, 11, 23, tzinfo=BERLIN), 4)] == [0, 6, 12, 18]
    digest = spec_by_id(config, f"digest:{config.lists[1].id}")
    assert fire_times(digest, datetime(2026, 11, 23, tzinfo=BERLIN), 1)[0].strftime("%a %H:%M") == "Thu 09:30"


def test_a_bad_cron_is_a_one_line_config_error(config_dir):
    edit(config_dir, "settings.yaml", lambda d: d["schedule"].update(backup="0 25 * * sun"))
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "schedule", "--print"])
    assert result.exit_code == 2
    assert "settings.yaml: schedule.backup: not a cron expression" in result.output


def test_print_lists_every_job_with_its_next_run(config_dir):
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "schedule", "--print"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(jobs.job_specs(load_config(config_dir)))
    assert all(" next 20" in line for line in lines)
    assert any(line.startswith("backup ") and "database backup" in line for line in lines)


def test_backup_rotation_keeps_the_newest():
    names = [Path(f"foerderradar-202611{day:02d}-030000.db") for day in (1, 8, 15, 22, 29)]
    assert jobs.rotate(reversed(names), 3) == names[:2]


# --- misfires, driven by a controllable clock ------------------------------------------------------


class Clock:
    current: datetime  # set by the fixture: Monday 23.11.2026 05:00, before the 06:00 crawl


class ClockDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return Clock.current.astimezone(tz) if tz else Clock.current.replace(tzinfo=None)


class ManualScheduler(BaseScheduler):
    """APScheduler's own due-job and misfire logic, run when the test says, in the test's thread."""

    def wakeup(self):
        pass

    def shutdown(self, wait=True):
        super().shutdown(wait)

    def _create_default_executor(self):
        return DebugExecutor()


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(Clock, "current", datetime(2026, 11, 23, 5, 0, tzinfo=BERLIN), raising=False)
    monkeypatch.setattr("apscheduler.schedulers.base.datetime", ClockDatetime)
    monkeypatch.setattr("apscheduler.executors.base.datetime", ClockDatetime)
    return Clock


@pytest.fixture
def ran(monkeypatch):
    """Replace what the jobs do with a record of (job, args); the job store still holds 'jobs:…'."""
    calls: list[tuple[str, tuple]] = []
    for name in ("crawl_job", "digest_job", "pending_job", "health_job", "backup_job"):
        monkeypatch.setattr(jobs, name, lambda *args, _n=name: calls.append((_n, args)))
    return calls


def daemon(config) -> ManualScheduler:
    """What run_daemon does at start, on the manual scheduler: job store beside the database."""
    config.database_path.parent.mkdir(parents=True, exist_ok=True)
    scheduler = ManualScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=jobs.jobstore_url(config))}, timezone="Europe/Berlin"
    )
    scheduler.start(paused=True)
    jobs.configure(scheduler, config)
    scheduler.resume()
    return scheduler


def test_missed_runs_after_downtime_run_once_within_the_grace_time_never_as_a_burst(config, clock, ran):
    first = daemon(config)
    first._process_jobs()
    assert ran == []
    first.shutdown(wait=False)  # the machine goes off on Monday 05:00 ...
    clock.current = datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN)  # ... and is back on Thursday 09:00
    second = daemon(config)  # restart: jobs re-added with replace_existing, missed runs kept
    second._process_jobs()
    crawls = [args for name, args in ran if name == "crawl_job"]
    enabled = [s.id for s in config.sources if s.enabled]
    assert sorted(args[1] for args in crawls) == sorted(enabled)  # four missed days, one run each
    # Monday's 07:00 digest was missed by three days, far beyond the grace time: not sent late
    assert not [name for name, _ in ran if name == "digest_job"]
    after = {job.id: job.next_run_time for job in second.get_jobs()}
    assert after[f"crawl:{enabled[0]}"] == datetime(2026, 11, 27, 6, 0, tzinfo=BERLIN)
    ran.clear()
    second._process_jobs()  # nothing left over: no burst of catch-up runs
    assert ran == []
    second.shutdown(wait=False)


def test_jobs_are_coalesced_single_instance_with_the_configured_grace(config, clock, ran):
    scheduler = daemon(config)
    for job in scheduler.get_jobs():
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert job.misfire_grace_time == config.settings.schedule.misfire_grace_time
        assert job.func_ref.startswith("scheduler:")
    scheduler.shutdown(wait=False)


def test_a_removed_source_loses_its_job_and_a_changed_schedule_applies_on_restart(config_dir, clock, ran):
    scheduler = daemon(load_config(config_dir))
    scheduler.shutdown(wait=False)
    edit(config_dir, "sources.yaml", lambda d: d.update(sources=d["sources"][:1]))
    edit(config_dir, "settings.yaml", lambda d: d["schedule"].update(crawl="0 5 * * *"))
    config = load_config(config_dir)
    scheduler = daemon(config)
    crawls = [job for job in scheduler.get_jobs() if job.id.startswith("crawl:")]
    assert [job.id for job in crawls] == [f"crawl:{config.sources[0].id}"]
    assert crawls[0].next_run_time == datetime(2026, 11, 23, 5, 0, tzinfo=BERLIN)
    scheduler.shutdown(wait=False)


def test_deploy_examples_call_commands_that_exist():
    import re

    root = Path(__file__).resolve().parents[1] / "deploy"
    unit = (root / "foerderradar.service").read_text(encoding="utf-8")
    cron = (root / "crontab.example").read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=\S+/foerderradar schedule$", unit, re.M)
    assert "KillMode=mixed" in unit  # SIGTERM to the daemon only, so the running crawl can finish
    invocations = [unit.split("ExecStart=")[1].split()[1:2]]
    invocations += [m.split() for m in re.findall(r"\$FR ([a-z -]+?)(?:;|\s*>>|\"|$)", cron, re.M)]
    assert len(invocations) >= 5
    for words in invocations:
        command = cli
        for word in (w for w in words if not w.startswith("-")):
            if not hasattr(command, "commands"):
                break
            assert word in command.commands, f"deploy example calls unknown command: {' '.join(words)}"
            command = command.commands[word]
