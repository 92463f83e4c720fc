"""The daemon behind ``foerderradar schedule``: APScheduler 3 jobs that run the stages unattended.

Jobs live in an SQLite job store beside the database (``<db>-jobs.sqlite``) and are referenced as
``scheduler:function`` so they survive restarts. Every job is coalesced (after downtime a missed job runs
once, within ``schedule.misfire_grace_time``), has at most one instance, and runs on a single worker
thread, so two stages never write the database at the same time. A lock file keeps a second daemon off
the same database. Each run writes one log line with its outcome and figures.
"""

from __future__ import annotations

import fcntl
import logging
import logging.handlers
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from foerderradar.configuration import Config, MailingList, load_config
from foerderradar.steps import StageFailed, classify_step, crawl_failure, crawl_step, digest_step, today_in
from foerderradar.store import Store

LOG = logging.getLogger("foerderradar.jobs")
STOPPING = threading.Event()  # set on SIGTERM: jobs still queued behind the running one are skipped


class ScheduleError(Exception):
    """The daemon cannot start (already running, bad schedule); the message says what to do."""


# --- what runs when ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job as the config defines it."""

    id: str
    func: str
    trigger: CronTrigger
    args: tuple[str, ...]
    what: str


def job_specs(config: Config) -> list[JobSpec]:
    """Every job the config asks for: crawls per source, digests per list, pending resends, health, backup."""
    tz, schedule, folder = config.settings.timezone, config.settings.schedule, str(config.directory)
    cron = lambda expr: CronTrigger.from_crontab(expr, timezone=tz)  # noqa: E731
    specs = [
        JobSpec(
            f"crawl:{source.id}", "scheduler:crawl_job", cron(source.schedule or schedule.crawl),
            (folder, source.id), f"crawl {source.id}, then classify",
        )
        for source in config.sources
        if source.enabled
    ]  # fmt: skip
    for mailing_list in config.lists:
        trigger = digest_trigger(mailing_list, schedule.digest, tz)
        if trigger is not None:
            specs.append(
                JobSpec(f"digest:{mailing_list.id}", "scheduler:digest_job", trigger, (folder, mailing_list.id),
                        f"digest for {mailing_list.id}")
            )  # fmt: skip
    specs += [
        JobSpec(
            "pending", "scheduler:pending_job", cron(schedule.pending), (folder,), "resend pending digests"
        ),
        JobSpec("health", "scheduler:health_job", cron(schedule.health), (folder,), "admin health notice"),
        JobSpec("backup", "scheduler:backup_job", cron(schedule.backup), (folder,), "database backup"),
    ]
    return specs


def digest_trigger(mailing_list: MailingList, default: str, tz: str) -> CronTrigger | None:
    """The list's weekday/time/frequency from lists.yaml; what a list does not set comes from
    ``schedule.digest``. ``immediate`` lists have no digest job: they are sent after each crawl.
    """
    frequency = str(getattr(mailing_list, "frequency", None) or "weekly").lower()
    if frequency == "immediate":
        return None
    explicit = getattr(mailing_list, "model_fields_set", set())
    fields = {f.name: str(f) for f in CronTrigger.from_crontab(default, timezone=tz).fields}
    day = str(mailing_list.weekday) if "weekday" in explicit else fields["day_of_week"]
    hour, minute = (
        str(mailing_list.time).split(":")[:2] if "time" in explicit else (fields["hour"], fields["minute"])
    )
    return CronTrigger(
        day_of_week="*" if frequency == "daily" else day, hour=hour, minute=minute, timezone=tz
    )


def next_runs(config: Config, now: datetime) -> list[tuple[JobSpec, datetime | None]]:
    return [(spec, spec.trigger.get_next_fire_time(None, now)) for spec in job_specs(config)]


def print_lines(config: Config, now: datetime) -> list[str]:
    """``foerderradar schedule --print``: each job, its next run (local time) and what it does."""
    lines = []
    for spec, when in next_runs(config, now):
        shown = when.strftime("%Y-%m-%d %H:%M %Z") if when else "never"
        lines.append(f"{spec.id:<32} next {shown:<22} {spec.what}")
    return lines


def configure(scheduler: Any, config: Config) -> list[str]:
    """Add (or replace) every job on a started-but-paused scheduler; drop jobs no longer configured.

    A job whose trigger is unchanged keeps its stored next run time, so a run missed while the
    machine was off is still due (and coalesced) after the restart; replacing it fresh would lose it.
    """
    grace = config.settings.schedule.misfire_grace_time
    specs = job_specs(config)
    for spec in specs:
        old = scheduler.get_job(spec.id)
        keep = old is not None and _same_trigger(old.trigger, spec.trigger) and old.next_run_time
        extra = {"next_run_time": old.next_run_time} if keep else {}
        scheduler.add_job(
            spec.func, trigger=spec.trigger, args=spec.args, id=spec.id, name=spec.id,
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=grace, **extra,
        )  # fmt: skip
    wanted = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    return sorted(wanted)


def _same_trigger(a: Any, b: CronTrigger) -> bool:
    return repr(a) == repr(b) and str(getattr(a, "timezone", "")) == str(b.timezone)


# --- the daemon ----------------------------------------------------------------------------------


def jobstore_url(config: Config) -> str:
    db = config.database_path
    return f"sqlite:///{db.with_name(db.stem + '-jobs.sqlite')}"


def run_daemon(config: Config, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or ``stop`` is set); the running job finishes, queued ones are skipped."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    with SingleInstance(config.database_path), _logging_to(config):
        STOPPING.clear()
        # BackgroundScheduler + the main thread waiting on an event: the signal handler only sets
        # the event, and shutdown(wait=True) then lets the running job finish outside the handler
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=jobstore_url(config))},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            timezone=config.settings.timezone,
        )
        scheduler.start(paused=True)
        ids = configure(scheduler, config)
        if stop is None:
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        scheduler.resume()
        LOG.info(
            "scheduler started: %d jobs (%s), database %s", len(ids), ", ".join(ids), config.database_path
        )
        stop.wait()
        STOPPING.set()
        LOG.info("stopping: waiting for the running job to finish")
        scheduler.shutdown(wait=True)
        STOPPING.clear()
        LOG.info("scheduler stopped")


def run_now(config: Config, job_id: str) -> str:
    """Run one configured job in the foreground (for cron, or to try a job); returns its figures."""
    from apscheduler.util import ref_to_obj

    specs = {spec.id: spec for spec in job_specs(config)}
    if job_id not in specs:
        raise ScheduleError(f"no job '{job_id}' (jobs: {', '.join(specs)})")
    with _logging_to(config):
        result = ref_to_obj(specs[job_id].func)(*specs[job_id].args)
    if result is None:
        raise ScheduleError(f"job {job_id} failed; see the log line above")
    return result


class SingleInstance:
    """An exclusive lock file beside the database; a second daemon refuses to start."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".schedule.lock")
        self.handle: Any = None

    def __enter__(self) -> SingleInstance:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")  # noqa: SIM115 — held for the daemon's lifetime
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            pid = self.handle.read().strip() or "?"
            self.handle.close()
            raise ScheduleError(
                f"another 'foerderradar schedule' (pid {pid}) is already running on this database "
                f"(lock {self.path}); stop it first"
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"{os.getpid()}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


@contextmanager
def _logging_to(config: Config) -> Iterator[None]:
    handlers = setup_logging(config)
    try:
        yield
    finally:
        for name in ("foerderradar.jobs", "apscheduler"):
            for handler in handlers:
                logging.getLogger(name).removeHandler(handler)
        for handler in handlers:
            handler.close()


def setup_logging(config: Config) -> list[logging.Handler]:
    """Job lines (and APScheduler's warnings about missed runs) to stderr and a rotating file."""
    path = config.path(config.settings.schedule.log_file) if config.settings.schedule.log_file else (
        config.database_path.with_name("scheduler.log")
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    handlers: list[logging.Handler] = [
        logging.StreamHandler(sys.stderr),
        logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"),
    ]
    for handler in handlers:
        handler.setFormatter(formatter)
    for name, level in (("foerderradar.jobs", logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers = list(handlers)
        logger.propagate = False
    return handlers


# --- the jobs: small, each opens the config and the store afresh ---------------------------------


def _failed_if_pending(line: str, *reports: Any) -> str:
    if any(getattr(report, "failed", None) for report in reports):
        raise StageFailed(line)  # ran to its end but left work undone (a digest pending)
    return line


def logged(name: Callable[..., str]) -> Callable[[Callable[..., str]], Callable[..., str | None]]:
    """One log line per run: job id, outcome, figures (the job's return value) and duration."""

    def decorate(func: Callable[..., str]) -> Callable[..., str | None]:
        @wraps(func)
        def wrapper(*args: str) -> str | None:
            job = name(*args)
            if STOPPING.is_set():
                LOG.info("job %s skipped: shutting down", job)
                return None
            started = time.monotonic()
            try:
                figures = func(*args)
            except Exception as exc:  # one line, and the daemon keeps running for the next jobs
                why = str(exc) if isinstance(exc, StageFailed) else f"{type(exc).__name__}: {exc}"
                why = why.replace("\n", "; ")  # one line per job, also for a ConfigError listing several
                LOG.error("job %s FAILED after %.1fs: %s", job, time.monotonic() - started, why)
                return None
            LOG.info("job %s ok in %.1fs: %s", job, time.monotonic() - started, figures)
            return figures

        return wrapper

    return decorate


@contextmanager
def _opened(config_dir: str) -> Iterator[tuple[Config, Store]]:
    """The config and the store, opened afresh for one job and closed after it."""
    config = load_config(config_dir)
    store = Store(config.database_path)
    try:
        store.sync_sources(config.sources)
        yield config, store
    finally:
        store.close()


@logged(lambda config_dir, source_id: f"crawl:{source_id}")
def crawl_job(config_dir: str, source_id: str) -> str:
    with _opened(config_dir) as (config, store):
        runs = crawl_step(config, store, [source_id])
        day = today_in(config)
        report = classify_step(config, store, day)
        immediate = [m.id for m in config.lists if m.frequency == "immediate"]
        sent = digest_step(config, store, day, immediate) if immediate else None
    keys = ("requests", "items", "new", "changed", "errors")
    figures = ", ".join(f"{key} {run.get(key, 0)}" for run in runs for key in keys)
    line = f"{figures or 'no run'}; classified {report.classified} ({report.relevant} relevant, {report.flagged} flagged)"
    if sent is not None:
        line += f"; immediate digests {len(sent.sent)} sent, {len(sent.failed)} pending"
    failure = crawl_failure(runs)
    if failure:  # logged as FAILED, not "ok"
        raise StageFailed(f"{failure}; {line}")
    return _failed_if_pending(line, sent)


@logged(lambda config_dir, list_id: f"digest:{list_id}")
def digest_job(config_dir: str, list_id: str) -> str:
    with _opened(config_dir) as (config, store):
        report = digest_step(config, store, today_in(config), [list_id])
    return _failed_if_pending(
        f"sent {len(report.sent)}, pending {len(report.failed)}: {_report_line(report)}", report
    )


@logged(lambda config_dir: "pending")
def pending_job(config_dir: str) -> str:
    """Resend digests an earlier delivery left pending; closing-soon reminders are digest sections."""
    import alerts

    with _opened(config_dir) as (config, store):
        report = alerts.send_pending(store, config, today_in(config))
    return _failed_if_pending(_report_line(report), report)


@logged(lambda config_dir: "health")
def health_job(config_dir: str) -> str:
    """The admin notice: unhealthy or blocked sources (crawler health) and a long-waiting review queue."""
    from alerts import send_admin_notice
    from crawler.health import HISTORY, unhealthy_sources

    with _opened(config_dir) as (config, store):
        runs = store.recent_crawl_runs(HISTORY)
        problems = [
            f"{h.source_id}: {h.reason}. {h.advice}".strip()
            for h in unhealthy_sources(runs, config.settings.crawl, config.sources)
        ]
        report = send_admin_notice(store, config, problems, today_in(config))
    return _failed_if_pending(_report_line(report), report)


def _report_line(report: Any) -> str:
    lines = report.lines() if hasattr(report, "lines") else [str(report)]
    return "; ".join(lines) or "nothing to do"


@logged(lambda config_dir: "backup")
def backup_job(config_dir: str) -> str:
    config = load_config(config_dir)
    folder = backup_dir(config)
    stamp = _stamp()
    store = Store(config.database_path)
    try:
        target = store.backup(folder / f"{config.database_path.stem}-{stamp}.db")
    finally:
        store.close()
    removed = rotate(
        sorted(folder.glob(f"{config.database_path.stem}-*.db")), config.settings.schedule.backup_keep
    )
    for path in removed:
        path.unlink()
    return f"wrote {target} ({target.stat().st_size // 1024} KiB), removed {len(removed)} old"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def backup_dir(config: Config) -> Path:
    chosen = config.settings.schedule.backup_dir
    return config.path(chosen) if chosen else config.database_path.parent / "backups"


def rotate(paths: Iterable[Path], keep: int) -> list[Path]:
    """The backups to delete: all but the newest ``keep`` (names sort by their timestamp)."""
    ordered = sorted(paths, key=lambda p: p.name)
    return ordered[:-keep] if keep > 0 else ordered
