"""The classifier's commands on files and the model: tag, eval, train."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import click

from foerderradar.cli.base import Context, UserError, cli, friendly, parse_day, pass_context

# Input files of tag/eval: UTF-8 (undecodable bytes replaced, so one bad line cannot stop the batch);
# "-" reads stdin; a missing or unreadable file is click's one-line usage error.
JSONL = click.File("r", encoding="utf-8", errors="replace")


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

    from classifier.train import TrainingError, train_model

    try:
        result = train_model(ctx.config, ctx.store, seed, Path(corpus) if corpus else None)
    except TrainingError as exc:
        raise UserError(f"train: {exc}") from None
    click.echo(result)
