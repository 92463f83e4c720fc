"""The ``foerderradar`` command: parses arguments, calls ``foerderradar.steps`` or a stage, prints the result.

Each stage reads and writes the database alone (crawler → calls, classifier → classifications,
review → reviews, alerts → digests/deliveries); ``steps`` runs them in order, ``scheduler.py`` on a clock.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TextIO

import click

from foerderradar.configuration import CONFIG_ENV, Config, ConfigError, load_config
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
from foerderradar.store import MemberMatch, Store, StoredConsortium, StoreError, describe_sqlite_error

# Exit codes: 0 fine, 1 a run-time failure with a clear message, 2 bad config or usage.
EXIT_FAILURE = 1
EXIT_CONFIG = 2


class UserError(Exception):
    """A problem the user can fix (a bad file, an unknown id); shown as one line, exit 1."""


def _known_errors() -> tuple[type[Exception], ...]:
    from classifier.model import ModelError  # only imported when something failed
    from crawler import CrawlError  # light: the package's __init__ imports no Scrapy

    return (UserError, StoreError, CrawlError, ModelError)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's own errors into one clear line and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"config error: {problem}", err=True)
            sys.exit(EXIT_CONFIG)
        except _known_errors() as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILURE)
        except (sqlite3.Error, OSError) as exc:
            click.echo(f"error: {_environment_error(exc, args)}", err=True)
            sys.exit(EXIT_FAILURE)

    return wrapper


def _environment_error(exc: sqlite3.Error | OSError, args: tuple[Any, ...]) -> str:
    """A failure of the machine rather than the code (disk full, read-only file, damaged database)."""
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    context = next((a for a in args if isinstance(a, Context)), None)
    path = context.database_path if context is not None else Path("database")
    return describe_sqlite_error(exc, path)


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
    def database_path(self) -> Path:
        return self._config.database_path if self._config is not None else Path("database")

    @property
    def store(self) -> Store:
        """The database for a command that writes: refused when read-only, damaged or empty."""
        if self._store is None or self._store.readonly:
            self._store = Store(self.config.database_path)
            self._store.sync_sources(self.config.sources)
        return self._store

    @property
    def reader(self) -> Store:
        """The database for a command that only reads: a read-only file is opened read-only."""
        if self._store is None:
            self._store = Store(self.config.database_path, reading_only=True)
            if not self._store.readonly:
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

    try:
        count = export_csv(ctx.reader, Path(csv_path), everything, parse_day(since), parse_day(until))
    except OSError as exc:
        raise UserError(f"{csv_path}: cannot write the review CSV ({exc.strerror})") from None
    click.echo(f"wrote {count} calls to {csv_path}")


@review.command("import")
@click.argument("csv_path", type=click.Path(dir_okay=False))
@click.option("--by", "reviewer", default="coordinator", help="Name recorded with each decision.")
@pass_context
@friendly
def review_import(ctx: Context, csv_path: str, reviewer: str) -> None:
    """Read decisions (accept / reject with a reason) back from an edited review CSV."""
    from foerderradar.review.csvio import import_csv

    members = [m.id for m in ctx.config.members]
    report = import_csv(ctx.store, Path(csv_path), ctx.config.settings.review, reviewer, members)
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
        topics = {topic.id: topic.name for topic in ctx.config.keywords.topics}
        serve(ctx.store, settings, port or settings.web.port, topics)
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
@click.option("--as", "as_", type=click.Choice(["list", "detail"]), help="Read the page as this kind (html).")
@pass_context
@friendly
def source_test(ctx: Context, source_id: str, file_path: str, url: str | None, as_: str | None) -> None:
    """Parse one saved response with SOURCE_ID's parser; print one JSON object per line.

    Exits 1 when nothing usable came out (no call with title and text, no link to follow).
    """
    source = ctx.config.source(source_id)
    if as_ and source.kind != "html":
        raise UserError(f"--as applies to kind html; source '{source_id}' is kind {source.kind}")
    _print_probe(source, Path(file_path), url, as_)


@source.command("probe")
@click.option("--file", "file_path", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--url", required=True, help="URL the file was fetched from (links are resolved against it).")
@click.option("--as", "as_", type=click.Choice(["list", "detail"]), help="Read the page as this kind.")
@friendly
def source_probe(file_path: str, url: str, as_: str | None) -> None:
    """Run the generic reader on a saved page (or feed), no config entry needed; JSON lines as `source test`."""
    from crawler.probe import probe_source

    if not url.startswith(("http://", "https://")):
        raise UserError(f"--url {url!r}: give the page's http(s) address")
    source = probe_source(url, Path(file_path).read_bytes()[:1000])
    if as_ and source.kind != "html":
        raise UserError(f"--as applies to HTML pages; {file_path} is a feed")
    _print_probe(source, Path(file_path), url, as_)


def _print_probe(source: Any, path: Path, url: str | None, as_: str | None) -> None:
    from crawler.probe import test_source, usable

    records = list(test_source(source, path, url, as_))
    for record in records:
        click.echo(json.dumps(record, ensure_ascii=False))
    if not usable(records):
        click.echo(f"error: nothing usable in {path} (no call with title and text, no link)", err=True)
        sys.exit(EXIT_FAILURE)


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


# --- members (issue 14) -----------------------------------------------------------------------

MARK_WORDS = {"interessiert": "interessiert", "interested": "interessiert", "nicht-für-uns": "nicht für uns",
              "nicht für uns": "nicht für uns", "not-for-us": "nicht für uns", "keine": None, "clear": None}  # fmt: skip


@cli.group("members", invoke_without_command=True)
@click.option("--member", "member_ids", multiple=True, help="Only this member (repeatable).")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100), help="Calls per member.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write the calls × members matrix.")
@click.option("--today", help="Reference date YYYY-MM-DD (default: today).")
@click.pass_context
@friendly
def members(
    click_ctx: click.Context, member_ids: tuple[str, ...], top: int, csv_path: str | None, today: str | None
) -> None:
    """List the members and, per member, the open calls that fit best (matching runs afresh)."""
    if click_ctx.invoked_subcommand:
        return
    ctx: Context = click_ctx.obj
    config = ctx.config
    chosen = [config.member(i) for i in member_ids] if member_ids else list(config.members)
    if not config.members:
        raise UserError(f"{config.directory / 'members.yaml'}: no members configured")
    report = match_step(config, ctx.store, parse_day(today) or today_in(config))
    consortia = ctx.store.consortia_by_call()
    for member in chosen:
        for line in member_block(member, ctx.store.member_calls(member.id, top), consortia):
            click.echo(line)
    click.echo(
        f"{report.members} members, {report.calls} open calls matched, {report.consortia} proposed consortia"
    )
    if csv_path:
        from foerderradar.review.matrix import export_matrix

        count = export_matrix(ctx.store, config.members, Path(csv_path))
        click.echo(f"wrote {count} calls × {len(config.members)} members to {csv_path}")


def member_block(
    member: Any, calls: list[MemberMatch], consortia: dict[str, list[StoredConsortium]]
) -> list[str]:
    """One member and its best-fitting calls, as the `members` command prints them."""
    size = f", {member.employees} Beschäftigte" if member.employees else ""
    what = ", ".join([*member.competences, *member.topics])
    lines = [
        "",
        f"{member.id} — {member.name} ({member.kind}, {member.land}{size})",
        f"  Kompetenzen: {what}; liest: {', '.join(member.lists) or '–'}",
    ]
    if not calls:
        lines.append("  (keine offene Ausschreibung passt)")
    for row in calls:
        deadline = date.fromisoformat(row.next_deadline).strftime("%d.%m.%Y") if row.next_deadline else "–"
        mark = f"  [{row.interest}]" if row.interest else ""
        lines.append(f"  {row.fit:.2f}  {deadline:<10}  {row.title[:80]}{mark}")
        lines.append(f"        {row.call_id}: {row.reasons}")
        mine = [p for p in consortia.get(row.call_id, []) if member.id in {m for m, _ in p.members}]
        if mine:
            lines.append(f"        Konsortium: {mine[0].line}")
    return lines


@members.command("mark")
@click.argument("member_id")
@click.argument("call_id")
@click.argument("mark", type=click.Choice(sorted(MARK_WORDS), case_sensitive=False))
@click.option("--note", help="A short note kept with the mark.")
@click.option("--by", "by", default="coordinator", help="Who set the mark.")
@pass_context
@friendly
def members_mark(ctx: Context, member_id: str, call_id: str, mark: str, note: str | None, by: str) -> None:
    """Mark a call "interessiert" or "nicht für uns" for a member (keine: remove the mark)."""
    member = ctx.config.member(member_id)
    value = MARK_WORDS[mark.lower()]
    try:
        ctx.store.save_interest(
            [{"call_id": call_id, "member_id": member.id, "mark": value, "note": note, "by": by}]
        )
    except KeyError:
        raise UserError(
            f"no call '{call_id}' in the database (ids: `foerderradar members` or the review CSV)"
        ) from None
    click.echo(f"{member.id}: {call_id} → {value or 'no mark'}; the next matching counts it")


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


def main() -> None:
    cli(prog_name="foerderradar")


if __name__ == "__main__":
    main()
