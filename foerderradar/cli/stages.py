"""The pipeline's commands: check-config, crawl, classify, digest, status, schedule, run, demo."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from foerderradar.cli.base import EXIT_FAILURE, Context, UserError, cli, friendly, parse_day, pass_context
from foerderradar.steps import (
    CycleReport,
    classify_step,
    crawl_failure,
    crawl_step,
    cycle,
    digest_step,
    match_step,
    run_line,
    today_in,
)


@cli.command("check-config")
@pass_context
@friendly
def check_config(ctx: Context) -> None:
    """Validate every file in the config folder and say what it holds."""
    config = ctx.config
    enabled = sum(s.enabled for s in config.sources)
    click.echo(
        f"{config.directory}: ok — {len(config.sources)} sources ({enabled} enabled), "
        f"{len(config.keywords.topics)} topics, {len(config.lists)} mailing lists, "
        f"mail transport {config.settings.mail.transport}, database {config.database_path}"
    )


@cli.command()
@click.option("--source", "source_ids", multiple=True, help="Crawl only this source (repeatable).")
@pass_context
@friendly
def crawl(ctx: Context, source_ids: tuple[str, ...]) -> None:
    """Crawl the enabled sources into the database (one Scrapy process)."""
    runs = crawl_step(ctx.config, ctx.store, list(source_ids) or None)
    for run in runs:
        click.echo(run_line(run))
    failure = crawl_failure(runs)
    if failure:  # cron and systemd see the failure
        click.echo(f"crawl FAILED: {failure.removeprefix('crawl: ')}", err=True)
        sys.exit(EXIT_FAILURE)


@cli.command()
@click.option("--today", help="Reference date YYYY-MM-DD (default: today).")
@click.option("--all", "everything", is_flag=True, help="Re-classify every call, not only changed ones.")
@click.option("--dry-run", is_flag=True, help="Show which decisions would change; store nothing.")
@pass_context
@friendly
def classify(ctx: Context, today: str | None, everything: bool, dry_run: bool) -> None:
    """Classify new and changed calls (and all calls after a keyword or model change)."""
    day = parse_day(today) or today_in(ctx.config)
    report = classify_step(ctx.config, ctx.store, day, everything=everything, dry_run=dry_run)
    for line in report.changes:
        click.echo(line)
    verb = "would change" if dry_run else "classified"
    click.echo(
        f"{verb} {report.classified if not dry_run else len(report.changes)} calls; "
        f"{report.relevant} relevant, {report.flagged} flagged for review"
    )


@cli.group()
def digest() -> None:
    """Build, preview and send the mailing lists' digests."""


@digest.command("preview")
@click.option("--list", "list_id", required=True, help="Mailing list id from lists.yaml.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--today", help="Reference date YYYY-MM-DD (default: today).")
@pass_context
@friendly
def digest_preview(ctx: Context, list_id: str, out_dir: str, today: str | None) -> None:
    """Write what the list would receive now as .eml and .html, without sending or recording."""
    from alerts import DeliveryError, describe_filters, plan_for, preview
    from alerts.select import parse_rows

    day = parse_day(today) or today_in(ctx.config)
    mailing_list = ctx.config.mailing_list(list_id)
    store = ctx.reader
    if (
        not store.readonly
    ):  # name the members that fit, as the digest will; a read-only file keeps its last run
        match_step(ctx.config, store, day)
    try:
        paths = preview(ctx.reader, ctx.config, mailing_list, Path(out_dir), day)
    except DeliveryError as exc:
        raise UserError(str(exc)) from None
    for path in paths:
        click.echo(str(path))
    if not paths:
        click.echo(f"{list_id}: nothing new to send")
    plan = plan_for(ctx.reader, ctx.config, mailing_list, parse_rows(ctx.reader.alert_rows()), day)
    for line in describe_filters(mailing_list, plan):
        click.echo(f"{list_id}: {line}")


@digest.command("send")
@click.option("--list", "list_ids", multiple=True, help="Only this list (repeatable).")
@click.option("--today", help="Reference date YYYY-MM-DD (default: today).")
@pass_context
@friendly
def digest_send(ctx: Context, list_ids: tuple[str, ...], today: str | None) -> None:
    """Build each list's digest of what it has not received yet, and deliver pending digests."""
    day = parse_day(today) or today_in(ctx.config)
    report = digest_step(ctx.config, ctx.store, day, list(list_ids) or None)
    for line in report.lines():
        click.echo(line)
    if report.failed:
        sys.exit(EXIT_FAILURE)


@cli.command()
@click.option("--print", "print_only", is_flag=True, help="List every job with its next run time, then exit.")
@click.option(
    "--run", "run_job", metavar="JOB", help="Run one job now (an id from --print, e.g. backup), then exit."
)
@pass_context
@friendly
def schedule(ctx: Context, print_only: bool, run_job: str | None) -> None:
    """Run crawls, digests, reminders, health notice and backups on their schedules (scheduler.py)."""
    import scheduler

    try:
        if run_job:
            click.echo(scheduler.run_now(ctx.config, run_job))
        elif print_only:
            from datetime import datetime
            from zoneinfo import ZoneInfo

            for line in scheduler.print_lines(
                ctx.config, datetime.now(ZoneInfo(ctx.config.settings.timezone))
            ):
                click.echo(line)
        else:
            ctx.store  # noqa: B018 — migrate and record sources before the first job
            scheduler.run_daemon(ctx.config)
    except scheduler.ScheduleError as exc:
        raise UserError(str(exc)) from None


@cli.command()
@pass_context
@friendly
def status(ctx: Context) -> None:
    """Each source's last run, its usual yield and health; queue and delivery counts."""
    from crawler.health import status_lines

    for line in status_lines(ctx.reader, ctx.config):
        click.echo(line)
    counts = ctx.reader.counts()
    click.echo(
        f"calls {counts['calls']}, relevant {counts['relevant']}, in review queue {counts['flagged']}, "
        f"digests sent {counts['digests_sent']}, pending {counts['digests_pending']}"
    )


# --- one full cycle ----------------------------------------------------------------------------


@cli.command()
@click.option("--today", help="Reference date YYYY-MM-DD (default: today).")
@pass_context
@friendly
def run(ctx: Context, today: str | None) -> None:
    """One full cycle: crawl, classify, send digests, export the review CSV; print a summary."""
    day = parse_day(today) or today_in(ctx.config)
    _finish_cycle(cycle(ctx.config, ctx.store, day))


def _finish_cycle(report: CycleReport) -> None:
    """Print the summary; a stage that failed entirely is one more line and exit code 1."""
    for line in report.lines:
        click.echo(line)
    failure = report.failure_line()
    if failure:
        click.echo(failure, err=True)
        sys.exit(EXIT_FAILURE)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    default="demo/out",
    type=click.Path(file_okay=False),
    help="Where the demo's database, outbox and CSV go (default demo/out).",
)
@click.option("--today", default="2026-11-23", help="Reference date of the demo data.")
@friendly
def demo(out_dir: str, today: str) -> None:
    """One full cycle offline against the bundled sample sources on 127.0.0.1."""
    from foerderradar.demo.server import SampleSite, write_demo_config

    with SampleSite() as site:
        config_dir = write_demo_config(Path(out_dir), site.base_url)
        click.echo(f"sample sources served at {site.base_url}")
        ctx = Context(str(config_dir))
        report = cycle(ctx.config, ctx.store, parse_day(today) or date.today())
    _finish_cycle(report)
