"""Finds the sections of a call text that carry the answers (purpose, applicants, procedure) and the legal boilerplate (pure).

A long guideline (a Förderdatenbank programme page with its Richtlinie, an EU guide for applicants) states
what is funded and who may apply in a few headed sections; the rest is state-aid law, ANBest, reporting
duties and definitions that every call shares. ``find_sections`` reads the headings (Markdown ``#``,
numbered "2 Gegenstand der Förderung", short title lines) and gives every character position a role:

- ``head``: before the first heading, and the first HEAD_CHARS of a text without headings; the text's first
  line is its title and opens no section, also where the page repeats it as its heading;
- ``purpose``: Kurztext, Volltext, Förderziel, Zuwendungszweck, Gegenstand der Förderung, Scope, Objective …;
- ``applicants``: Zuwendungsempfänger, Antragsberechtigte, Förderberechtigte, Who can apply, Eligibility,
  the EU portal's General conditions (admissibility, eligible countries) …;
- ``procedure``: Verfahren, Fristen, Antragsverfahren, Deadline, How to apply, Submission …;
- ``funding``: Art und Umfang, Höhe der Zuwendung, Budget, Funding rate …;
- ``legal``: Rechtsgrundlagen, Sonstige Zuwendungsbestimmungen, AGVO articles, Geltungsdauer, Anlage …;
- ``body``: under any other heading.

Evidence in ``head``, ``purpose`` and ``applicants`` counts fully, in ``body``/``procedure``/``funding``
less, in ``legal`` not at all (see ``classifier.features``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

HEAD_CHARS = 3000
MAX_HEADING = 90
KEY_ROLES = ("head", "purpose", "applicants")

# Heading words by role, matched at the start of a heading line (after numbering and Markdown marks).
_ROLES = (
    (
        "legal",
        r"rechtsgrundlage|rechtliche grundlage|sonstige zuwendungsbestimmungen|zu beachtende vorschriften|"
        r"beihilferechtlich|kumulierung|geltungsdauer|inkrafttreten|anlage\b|anhang\b|artikel \d|art\. \d|"
        r"abschnitt \d|agvo|aeuv|de-minimis|subventionserheblich|begriffsbestimmung|definitionen|"
        r"prüfungsrecht|verwendungsnachweis|auszahlungsverfahren|anforderungs|datenschutz|veröffentlichung|"
        r"publizität|transparenz|mitteilungspflicht|berichtspflicht|erfolgskontrolle|evaluation|"
        r"legal basis|state aid|annex\b|appendix\b|definitions|data protection|intellectual property|"
        r"ethics|reporting|audit|publicity|liability|terms and conditions",
    ),
    (
        "applicants",
        r"zuwendungsempfänger|antragsberechtig|förderberechtig|antragsteller|begünstigte|wer wird gefördert|"
        r"wer kann|teilnahmeberechtig|zielgruppe|who can apply|who is eligible|eligib|applicants?\b|"
        r"target group|beneficiar|general conditions",
    ),
    (
        "purpose",
        r"kurztext|volltext|förderziel|ziel der förderung|ziele der förderung|zuwendungszweck|zweck der|"
        r"gegenstand der förderung|gegenstand der zuwendung|fördergegenstand|förderschwerpunkt|"
        r"was wird gefördert|was fördern wir|präambel|vorbemerkung|ausgangslage|hintergrund|themen\b|"
        r"förderthemen|scope|objective|expected outcome|expected impact|challenge|call description|"
        r"background|aims?\b|about the call|what is funded|topics?\b|focus|introduction|overview|summary",
    ),
    (
        "funding",
        r"art und umfang|art, umfang|umfang|höhe der|zuwendungsfähig|finanzierung|förderquote|förderhöhe|"
        r"budget|funding rate|financial support|funding amount|lump sum|costs\b|eligible costs",
    ),
    (
        "procedure",
        r"verfahren|antragsverfahren|fristen|frist\b|einreichung|vorlage und auswahl|bewertung|auswahl|"
        r"zweistufig|einstufig|antragstellung|how to apply|submission|deadline|application process|"
        r"evaluation process|timeline|procedure|selection|contact|kontakt|ansprechpartner",
    ),
    ("head", r"rechtliche voraussetzungen"),  # the Förderdatenbank's own summary of who may apply
)
# One pattern for all roles, tried at the start of a heading: its first branch that matches names the role.
_ROLE_AT_START = re.compile("|".join(f"(?P<{role}>{pattern})" for role, pattern in _ROLES), re.IGNORECASE)
_LINE = re.compile(r"[^\n]+")
# Numbering and Markdown marks before a heading's words (anchored: matched at one place, no scan to fold)
_MARKS = re.compile(
    r"^[\s#*>\\_|-]*(?:(?:\d{1,2}(?:\.\d{1,2})*|[ivx]{1,4}|[a-h])[.)]?\\?\.?\s+)?[\s#*\\]*", re.IGNORECASE
)


@dataclass(frozen=True)
class Sections:
    """Role of every position of a text: ``starts`` ascending, ``roles[i]`` holds from ``starts[i]`` on."""

    starts: tuple[int, ...]
    roles: tuple[str, ...]
    headings: tuple[str, ...]

    def role_at(self, position: int) -> str:
        index = bisect.bisect_right(self.starts, position) - 1
        role = self.roles[index] if index >= 0 else "head"
        if role == "head" and index <= 0 and position >= HEAD_CHARS and len(self.starts) <= 1:
            return "body"  # a long text without headings: only its beginning counts as the head
        return role

    def found(self, role: str) -> bool:
        return role in self.roles


def heading_role(line: str) -> str | None:
    """The role a line names when it is a heading, else None."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_HEADING:
        return None
    rest = _MARKS.sub("", stripped, count=1).strip(" :*#")
    if not rest or len(rest) > MAX_HEADING - 5:
        return None
    marked = stripped.startswith("#") or rest != stripped.strip(" :*#") or stripped.endswith(":")
    if not marked and (rest.endswith((".", ",", ";")) or len(rest.split()) > 8):
        return None  # a sentence, not a heading
    named = _ROLE_AT_START.match(rest)
    if named:
        return named.lastgroup
    return "body" if stripped.startswith("#") else None


def find_sections(text: str) -> Sections:
    """The sections of ``text`` by its headings (see the module docstring)."""
    starts, roles, headings = [0], ["head"], [""]
    title = ""
    for match in _LINE.finditer(text):
        line = match.group().strip()
        if not title:  # the first line is the document's title ("Finanzierung über …"): it opens no section
            title = line
            continue
        if line == title:
            continue  # the title again, as the page's own heading
        role = heading_role(match.group())
        if role is None or role == roles[-1]:
            continue
        starts.append(match.start())
        roles.append(role)
        headings.append(match.group().strip()[:MAX_HEADING])
    return Sections(tuple(starts), tuple(roles), tuple(headings))
