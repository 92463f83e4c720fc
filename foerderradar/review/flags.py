"""Flagging rules: which classified calls the coordinator should look at, and why (pure).

Each rule returns a short German reason that is stored in ``classifications.flag_reasons`` and shown
in the review queue, the CSV and the web view. A call with at least one reason is flagged.
The ``context`` is what ``Store.flag_context`` knows about the call beyond its new classification.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from foerderradar.configuration import ReviewSettings
from foerderradar.models import Classification
from foerderradar.store import FlagContext

DEADLINE_CHANGED = "Frist geändert"
NO_DEADLINE = "relevant, aber keine Frist gefunden"
DUPLICATE = "mögliches Duplikat von"
NEW_SOURCE = "neue Quelle"
# sources first seen within this many days of the installation's first source are the baseline,
# not "new": otherwise the very first crawl would flag every call
BASELINE_DAYS = 1


def flag_reasons(result: Classification, context: FlagContext, settings: ReviewSettings) -> list[str]:
    """Every rule that applies to this call, in a fixed order; empty when nothing needs a look."""
    reasons = [
        _uncertain_score(result, settings),
        _missing_deadline(result),
        _deadline_changed(result, context),
        _duplicate(context),
        _new_source(context, settings),
    ]
    return [reason for reason in reasons if reason]


def _uncertain_score(result: Classification, settings: ReviewSettings) -> str | None:
    if settings.lower_threshold <= result.score < settings.upper_threshold:
        return (
            f"unsicher: Score {_comma(result.score)} zwischen {_comma(settings.lower_threshold)} "
            f"und {_comma(settings.upper_threshold)}"
        )
    return None


def _missing_deadline(result: Classification) -> str | None:
    if result.relevant and not result.deadlines and not result.rolling and result.status != "closed":
        return NO_DEADLINE
    return None


def _deadline_changed(result: Classification, context: FlagContext) -> str | None:
    before = context.previous_deadlines
    now = [d.date for d in result.deadlines]
    if before and sorted(filter(None, before)) != sorted(filter(None, now)):
        return f"{DEADLINE_CHANGED}: {_dates(before)} → {_dates(now)}"
    # keep an earlier "changed" reason until the coordinator has decided after it was raised
    earlier = [r for r in context.previous_reasons or () if r.startswith(DEADLINE_CHANGED)]
    decided_at, classified_at = context.decided_at, context.previous_classified_at
    if earlier and (decided_at is None or (classified_at and decided_at < classified_at)):
        return earlier[0]
    return None


def _duplicate(context: FlagContext) -> str | None:
    other = context.duplicate_of
    return f"{DUPLICATE} {other}" if other else None


def _new_source(context: FlagContext, settings: ReviewSettings) -> str | None:
    source_seen = _day(context.source_first_seen)
    call_seen = _day(context.call_first_seen)
    install = _day(context.install_first_seen)
    if source_seen is None or call_seen is None or settings.new_source_days == 0:
        return None
    if install is not None and (source_seen - install).days <= BASELINE_DAYS:
        return None
    if (call_seen - source_seen).days < settings.new_source_days:
        return f"{NEW_SOURCE} (seit {source_seen.isoformat()}): Ergebnisse prüfen"
    return None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _dates(values: Sequence[str | None]) -> str:
    shown = [date.fromisoformat(v).strftime("%d.%m.%Y") for v in values if v]
    return ", ".join(shown) or "keine"


def _comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")
