"""Rolling submission, "the text says it is closed", and a call's status at a reference date (pure)."""

from __future__ import annotations

import re
from datetime import date

from classifier import cues
from classifier.text import Sentences
from models import Deadline

_ROLLING_GATE = (
    "jederzeit", "laufend", "unbefristet", "ganze jahr", "ganzjährig", "first come", "any time", "anytime",
    "continuously", "rolling basis", "open-ended", "permanently open", "stichtagsunabh", "kontinuierlich",
    "ohne frist", "ohne einreichungsfrist", "ohne antragsfrist", "ohne bewerbungsfrist", "ohne feste",
    "keine frist", "keine einreichungsfrist", "keine antragsfrist", "keine feste", "no deadline", "no fixed deadline",
)  # fmt: skip


def is_rolling(text: str, sentences: Sentences) -> bool:
    """Submission possible at any time: "jederzeit", "laufend", "unbefristet", "first come, first served"."""
    low = text.lower()
    if not any(word in low for word in _ROLLING_GATE):
        return False
    for match in cues.ROLLING.finditer(text):
        if not cues.ROLLING_NEEDS_CONTEXT.search(match.group()):
            return True
        start, end = sentences.span(match.start())
        if cues.SUBMISSION_CONTEXT.search(text[start:end]):
            return True
    return False


_CONDITION = re.compile(
    r"\b(?:bis|until|till|solange|as long as|sobald|once|wenn|if|falls|sofern|nachdem|bevor|before|unless)\b"
    r"(?:\s+\S+){0,5}\s*$",
    re.I,
)


_CLOSED_GATE = (
    "stopp", "ausgeschöpft", "eingestellt", "ausgesetzt", "beendet", "gestoppt", "geschlossen", "aufgehoben",
    "abgelaufen", "closed", "cancel", "suspend", "no longer", "exhausted", "nicht mehr", "anträge mehr",
    "derzeit keine",
)  # fmt: skip


def says_closed(text: str) -> str:
    """The words in which the text itself says the call is closed, cancelled, suspended or out of
    money, or "" when it does not.

    "… until the budget is exhausted" / "solange die Mittel nicht ausgeschöpft sind" is a condition, not
    a statement, and does not count.
    """
    low = text.lower()
    if not any(word in low for word in _CLOSED_GATE):
        return ""
    for match in cues.CLOSED.finditer(text):
        before = text[max(0, match.start() - 50) : match.start()]
        if not _CONDITION.search(before) and "nicht" not in match.group().lower()[-12:]:
            return match.group()
    return ""


def status_at(
    deadlines: tuple[Deadline, ...],
    openings: tuple[str, ...],
    rolling: bool,
    closed: bool | str,
    today: date,
) -> tuple[str | None, str]:
    """``(next_deadline, status)`` of a call at ``today`` as spec/classifier.md §1 defines them."""
    day = today.isoformat()
    dated = sorted(d.date for d in deadlines if d.date)
    upcoming = [d for d in dated if d >= day]
    next_deadline = upcoming[0] if upcoming else None
    if closed:
        return next_deadline, "closed"
    if any(opening > day for opening in openings) and (upcoming or rolling or not dated):
        return next_deadline, "forthcoming"
    if upcoming or (rolling and not dated):
        return next_deadline, "open"
    if dated:
        return None, "closed"
    return None, "unknown"
