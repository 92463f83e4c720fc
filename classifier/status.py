"""Rolling submission, "the text says it is closed", and a call's status at a reference date (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from classifier import cues
from classifier.fold import fold
from classifier.gates import gate, passes, windows
from classifier.text import Sentences
from foerderradar.models import Deadline, next_deadline

ROLLING_CONTEXT = 120  # characters around a "jederzeit" that must say what can be submitted


def is_rolling(text: str, sentences: Sentences, low: str | None = None) -> bool:
    """Submission possible at any time: "jederzeit", "laufend", "unbefristet", "first come, first served".

    A word that needs context ("jederzeit", "fortlaufend") counts only when a submission word stands near
    it in its sentence; in a cookie banner or "wird fortlaufend verbessert" it says nothing about the call."""
    if low is not None and not passes(_ROLLING_GATE, low):
        return False
    for match in cues.ROLLING.scan_lower(low) if low is not None else cues.ROLLING.finditer(text):
        if not cues.ROLLING_NEEDS_CONTEXT.search(match.group()):
            return True
        start, end = sentences.span(match.start())
        window = text[max(start, match.start() - ROLLING_CONTEXT) : min(end, match.end() + ROLLING_CONTEXT)]
        if cues.SUBMISSION_CONTEXT.search(window) and not cues.NOT_SUBMISSION.search(
            text, match.end(), min(end, match.end() + 60)
        ):
            return True
    return False


_CONDITION = fold(
    r"\b(?:bis|until|till|solange|as long as|sobald|once|wenn|if|falls|sofern|nachdem|bevor|before|unless)\b"
    r"(?:\s+\S+){0,5}\s*$",
)


# A stop, a cancellation or a portal's status field ("Status: Closed", "closed for submission", "(call
# closed)") speaks for the whole page, wherever it stands.
_FINAL = fold(
    r"stopp|ausgeschöpft|gebunden|exhausted|cancel|suspend|ausgesetzt|gestoppt|keine (?:neuen )?anträge|"
    r"no (?:new |more |further )(?:applications|proposals|submissions)|"
    r"status:?\s*closed|closed for submission|submission service|topic (?:is|has been) (?:now )?closed",
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
    for match in _closed_matches(text, low):
        if _is_statement(text, match.start(), match.end()):
            return text[match.start() : match.end()], match.start()
    status = _STATUS_WORD.search(text, 0, HEAD)
    if status:
        return status.group(1), status.start(1)
    return "", -1


# A portal's status label in the head of the page, glued to the label before it ("Call for proposalsClosed")
# or on a line of its own; capitalised, so that "closed-loop" or "a closed group" in prose do not count.
_STATUS_WORD = re.compile(r"(?:(?<=[a-z)])|^[ \t]*)(Closed|Expired|Geschlossen|Abgelaufen)(?![\w-])", re.M)


def _closed_matches(text: str, low: str | None) -> Iterator[re.Match[str]]:
    """The closed pattern's matches in text order. On lower-cased text it runs only near its gate's literals
    (a match is never longer than ``CLOSED_REACH``): on a 30,000-character guideline that is a tenth of the
    text; and without "abgelaufen" in the text, as ``CLOSED_OTHERWISE``, whose every match starts with a
    literal to jump to."""
    if low is None:
        yield from cues.CLOSED.finditer(text)
        return
    pattern, literals = (
        (cues.CLOSED, _CLOSED_GATE)
        if passes(cues.FRIST_EXPIRED_GATE, low)
        else (cues.CLOSED_OTHERWISE, _OTHERWISE_GATE)
    )
    if literals is None:
        yield from pattern.scan_lower(low)
        return
    cursor = 0
    for start, end in windows(literals, low, CLOSED_REACH, CLOSED_REACH // 2):
        for match in pattern.scan_lower(low, max(start, cursor), end):
            cursor = match.end()
            yield match


CLOSED_REACH = 300  # characters: longer than any match of cues.CLOSED before and after its literal


def _is_statement(text: str, start: int, end: int) -> bool:
    """Whether the closed words at ``start:end`` state that the call is closed. Not when they are negated
    ("bei Weitem nicht ausgeschöpft"), a condition ("Sofern die Mittel … ausgeschöpft sind, werden …"),
    another verb of the same form ("auf eine künftige Förderung geschlossen werden": inferred; "einem
    Wettbewerb ausgesetzt": exposed to), or "ausgeschöpft" said of something other than money."""
    words = text[start:end].lower()
    before = text[max(0, start - 50) : start]
    clause = text[_clause_start(text, start) : start]
    after = text[end : end + 12].lower()
    if _CONDITION.search(before) or _CLAUSE_CONDITION.search(clause):
        return False
    if _NEGATED.search(clause) or (_NEGATED_INSIDE.search(words) and not _SAYS_NO.search(words)):
        return False
    if words.endswith("geschlossen") and _PASSIVE.match(after):
        return False
    if words.endswith("ausgesetzt") and _DATIVE_OBJECT.search(before):
        return False
    if words == "ausgeschöpft" and not _MONEY.search(clause[-120:]):
        return False
    return True


def _clause_start(text: str, position: int) -> int:
    """Where the sentence or clause holding ``position`` starts (after ".", ";", "!", "?" or a blank line)."""
    window = text[max(0, position - 300) : position]
    cut = max(window.rfind(mark) for mark in (". ", ".\n", ";", "!", "?", "\n\n"))
    return max(0, position - 300) + cut + 1 if cut >= 0 else max(0, position - 300)


# A conditional or temporal subordinate clause anywhere before the words in their clause
_CLAUSE_CONDITION = fold(
    r"\b(?:sofern|soweit|solange|sobald|falls|wenn|nachdem|if|once|unless|whenever|as soon as|as long as|"
    r"nach (?:dem ende|ablauf)|after the (?:end|expiry)|in case)\b",
)
_NEGATED = fold(r"\b(?:nicht|not|nie|never|keineswegs)\b(?:\s+\S+){0,2}\s*$")
_NEGATED_INSIDE = re.compile(r"\b(?:nicht|not)\s+(?:\S+\s+)?\S+$")  # "Mittel sind nicht (voll) ausgeschöpft"
_SAYS_NO = re.compile(r"nicht mehr|not available|no longer|keine")  # the closed words are the negation
_PASSIVE = re.compile(r"\s*(?:werden|wird|worden)\b")
_DATIVE_OBJECT = fold(r"\b(?:einem|dem|einer)\s+(?:\w+\s+){0,3}$")  # before the noun: its object
_MONEY = fold(r"mittel|budget|kontingent|gelder|topf|fonds|volumen|programm|funds")


# literals one of which every match must contain, read from the patterns themselves (``gates``)
_CLOSED_GATE, _OTHERWISE_GATE = gate(cues.CLOSED), gate(cues.CLOSED_OTHERWISE)
_ROLLING_GATE = gate(cues.ROLLING)


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
