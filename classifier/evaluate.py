"""Scores the classifier against a gold JSONL file with the figures spec/classifier.md §3 names."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any


def run_eval(classifier: Any, lines: Iterable[str], today: date | None) -> dict[str, Any]:
    """Tag every gold record (reference date: ``today``, else its published date) and compare."""
    gold = [json.loads(line) for line in lines if line.strip()]
    inputs = [
        json.dumps({k: g.get(k) for k in ("id", "title", "text", "url", "published", "language")})
        for g in gold
    ]
    started = time.perf_counter()
    predicted = list(classifier.tag_lines(inputs, today))
    elapsed = time.perf_counter() - started
    report = _compare(gold, predicted)
    report["wrong"] = wrong_documents(gold, predicted)
    report["documents"] = len(gold)
    report["seconds"] = elapsed
    report["docs_per_second"] = len(gold) / elapsed if elapsed > 0 else 0.0
    return report


def _compare(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    c: Counter[str] = Counter()
    mismatches: list[str] = []
    for g, p in zip(gold, predicted, strict=True):
        c["errors"] += "error" in p
        if g.get("relevant") is not None:
            pred = bool(p.get("relevant"))
            c["tp"] += pred and g["relevant"]
            c["fp"] += pred and not g["relevant"]
            c["fn"] += (not pred) and g["relevant"]
        if not _dates(g, p, c):
            mismatches.append(f"{g.get('id')}: gold {date_list(g)} predicted {date_list(p)}")
        c["rolling_ok"] += bool(p.get("rolling")) == bool(g.get("rolling"))
    n = len(gold) or 1
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    relevance = {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}
    return {
        "relevance": {**relevance, "tp": c["tp"], "fp": c["fp"], "fn": c["fn"]},
        "deadline_precision": c["date_hits"] / c["date_predicted"] if c["date_predicted"] else 1.0,
        "deadline_recall": c["gold_hits"] / c["date_gold"] if c["date_gold"] else 1.0,
        "exact_deadline_share": c["exact"] / n,
        "false_deadline_share": c["false_docs"] / c["no_gold_docs"] if c["no_gold_docs"] else 0.0,
        "rolling_accuracy": c["rolling_ok"] / n,
        "errors": c["errors"],
        "mismatches": mismatches,
    }


def date_list(record: dict[str, Any]) -> list[str]:
    """A record's deadline dates, sorted, a year-less one as "null": what the scores compare."""
    return sorted(d.get("date") or "null" for d in record.get("deadlines") or [])


def _dates(gold: dict[str, Any], predicted: dict[str, Any], c: Counter[str]) -> bool:
    """Count one document's deadline dates; True when the date sets match exactly."""
    gold_dates, pred_dates = date_list(gold), date_list(predicted)
    c["date_predicted"] += len(pred_dates)
    c["date_hits"] += sum(d in gold_dates for d in pred_dates)
    c["date_gold"] += len(gold_dates)
    c["gold_hits"] += sum(d in pred_dates for d in gold_dates)
    if not gold_dates:
        c["no_gold_docs"] += 1
        c["false_docs"] += bool(pred_dates)
    exact = set(gold_dates) == set(pred_dates)
    c["exact"] += exact
    return exact


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def format_report(report: dict[str, Any]) -> str:
    """The figures as a small table, one per line."""
    rel = report["relevance"]
    lines = [
        f"documents                     {report['documents']}",
        f"relevance precision           {rel['precision']:.3f}",
        f"relevance recall              {rel['recall']:.3f}",
        f"relevance F1                  {rel['f1']:.3f}",
        f"deadline date precision       {report['deadline_precision']:.3f}",
        f"deadline date recall          {report['deadline_recall']:.3f}",
        f"exact deadline-set match      {report['exact_deadline_share']:.1%}",
        f"false deadlines (no gold)     {report['false_deadline_share']:.1%}",
        f"rolling accuracy              {report['rolling_accuracy']:.1%}",
        f"documents per second          {report['docs_per_second']:.0f}",
    ]
    if report.get("errors"):
        lines.append(f"documents with errors         {report['errors']}")
    return "\n".join(lines)


ERROR_KINDS = (
    ("relevance_fp", "relevance false positive (predicted relevant, gold not)"),
    ("relevance_fn", "relevance false negative (predicted not relevant, gold relevant)"),
    ("missed_deadline", "missed deadline (a gold date not predicted)"),
    ("wrong_date", "wrong date (a predicted date not in gold, where gold has deadlines)"),
    ("false_deadline", "false deadline (a date predicted, gold has none)"),
    ("rolling", "rolling wrong"),
)


def wrong_documents(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each wrong document under every kind of error it shows, with what was expected and what came out."""
    wrong: dict[str, list[str]] = {kind: [] for kind, _ in ERROR_KINDS}
    for g, p in zip(gold, predicted, strict=True):
        ident, title = g.get("id"), (g.get("title") or "")[:70]
        if "error" in p:
            wrong.setdefault("unreadable", []).append(f"{ident}: {p['error']}")
            continue
        expected, got = g.get("relevant"), bool(p.get("relevant"))
        if expected is not None and got != expected:
            kind = "relevance_fp" if got else "relevance_fn"
            wrong[kind].append(
                f"{ident} ({title}): expected {expected}, got {got} (score {p.get('score', 0):.2f})"
            )
        gold_dates, pred_dates = date_list(g), date_list(p)
        missed = [d for d in gold_dates if d not in pred_dates]
        extra = [d for d in pred_dates if d not in gold_dates]
        line = f"{ident} ({title}): expected {gold_dates}, got {pred_dates}"
        if missed:
            wrong["missed_deadline"].append(line)
        if extra:
            wrong["wrong_date" if gold_dates else "false_deadline"].append(line)
        if bool(p.get("rolling")) != bool(g.get("rolling")):
            wrong["rolling"].append(
                f"{ident} ({title}): expected {bool(g.get('rolling'))}, got {bool(p.get('rolling'))}"
            )
    return wrong


def format_errors(report: dict[str, Any]) -> str:
    """The wrong documents grouped by kind of error, each kind with its count; kinds without errors are left out."""
    titles = dict(ERROR_KINDS) | {"unreadable": "unreadable documents"}
    lines = []
    for kind, entries in report.get("wrong", {}).items():
        if entries:
            lines.append(f"\n{titles[kind]}: {len(entries)}")
            lines += [f"  {entry}" for entry in entries]
    return "\n".join(lines) if lines else "\nno wrong documents"
