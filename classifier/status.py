"""Rolling submission, "the text says it is closed", and a call's status at a reference date (pure)."""

from __future__ import annotations

import re
from datetime import date

from classifier import cues
from classifier.gates import gate, passes
from classifier.text import Sentences
from foerderradar.models import Deadline, next_deadline

ROLLING_CONTEXT = 120  # characters around a "jederzeit" that must say what can be submitted


def is_rolling(text: str, sentences: Sentences, low: str | None = None) -> bool:
    """Submission possible at any time: "jederzeit", "laufend", "unbefristet", "first come, first served".

    A word that needs context ("jederzeit", "fortlaufend") counts only when a submission word stands near
    it in its sentence; in a cookie banner or "wird fortlaufend verbessert" it says nothing about the call."""
    if low is not None and not passes(_ROLLING_GATE, low):
        return False
    for match in _ROLLING_LOW.finditer(low) if low is not None else cues.ROLLING.finditer(text):
        if not cues.ROLLING_NEEDS_CONTEXT.search(match.group()):
            return True
        start, end = sentences.span(match.start())
        window = text[max(start, match.start() - ROLLING_CONTEXT) : min(end, match.end() + ROLLING_CONTEXT)]
        if cues.SUBMISSION_CONTEXT.search(window) and not cues.NOT_SUBMISSION.search(
            text, match.end(), min(end, match.end() + 60)
        ):
            return True
    return False


_CONDITION = re.compile(
    r"\b(?:bis|until|till|solange|as long as|sobald|once|wenn|if|falls|sofern|nachdem|bevor|before|unless)\b"
    r"(?:\s+\S+){0,5}\s*$",
    re.I,
)


# A stop, a cancellation or a portal's status field ("Status: Closed", "closed for submission", "(call
# closed)") speaks for the whole page, wherever it stands.
_FINAL = re.compile(
    r"stopp|ausgeschöpft|exhausted|cancel|suspend|ausgesetzt|gestoppt|keine (?:neuen )?anträge|"
    r"status:?\s*closed|closed for submission|submission service|topic (?:is|has been) (?:now )?closed",
    re.I,
)
HEAD = 300  # a closed statement this early (title, first lines) speaks for the whole page


def closes_call(closed: str, early: bool, deadlines: tuple[Deadline, ...], today: date) -> bool:
    """Whether a closed statement closes the call. A stop or a cancellation always does; "abgeschlossen",
    "closed" further down a page that still names an upcoming deadline is about one of several calls on
    the page ("Dieser Aufruf ist abgeschlossen")."""
    if not closed:
        return False
    if _FINAL.search(closed):
        return True  # a stop for lack of money or a cancellation ends every call on the page
    upcoming = next_deadline(deadlines, today, applications_only=True)
    return early or upcoming is None


def is_early(position: int, length: int) -> bool:
    """In the title or the first lines: within HEAD characters and the first fifth of the text."""
    return 0 <= position < min(HEAD, max(length // 5, 60))


def says_closed(text: str, low: str | None = None) -> tuple[str, int]:
    """The words in which the text itself says the call is closed, cancelled, suspended or out of
    money, and where; ("", -1) when it does not.

    "… until the budget is exhausted" / "solange die Mittel nicht ausgeschöpft sind" is a condition, not
    a statement, and does not count. ``low``: the text lower-cased with the same offsets, when at hand
    (a case-sensitive scan of it is twice as fast as a case-insensitive one of the text).
    """
    if low is not None and not passes(_CLOSED_GATE, low):
        return "", -1
    for match in _CLOSED_LOW.finditer(low) if low is not None else cues.CLOSED.finditer(text):
        before = text[max(0, match.start() - 50) : match.start()]
        if not _CONDITION.search(before) and "nicht" not in match.group().lower()[-12:]:
            return text[match.start() : match.end()], match.start()
    return "", -1


_CLOSED_LOW = re.compile(cues.CLOSED.pattern)  # the same pattern, for lower-cased text
_ROLLING_LOW = re.compile(cues.ROLLING.pattern)
# literals one of which every match must contain, read from the patterns themselves (``gates``)
_CLOSED_GATE, _ROLLING_GATE = gate(cues.CLOSED), gate(cues.ROLLING)


def status_at(
    deadlines: tuple[Deadline, ...],
    openings: tuple[str, ...],
    rolling: bool,
    closed: bool | str,
    today: date,
) -> tuple[str | None, str]:
    """``(next_deadline, status)`` of a call at ``today`` as spec/classifier.md §1 defines them."""
    day = today.isoformat()
    dated = any(d.date for d in deadlines)
    upcoming = next_deadline(deadlines, today)
    if closed:
        return upcoming, "closed"
    if any(opening > day for opening in openings) and (upcoming or rolling or not dated):
        return upcoming, "forthcoming"
    if upcoming or (rolling and not dated):
        return upcoming, "open"
    if dated:
        return None, "closed"
    return None, "unknown"
