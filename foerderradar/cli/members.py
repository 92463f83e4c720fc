"""The members' commands (issue 14): who fits which open call, the matrix CSV, interest marks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from foerderradar.cli.base import Context, UserError, cli, friendly, parse_day, pass_context
from foerderradar.steps import match_step, today_in
from foerderradar.store import MemberMatch, StoredConsortium

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
