"""The ``foerderradar`` command: parses arguments, calls ``foerderradar.steps`` or a stage, prints the result.

Each stage reads and writes the database alone (crawler → calls, classifier → classifications,
review → reviews, alerts → digests/deliveries); ``steps`` runs them in order, ``scheduler.py`` on a clock.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TextIO

import click

from foerderradar.configuration import CONFIG_ENV, Config, ConfigError, load_config
from foerderradar.steps import classify_step, crawl_step, cycle, digest_step, run_line, today_in
from foerderradar.store import Store, StoreError

# Exit codes: 0 fine, 1 a run-time failure with a clear message, 2 bad config or usage.
EXIT_FAILURE = 1
EXIT_CONFIG = 2


class UserError(Exception):
    """A problem the user can fix (a bad file, an unknown id); shown as one line, exit 1."""


def _known_errors() -> tuple[type[Exception], ...]:
    from classifier.model import ModelError
    from crawler import CrawlError  # light: the package's __init__ imports no Scrapy

    return (UserError, StoreError, CrawlError, ModelError)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's own errors into one clear line and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"config error: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        except _known_errors() as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILURE)

    return wrapper


@dataclass
class Context:
    """What every command needs: the config folder, loaded lazily, and the store."""

    config_dir: str | None
    _config: Config | None = None
    _store: Store | None = None
    opened: list[Store] = field(default_factory=list)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_dir)
        return self._config

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.config.database_path)
            self._store.sync_sources(self.config.sources)
        return self._store


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date of the form YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_dir",
    envvar=CONFIG_ENV,
    type=click.Path(file_okay=False),
    help=f"Config folder (default ./config, or ${CONFIG_ENV}).",
)
@click.pass_context
def cli(ctx: click.Context, config_dir: str | None) -> None:
    """Förderradar: monitors funding calls, classifies them and mails weekly digests."""
    ctx.obj = Context(config_dir)


pass_context = click.make_pass_decorator(Context)

# Input files of tag/eval: UTF-8 (undecodable bytes replaced, so one bad line cannot stop the batch);
# "-" reads stdin; a missing or unreadable file is click's one-line usage error.
JSONL = click.File("r", encoding="utf-8", errors="replace")


# --- stages ----------------------------------------------------------------------------------


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


@cli.command()
@click.option("--input", "lines", required=True, type=JSONL, help="JSONL file, or - for stdin.")
@click.option("--today", help="Reference date YYYY-MM-DD for year inference and status.")
@pass_context
@friendly
def tag(ctx: Context, lines: TextIO, today: str | None) -> None:
    """Tag a JSONL file of documents (spec/classifier.md §3); one JSON object per line out."""
    from classifier import Classifier

    classifier = Classifier.load(ctx.config)
    for result in classifier.tag_lines(lines, parse_day(today)):
        click.echo(json.dumps(result, ensure_ascii=False))


@cli.command("eval")
@click.argument("gold", type=JSONL)
@click.option("--today", help="Reference date YYYY-MM-DD (default: each record's published date).")
@click.option(
    "--errors", "show_errors", is_flag=True, help="Also list each wrong document, grouped by kind of error."
)
@pass_context
@friendly
def evaluate(ctx: Context, gold: TextIO, today: str | None, show_errors: bool) -> None:
    """Score the classifier against a gold JSONL file and print the figures."""
    from classifier import Classifier
    from classifier.evaluate import format_errors, format_report, run_eval

    classifier = Classifier.load(ctx.config)
    report = run_eval(classifier, gold, parse_day(today))
    click.echo(format_report(report))
    if show_errors:
        click.echo(format_errors(report))


@cli.command()
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, exists=True),
    help="Labelled corpus folder (default ../shared/corpus beside the project; else the shipped base rows).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the cross-validation folds.")
@pass_context
@friendly
def train(ctx: Context, corpus: str | None, seed: int) -> None:
    """Train the relevance model: the labelled corpus and seed set, plus the coordinator's decisions."""
    from pathlib import Path

    from classifier.train import TrainingError, train_model

    try:
        result = train_model(ctx.config, ctx.store, seed, Path(corpus) if corpus else None)
    except TrainingError as exc:
        raise UserError(f"train: {exc}") from None
    click.echo(result)


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
    from alerts import preview

    day = parse_day(today) or today_in(ctx.config)
    paths = preview(ctx.store, ctx.config, ctx.config.mailing_list(list_id), Path(out_dir), day)
    for path in paths:
        click.echo(str(path))
    if not paths:
        click.echo(f"{list_id}: nothing new to send")


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


@cli.group()
def review() -> None:
    """The coordinator's review queue: export to CSV, import decisions, web view."""


@review.command("export")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False))
@click.option("--all", "everything", is_flag=True, help="All classified calls, not only the queue.")
@click.option("--since", help="Only calls first seen on or after YYYY-MM-DD.")
@click.option("--until", help="Only calls first seen on or before YYYY-MM-DD.")
@pass_context
@friendly
def review_export(
    ctx: Context, csv_path: str, everything: bool, since: str | None, until: str | None
) -> None:
    """Write the review queue as a CSV that opens correctly in a German spreadsheet."""
    from foerderradar.review.csvio import export_csv

    count = export_csv(ctx.store, Path(csv_path), everything, parse_day(since), parse_day(until))
    click.echo(f"wrote {count} calls to {csv_path}")


@review.command("import")
@click.argument("csv_path", type=click.Path(dir_okay=False))
@click.option("--by", "reviewer", default="coordinator", help="Name recorded with each decision.")
@pass_context
@friendly
def review_import(ctx: Context, csv_path: str, reviewer: str) -> None:
    """Read decisions (accept / reject with a reason) back from an edited review CSV."""
    from foerderradar.review.csvio import import_csv

    report = import_csv(ctx.store, Path(csv_path), ctx.config.settings.review, reviewer)
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(report.summary())
    if report.problems:
        sys.exit(EXIT_FAILURE)


@review.command("serve")
@click.option("--port", type=int, help="Port on 127.0.0.1 (default: review.web.port).")
@pass_context
@friendly
def review_serve(ctx: Context, port: int | None) -> None:
    """Start the coordinator's web view (Datasette) on 127.0.0.1; accept/reject needs a login."""
    from foerderradar.review.web import ReviewError, serve

    settings = ctx.config.settings.review
    try:
        serve(ctx.store, settings, port or settings.web.port)
    except ReviewError as exc:
        raise UserError(str(exc)) from None


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


@cli.group()
def source() -> None:
    """Check a source's parser on a saved response before enabling it."""


@source.command("test")
@click.argument("source_id")
@click.option("--file", "file_path", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--url", help="URL the file was fetched from (default: the source's url).")
@pass_context
@friendly
def source_test(ctx: Context, source_id: str, file_path: str, url: str | None) -> None:
    """Parse one saved response with SOURCE_ID's parser; print one JSON object per line."""
    from crawler.run import test_source

    for record in test_source(ctx.config.source(source_id), Path(file_path), url):
        click.echo(json.dumps(record, ensure_ascii=False))


@cli.command()
@pass_context
@friendly
def status(ctx: Context) -> None:
    """Each source's last run, its usual yield and health; queue and delivery counts."""
    from crawler.health import status_lines

    for line in status_lines(ctx.store, ctx.config):
        click.echo(line)
    counts = ctx.store.counts()
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
    for line in cycle(ctx.config, ctx.store, day):
        click.echo(line)


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
        for line in cycle(ctx.config, ctx.store, parse_day(today) or date.today()):
            click.echo(line)


def main() -> None:
    cli(prog_name="foerderradar")


if __name__ == "__main__":
    main()
