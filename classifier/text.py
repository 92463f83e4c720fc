"""Text preparation for the classifier: cleaning, length cap, language guess and sentence spans."""

from __future__ import annotations

import re
from bisect import bisect_right

from classifier.fold import fold
from foerderradar.text import html_to_text

# Enough for every real call page; longer texts keep their head plus the deadline-bearing parts.
MAX_CHARS = 60_000
WINDOW = 400
MAX_WINDOWS = 40

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]+")
_LETTERS = re.compile(r"[^\W\d_]+")
_LAYOUT = re.compile(r"[\s.·…_=|-]+")
# _CONTROL's characters as UTF-8 bytes, and the ASCII letters: check_text counts them in one pass
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CUE = fold(
    r"frist|stichtag|deadline|cut-?off|closing date|einzureichen|vorzulegen|einsendeschluss|antragsschluss|"
    # rolling submission is an answer too ("Projektskizzen können jederzeit … eingereicht werden")
    r"jederzeit|fortlaufend|laufend gestellt|ganzjährig|unbefristet|at any time|rolling basis|eingereicht werden",
)

_DE_WORDS = frozenset(
    "der die das und ist sind für mit von zu zur zum bis werden wird nicht eine ein des den dem im auf "
    "bei sowie oder können kann".split()
)
_EN_WORDS = frozenset(
    "the and of to for is are with be by will this that which on in an or from can may".split()
)
_WORD = re.compile(r"[a-zA-ZäöüÄÖÜß]+")


class TextError(ValueError):
    """A document cannot be read as text (binary data, nothing left after cleaning)."""


def clean_text(text: str) -> str:
    """Plain text from what a crawler left: HTML as paragraphs, entities decoded, control bytes dropped."""
    return html_to_text(text)


def check_text(raw: str) -> None:
    """Raise TextError for input that is mostly binary junk rather than language."""
    sample = raw[:2000]
    if len(sample) <= 200:
        return
    # Most texts are plainly language: no control byte, no U+FFFD, and ASCII letters alone make up the
    # share of letters the test below asks for. Counting bytes (C, one pass) settles those without the
    # character-class scans.
    encoded = sample.encode("utf-8", "surrogatepass")
    if (
        len(encoded.translate(None, _CONTROL_BYTES)) == len(encoded)
        and "\ufffd" not in sample
        and len(encoded) - len(encoded.translate(None, _ASCII_LETTERS)) >= len(sample) * 0.3
    ):
        return
    bad = len(_CONTROL.findall(sample)) if _CONTROL.search(sample) else 0
    bad += sample.count("\ufffd")
    rest = _LETTERS.sub("", sample)  # all but the letters
    letters = len(sample) - len(rest)
    # spaces and dot leaders are layout, not junk: a PDF's table of contents is mostly "……… 3"
    visible = len(sample) - (len(rest) - len(_LAYOUT.sub("", rest)))
    if bad > len(sample) * 0.05 or letters < visible * 0.3:
        raise TextError("text looks like binary data, not language")


def cap_text(text: str, limit: int = MAX_CHARS) -> str:
    """Keep at most ``limit`` characters: the head, plus windows around deadline words further down."""
    if len(text) <= limit:
        return text
    head = text[: limit - MAX_WINDOWS * WINDOW]
    parts, last_end = [head], len(head)
    cues = _CUE.finditer(text, len(head))  # folded: the lower-case twin scans, fast
    for match in cues:
        if match.start() < last_end:
            continue
        start = max(last_end, match.start() - WINDOW // 2)
        last_end = min(len(text), start + WINDOW)
        parts.append(text[start:last_end])
        if len(parts) > MAX_WINDOWS:
            break
    return "\n…\n".join(parts)


def detect_language(text: str) -> str:
    """``de`` or ``en`` by counting frequent function words (cheap and good enough for calls)."""
    words = [word.lower() for word in _WORD.findall(text[:5000])]
    de, en = sum(map(_DE_WORDS.__contains__, words)), sum(map(_EN_WORDS.__contains__, words))
    return "en" if en > de else "de"


_ABBREVIATIONS = frozenset(
    "z b bzw ggf vgl nr abs ca inkl usw u a d h gem max min mio mrd dr prof st ff s r v art lit ziff kap t "
    "etc e g i no fa bspw evtl insb sog allg".split()
)
# Every alternative starts with a literal character, so re skips ahead to the next "\n", ";", ".", "!" or
# "?" in C (one class "[.!?]" instead would make it try every position); what must stand before a full
# stop (a letter, a bracket, a four-digit year — not "15." of a date) is checked in code.
# A table row ("| 15.01.2027 | Februar 2027 |") is a line of its own, like a list item.
_CAPITAL_NEXT = r"(?=\s+[A-ZÄÖÜ„\"(])"
_SENTENCE_END = re.compile(
    rf"\n\s*\n|\n(?=\s*(?:[-•*–|]|\d|[A-ZÄÖÜ]))|;\s|\.{_CAPITAL_NEXT}|!{_CAPITAL_NEXT}|\?{_CAPITAL_NEXT}"
)
_BEFORE_STOP = re.compile(r"(?:[a-zA-ZäöüßÄÖÜ)\"“”%]|\d{4})$")
_LAST_WORD = re.compile(r"([A-Za-zäöüß]+)\.?$")
_CONTINUES = fold(
    r"\b(?:bis|zum|zur|am|den|dem|der|die|vom|von|by|on|until|the|of|spätestens|und|and|sowie|oder|or)\s*$",
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences and list lines; a date's full stop does not end a sentence."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        mark, at = match.group(), match.start()
        if mark in ".!?":
            if not _BEFORE_STOP.search(text, max(0, at - 4), at):
                continue
            if mark == "." and _is_abbreviation(text, at):
                continue
        elif mark == "\n" and _wrapped(text, at):
            continue  # a line broken inside a sentence: "bis zum\n15. April", wrapped PDF text
        end = match.end()
        if end > start:
            spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _wrapped(text: str, newline: int) -> bool:
    """A single line break that continues the sentence: after "bis zum", or after a long line that does
    not end like a sentence, a label or a heading (text wrapped by a PDF or an editor)."""
    if _CONTINUES.search(text, max(0, newline - 20), newline):
        return True
    line_start = text.rfind("\n", 0, newline) + 1
    line = text[line_start:newline].rstrip()
    following = text[newline + 1 : newline + 3].lstrip()
    if following[:1].isdigit() or following[:1] == "|":
        return False
    ends = line[-1:] in _LINE_END and not _MERIDIEM.search(line)  # "… due by 11:59 p.m.\nEST on"
    return len(line) >= WRAP_WIDTH and not ends


WRAP_WIDTH = 70
_MERIDIEM = re.compile(r"\b[ap]\.m\.?$", re.IGNORECASE)  # a time of day: "11:59 p.m."
_LINE_END = set('.:;!?)"“”')


def _is_abbreviation(text: str, dot: int) -> bool:
    if _MERIDIEM.search(text, max(0, dot - 4), dot):
        return True  # "due by 11:59 p.m. EST on …"
    word = _LAST_WORD.search(text, max(0, dot - 12), dot)
    return word is not None and word.group(1).lower() in _ABBREVIATIONS


class Sentences:
    """Looks up the sentence around a character offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = sentence_spans(text)
        self.starts = [s for s, _ in self.spans]

    def index(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    def span(self, offset: int) -> tuple[int, int]:
        return self.spans[self.index(offset)] if self.spans else (0, len(self.text))

    def sentence(self, offset: int, limit: int = 300) -> str:
        start, end = self.span(offset)
        return " ".join(self.text[start:end].split())[:limit]


def trie_pattern(words: list[str]) -> str:
    """A regex alternation of literal words as a trie ("k(?:i-|mu)"): Python's re tries alternatives one
    by one at every position, a trie lets the first character decide."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body
