"""The coordinator's review commands: export the CSV, import decisions, serve the web view."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from foerderradar.cli.base import EXIT_FAILURE, Context, UserError, cli, friendly, parse_day, pass_context


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
