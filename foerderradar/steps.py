"""The stage steps: each runs one stage against the database, given the config, the store and ``today``.

The CLI (``foerderradar.cli``) and the daemon (``scheduler.py``) only parse their input and call these;
the stages themselves never call each other, they hand off through the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from foerderradar.configuration import Config
from foerderradar.store import CrawlRun, Store


def today_in(config: Config) -> date:
    """Today in the configured time zone (the one place that reads the clock for a run)."""
    return datetime.now(ZoneInfo(config.settings.timezone)).date()


def crawl_step(config: Config, store: Store, source_ids: list[str] | None) -> list[CrawlRun]:
    """Crawl the named (else every enabled) source in one child process; this run's ``crawl_runs`` rows."""
    from crawler.run import crawl as run_crawl

    store.sync_sources(config.sources)  # calls refer to their source row
    run_id = uuid.uuid4().hex[:12]
    return run_crawl(config, run_id, source_ids)


@dataclass
class ClassifyReport:
    classified: int = 0
    relevant: int = 0
    flagged: int = 0
    changes: list[str] = field(default_factory=list)


def classify_step(
    config: Config, store: Store, day: date, everything: bool = False, dry_run: bool = False
) -> ClassifyReport:
    """Classify new and changed calls (every call with ``everything``); flag the doubtful for review."""
    from classifier import Classifier
    from foerderradar.review.flags import flag_reasons

    classifier = Classifier.load(config)
    report = ClassifyReport()
    pending = list(store.calls_to_classify(classifier.model_version, config.keywords_version, everything))
    for call, result in zip(pending, classifier.classify_many(pending, day), strict=True):
        reasons = flag_reasons(result, store.flag_context(call.id), config.settings.review)
        before = store.classification(call.id)
        if before is not None and bool(before.relevant) != result.relevant:
            report.changes.append(
                f"{call.id}: relevant {bool(before.relevant)} → {result.relevant} "
                f"(score {before.score:.2f} → {result.score:.2f}) {call.title[:70]}"
            )
        if not dry_run:
            store.save_classification(result, call.content_hash(), reasons)
        report.classified += 1
        report.relevant += result.relevant
        report.flagged += bool(reasons)
    return report


@dataclass
class MatchReport:
    members: int = 0
    calls: int = 0
    fits: int = 0
    consortia: int = 0


def match_step(config: Config, store: Store, day: date, force: bool = False) -> MatchReport:
    """Match every open relevant call against the members (interest marks included) and store the run;
    nothing to do when neither the stored inputs, the members' config nor the day changed since the last run
    (the scheduler builds each list's digest separately, and each starts this step)."""
    import hashlib
    import json

    from foerderradar.matching import call_from_row, match_calls, rows_of

    names = {topic.id: topic.name for topic in config.keywords.topics}
    settings = config.matching
    members = [m.model_dump() for m in config.members]
    setup = json.dumps([members, settings.model_dump(), names, day.isoformat()], sort_keys=True, default=str)
    inputs = hashlib.sha256((setup + store.match_inputs()).encode()).hexdigest()
    last = store.last_match_run()
    if not force and last and last.inputs == inputs:
        return MatchReport(len(config.members), last.calls, last.fits, last.consortia)
    store.sync_members(config.members)
    calls = [call_from_row(row) for row in store.match_rows()] if config.members else []
    results = match_calls(
        calls, config.members, day, names, store.interest_marks(),
        settings.min_fit, settings.consortium_size, settings.proposals,
    )  # fmt: skip
    # fits far below min_fit (a topic in common, nothing more) are noise in the matrix: not stored
    fits, consortia = rows_of(results, config.members, floor=settings.min_fit / 2)
    store.save_matches(fits, consortia)
    store.record_match_run(inputs, day.isoformat(), len(results), len(fits), len(consortia))
    return MatchReport(len(config.members), len(results), len(fits), len(consortia))


def digest_step(config: Config, store: Store, day: date, list_ids: list[str] | None) -> Any:
    """Match members to calls afresh, then build and deliver each list's digest of what it has not
    received yet (so every digest, the scheduler's too, names the members that fit)."""
    from alerts import send_digests

    match_step(config, store, day)
    lists = [config.mailing_list(i) for i in list_ids] if list_ids else list(config.lists)
    return send_digests(store, config, lists, day)


class StageFailed(Exception):
    """A stage that failed entirely (every source failed) or left work undone (a digest pending): the daemon logs its job as FAILED."""


@dataclass
class CycleReport:
    """What one cycle printed and which stages failed entirely (then ``run`` exits non-zero)."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def failure_line(self) -> str | None:
        """The one summary line of a failed cycle, or None."""
        return f"run FAILED: {'; '.join(self.failures)}" if self.failures else None


def crawl_failure(runs: Sequence[Mapping[str, Any]]) -> str | None:
    """ "crawl: all N sources failed" when every source's run failed (errors or blocked, no call read)."""
    failed = [r for r in runs if r.get("status") == "interrupted" or (_had_errors(r) and not r.get("items"))]
    if runs and len(failed) == len(runs):
        which = f"all {len(runs)} sources" if len(runs) > 1 else "the one source crawled"
        return f"crawl: {which} failed (see the lines above and `foerderradar status`)"
    return None


def _had_errors(run: Mapping[str, Any]) -> bool:
    return bool(run.get("errors") or run.get("blocked"))


def cycle(config: Config, store: Store, day: date) -> CycleReport:
    """One full cycle — crawl, classify, digests, review CSV — its summary lines and failed stages."""
    from foerderradar.review.csvio import export_csv

    runs = crawl_step(config, store, None)
    classified = classify_step(config, store, day)
    delivered = digest_step(config, store, day, None)
    csv_path = config.path(config.settings.review_csv)
    exported = export_csv(store, csv_path, False, None, None)
    counts = store.counts()
    failed = [r for r in runs if _had_errors(r) or r.get("status") == "interrupted"]
    lines = [run_line(r) for r in runs]
    lines += [
        "",
        f"sources crawled   {len(runs)} ({len(failed)} with errors)",
        f"calls             {sum(r['new'] for r in runs)} new, {sum(r['changed'] for r in runs)} updated, "
        f"{sum(r['unchanged'] for r in runs)} unchanged ({counts['calls']} stored)",
        f"classified        {classified.classified} ({counts['relevant']} relevant in store)",
        f"flagged           {counts['flagged']} in the review queue",
        f"deadlines found   {counts['with_deadline']} calls with at least one deadline",
        f"members matched   {_matched_line(store)}",
        f"digests           {len(delivered.sent)} written/sent, {len(delivered.failed)} pending",
        f"database          {config.database_path}",
        f"outbox            {config.outbox_path}"
        if config.settings.mail.transport == "outbox"
        else f"smtp              {config.settings.mail.smtp.host if config.settings.mail.smtp else ''}",
        f"review CSV        {csv_path} ({exported} rows)",
    ]
    lines += [f"  {p}" for p in delivered.files]
    failures = [crawl_failure(runs)]
    if delivered.failed:
        failures.append(
            f"digests: {len(delivered.failed)} still pending (not delivered; retried by the next run)"
        )
    return CycleReport(lines, [f for f in failures if f])


def _matched_line(store: Store) -> str:
    counts = store.match_counts()
    return (
        f"{counts['members']} members fit {counts['calls']} open calls; "
        f"{counts['consortia']} proposed consortia, {counts['interest']} interest marks"
    )


def run_line(run: Mapping[str, Any]) -> str:
    """One source's crawl run as one line."""
    state = "BLOCKED" if run.get("blocked") else ("errors" if run.get("errors") else "ok")
    state = "STOPPED" if run.get("status") == "interrupted" else state
    return (
        f"{run['source_id']:<28} {state:<8} requests {run['requests']:>4}  items {run['items']:>4}  "
        f"new {run['new']:>3}  changed {run['changed']:>3}  errors {run['errors']}"
    )
