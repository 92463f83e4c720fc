"""Source health from the recorded runs: ok, warning, unhealthy, blocked or never run — and what to do.

``assess`` and ``unhealthy_sources`` are pure (runs in, verdicts out); ``status_lines`` reads the
store for ``foerderradar status``. A source is unhealthy when its last ``crawl.unhealthy_after`` runs
all went wrong: errors, blocked, or far fewer items than usual (none when it usually yields some).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from foerderradar.configuration import Config, CrawlSettings, Source

if TYPE_CHECKING:
    from foerderradar.store import SourceYield, Store

HISTORY = 10  # runs that make up a source's "usual" yield
MIN_TEXT_CHARS = 200  # shorter is a teaser or a contact box, not a programme text

ADVICE = {
    "ok": "",
    "never run": "run `foerderradar crawl --source {id}` to check it",
    "disabled": "set enabled: true in sources.yaml to crawl it",
    "blocked": "the site shows a bot-protection page: raise the source's delay, crawl less often, "
    "or switch to its export/API if it has one; nothing was deleted",
    "warning": "look at the message; it becomes unhealthy if the next run fails too",
    "unhealthy": "open the URL in a browser: if the page changed, save it and check it with "
    "`foerderradar source test {id} --file PAGE` (the generic reader alone: `source probe`), then fix "
    "or drop the selectors it names; nothing was deleted",
}


@dataclass(frozen=True)
class SourceHealth:
    """The verdict on one source. ``state``: ok, warning, unhealthy, blocked, never run or disabled."""

    source_id: str
    state: str
    reason: str
    advice: str
    usual_items: int | None
    last_run: Mapping[str, Any] | None


def usual_items(runs: Sequence[Mapping[str, Any]]) -> int | None:
    """Median items of the runs that were neither blocked nor empty, or None without such runs."""
    good = [int(r["items"]) for r in runs[-HISTORY:] if not r.get("blocked") and r.get("items")]
    return int(statistics.median(good)) if good else None


def run_problem(run: Mapping[str, Any], usual: int | None, ratio: float) -> str | None:
    """What went wrong in one run, measured against the usual yield before it; None when fine."""
    if run.get("blocked"):
        return "blocked by a bot-protection page"
    items = int(run.get("items") or 0)
    if run.get("errors"):
        return f"{run['errors']} errors ({first_message(run)})"
    if items == 0:
        return "no items" + (f" (usually {usual})" if usual else "")
    if usual and items < ratio * usual:
        return f"only {items} items (usually {usual})"
    return None


def first_message(run: Mapping[str, Any]) -> str:
    messages = run.get("error_messages") or []
    if isinstance(messages, str):
        messages = json.loads(messages or "[]")
    if not messages:
        return "no message"
    failures = [m for m in messages if isinstance(m, dict) and m.get("level", "error") != "note"]
    first = (failures or messages)[0]
    if not isinstance(first, dict):
        return str(first)
    return f"{first.get('message')} at {first['url']}" if first.get("url") else str(first.get("message"))


def assess(source_id: str, runs: Sequence[Mapping[str, Any]], crawl: CrawlSettings) -> SourceHealth:
    """Judge one source from its runs (oldest first)."""
    if not runs:
        return _health(source_id, "never run", "no run recorded yet", None, None)
    last = runs[-1]
    streak, reason = 0, None
    for index in range(len(runs) - 1, -1, -1):
        found = run_problem(runs[index], usual_items(runs[:index]), crawl.low_yield_ratio)
        if found is None:
            break
        streak += 1
        reason = reason or found
    usual = usual_items(runs)
    if last.get("blocked"):
        return _health(source_id, "blocked", reason or "blocked", usual, last)
    if reason is None:
        return _health(source_id, "ok", f"{last.get('items', 0)} items", usual, last)
    state = "unhealthy" if streak >= crawl.unhealthy_after else "warning"
    return _health(source_id, state, f"{reason}; {streak} run(s) in a row", usual, last)


def _health(
    source_id: str, state: str, reason: str, usual: int | None, last: Mapping[str, Any] | None
) -> SourceHealth:
    return SourceHealth(source_id, state, reason, ADVICE[state].format(id=source_id), usual, last)


def unhealthy_sources(
    runs_by_source: Mapping[str, Sequence[Mapping[str, Any]]],
    crawl: CrawlSettings,
    sources: Iterable[Source] | None = None,
) -> list[SourceHealth]:
    """Sources an admin must look at (unhealthy or blocked), for the admin notice.

    ``sources`` limits the check to configured, enabled sources (default: every source with runs).
    """
    ids = [s.id for s in sources if s.enabled] if sources is not None else sorted(runs_by_source)
    verdicts = [assess(i, runs_by_source.get(i, []), crawl) for i in ids]
    return [v for v in verdicts if v.state in ("unhealthy", "blocked")]


def status_lines(store: Store, config: Config) -> list[str]:
    """One block per configured source for ``foerderradar status``."""
    runs_by_source = store.recent_crawl_runs(HISTORY)
    yields = store.source_yields(MIN_TEXT_CHARS)
    lines = []
    for source in config.sources:
        runs = runs_by_source.get(source.id, [])
        health = assess(source.id, runs, config.settings.crawl)
        if not source.enabled:
            health = _health(source.id, "disabled", "not crawled", health.usual_items, health.last_run)
        lines += describe(source, health)
        lines += yield_lines(yields.get(source.id))
    return lines


def yield_lines(found: SourceYield | None) -> list[str]:
    """What a source's stored calls look like: a selector that grabs the wrong box shows here."""
    if not found or not found.calls:
        return []
    calls = int(found.calls)
    titled, texted = int(found.titled or 0), int(found.texted or 0)
    lines = [
        f"    calls stored {calls}: {_share(titled, calls)} with a title, "
        f"{_share(texted, calls)} with a text of {MIN_TEXT_CHARS}+ characters"
    ]
    lines.append(
        f"    example: {found.example_title!s:.80} ({found.example_chars} characters) {found.example_url}"
    )
    if texted < calls / 2:
        lines.append(
            "    check: most texts are short — the text selector (or the generic reader) may pick a side "
            "box; try `foerderradar source probe --file PAGE --url URL`"
        )
    return lines


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "0 %"


def describe(source: Source, health: SourceHealth) -> list[str]:
    last = health.last_run
    when = f"last run {last['finished'] or last['started']}" if last else "never run"
    if last and last.get("status") == "running":
        when = f"crawling since {last['started']}"
    elif last and last.get("status") == "interrupted":
        when += " (interrupted)"
    usual = f"usually {health.usual_items} items" if health.usual_items is not None else "no usual yield yet"
    lines = [f"{source.id:<28} {health.state.upper():<10} {when}, {usual}"]
    if last:
        lines.append(
            f"    requests {last['requests']}, responses {_responses(last)}, items {last['items']} "
            f"(new {last['new']}, changed {last['changed']}, unchanged {last['unchanged']}), "
            f"dropped {last['dropped']}, errors {last['errors']}"
        )
    if health.state in ("warning", "unhealthy", "blocked"):
        lines.append(f"    {health.reason}")
        if last:
            lines.append(f"    first problem: {first_message(last)}")
    if health.advice:
        lines.append(f"    what to do: {health.advice}")
    if not source.verified and health.state in ("never run", "warning", "unhealthy"):
        lines.append("    note: selectors not yet verified against the live site (verified: false)")
    return lines


def _responses(run: Mapping[str, Any]) -> str:
    value = run.get("responses") or "{}"
    counts = json.loads(value) if isinstance(value, str) else value
    return ", ".join(f"{k}×{v}" for k, v in sorted(counts.items())) or "none"
