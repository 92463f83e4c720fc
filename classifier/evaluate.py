"""Scores the classifier against a gold JSONL file with the figures spec/classifier.md §3 names."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import date
from typing import Any


def run_eval(classifier: Any, lines: Iterable[str], today: date | None) -> dict[str, Any]:
    """Tag every gold record (reference date: ``today``, else its published date) and compare."""
    gold = [json.loads(line) for line in lines if line.strip()]
    inputs = [json.dumps({k: g.get(k) for k in ("id", "title", "text", "url", "published", "language")}) for g in gold]
    started = time.perf_counter()
    predicted = list(classifier.tag_lines(inputs, today))
    elapsed = time.perf_counter() - started
    report = _compare(gold, predicted)
    report["documents"] = len(gold)
    report["seconds"] = elapsed
    report["docs_per_second"] = len(gold) / elapsed if elapsed > 0 else 0.0
    return report


def _compare(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = 0
    date_hits = date_predicted = date_gold_hits = date_gold = 0
    exact = false_docs = no_gold_docs = rolling_ok = errors = 0
    mismatches: list[str] = []
    for g, p in zip(gold, predicted, strict=True):
        if "error" in p:
            errors += 1
        if g.get("relevant") is not None:
            pred = bool(p.get("relevant"))
            tp += pred and g["relevant"]
            fp += pred and not g["relevant"]
            fn += (not pred) and g["relevant"]
        gold_dates = sorted(d.get("date") or "null" for d in g.get("deadlines", []))
        pred_dates = sorted(d.get("date") or "null" for d in p.get("deadlines", []))
        date_predicted += len(pred_dates)
        date_hits += sum(d in gold_dates for d in pred_dates)
        date_gold += len(gold_dates)
        date_gold_hits += sum(d in pred_dates for d in gold_dates)
        if sorted(set(gold_dates)) == sorted(set(pred_dates)):
            exact += 1
        else:
            mismatches.append(f"{g.get('id')}: gold {gold_dates} predicted {pred_dates}")
        if not gold_dates:
            no_gold_docs += 1
            false_docs += bool(pred_dates)
        rolling_ok += bool(p.get("rolling")) == bool(g.get("rolling"))
    n = len(gold) or 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "relevance": {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "tp": tp, "fp": fp, "fn": fn},
        "deadline_precision": date_hits / date_predicted if date_predicted else 1.0,
        "deadline_recall": date_gold_hits / date_gold if date_gold else 1.0,
        "exact_deadline_share": exact / n,
        "false_deadline_share": false_docs / no_gold_docs if no_gold_docs else 0.0,
        "rolling_accuracy": rolling_ok / n,
        "errors": errors,
        "mismatches": mismatches,
    }


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
