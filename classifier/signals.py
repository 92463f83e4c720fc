"""The spec's relevance signals read from a call text: is it funding, who may apply, is it closed (pure).

Each detector returns the matched words and their position (or None), so the evidence can quote them.
The kinds of document that are no funding call (tender, job ad, prize, …) are ``classifier.doctypes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.fold import Lower, fold
from classifier.text import trie_pattern


@dataclass(frozen=True)
class Signal:
    name: str
    term: str
    start: int


# Substrings, not patterns: "förder" must also be found inside "Innovationsförderung", and `in` is fast.
FUNDING_WORDS = (
    "förder", "zuwendung", "zuschuss", "zuschüsse", "darlehen", "kredit", "gutschein", "bonus", "grant",
    "funding", "funded", "call for proposals", "open call", "voucher", "cascade", "lump sum", "cofinanc",
    "co-financ", "financial support", "innovationsprämie", "innovation action", "research and innovation",
    "proposals", "bekanntmachung", "aufruf", "wettbewerb", "ausschreibung", "research grant", "research funding",
    "sachbeihilfe",
)  # fmt: skip
APPLICANT_WORDS = (
    "kmu", "kleine und mittlere unternehmen", "kleinen und mittleren unternehmen", "unternehmen", "start-up",
    "startup", "hochschulen", "forschungseinrichtung", "forschungsinstitut", "smes", "sme ", "companies",
    "enterprises", "research organisation", "research organization", "universities", "mittelstand",
    "legal entit", "konsortien", "verbünde", "research institution",
)  # fmt: skip

_COMPANIES = r"(?:unternehmen|firmen|hersteller|softwareanbieter|anbieter|companies|enterprises|businesses|for-profit|industry partners)"
_RESTRICTED = Lower(
    rf"\b{_COMPANIES}\b[^.;]{{0,80}}?\b(?:nicht|weder|keine|not|cannot|ineligible)\b[^.;]{{0,40}}?"
    r"(?:antragsberechtigt|antragsteller|gefördert|förderfähig|vorgesehen|eligible|apply|funded)\b|"
    r"\b(?:only|ausschließlich|nur)\b[^.;]{0,60}?\b(?:us|u\.s\.|united states|american)\b|"
    r"\blocated in the united states\b",
)
# "Large companies are not eligible" leaves SMEs in: only an exclusion of companies as such counts.
_ONLY_SOME = re.compile(r"(?:große[n]?|large|foreign|ausländische[n]?|non-eu|non-european|größere[n]?)\s*$")
_ELIGIBLE_LIST = Lower(
    r"(?:antragsberechtigt sind|antragsberechtigt:|zuwendungsempfänger sind|gefördert werden ausschließlich|"
    r"eligible applicants?(?: are)?|may only be submitted by|applications? (?:are|is) open to|"
    r"förderberechtigt sind)(?![^.\n]{0,40}?(?:angehalten|verpflichtet|gehalten|aufgefordert|gebeten))"
    # the list may follow as bullets on the next lines ("Antragsberechtigt sind\n  * Unternehmen …")
    r"((?:\\\.|[^.\n]|\n(?!\s*\n\s*\n)){0,300})",
)
_NOT_BEFORE = re.compile(r"\b(?:nicht|not|nicht mehr)\s+$")
_CAN_APPLY = re.compile(
    r"unternehmen|\bkmu\b|wirtschaft|start-?ups?|firmen|companies|enterprises|\bsmes?\b|businesses|industr|"
    r"forschungseinrichtung|forschungsinstitut|hochschule|universit|research organi|institut|legal entit|"
    r"\balle\b|\bany\b|konsorti|verbünde|freiberuf|gründ|handwerk|gesellschaft|gmbh|betriebe|selbst(?:st)?ändige|"
    r"juristische personen|legal persons|organi[sz]ations|entities|mittelstand",
)
_FIELD_EXCLUDED = Lower(
    r"(?:nicht gefördert werden|nicht förderfähig sind|ausgeschlossen sind|ausgenommen sind|not eligible are|"
    r"excluded from funding are|will not be funded)\s*:?\s*(?:\w+\s+){0,8}"
    r"(?:software|digitalisierung|digital|it-|informationstechn|\bki\b|künstliche|artificial)|"
    r"\b(?:software\w*|digital\w*|algorithm\w*|ki-\w+)\b[^.;]{0,60}?(?:nicht förderfähig|nicht gefördert|"
    r"können nicht gefördert|are not eligible|is not eligible|excluded from funding|will not be funded)",
)
_GATE = {
    "restricted": (
        "nicht",
        "weder",
        "keine",
        "not ",
        "cannot",
        "ineligible",
        "only",
        "ausschließlich",
        "nur ",
        "united states",
    ),
    "field": (
        "nicht gefördert",
        "nicht förderfähig",
        "ausgeschlossen",
        "ausgenommen",
        "not eligible",
        "excluded",
        "not be funded",
    ),
}
INCIDENTAL = fold(
    r"portal\b|portals\b|referat\b|abteilung|\bunit\b|ansprechpartner|kontakt|e-mail|tel\.|telefon|"
    r"\bwww\.|https?://|hochschullehre|\blehre\b|lehrveranstaltung|curricul|\bdirectorate\b",
)
_INCIDENTAL_GATE = (
    "portal", "referat", "abteilung", "unit", "ansprechpartner", "kontakt", "e-mail", "tel.", "telefon", "www.",
    "http", "lehre", "lehrveranstaltung", "curricul", "directorate",
)  # fmt: skip


def is_incidental(sentence: str) -> bool:
    """A sentence where a topic word is no evidence: a portal, a ministry unit, a contact line, teaching."""
    low = sentence.lower()
    return any(word in low for word in _INCIDENTAL_GATE) and bool(INCIDENTAL.search(sentence))


# A topic word inside the name of a ministry or agency ("Bundesministerium für Digitales und Verkehr",
# "Ministry of Economic Affairs and Digital Transformation", "Digitalministerium") says who funds, not what.
_NAME_BEFORE = re.compile(
    r"(?:[Mm]inisteri\w*|[Mm]inistry|[Ss]enatsverwaltung|[Ss]taatskanzlei|[Dd]irectorate[- ]General|"
    r"Generaldirektion|[Bb]undesamt|[Ll]andesamt|[Aa]gentur|[Aa]gency|[Dd]epartment)\s+(?:für|of|for)\s+"
    r"(?:(?:[A-ZÄÖÜ][\w-]*|und|and|the|,)\s*){0,6}$"
)
_NAME_WORD = re.compile(r"digital(?:minister|agentur|staatssekretär|beauftragt|senat)", re.IGNORECASE)


# one of these stands in every name _NAME_BEFORE finds: most topic words have none of them before them
_NAME_STEMS = (
    "inisteri", "inistry", "enatsverwaltung", "taatskanzlei", "irectorate", "eneraldirektion", "undesamt",
    "andesamt", "gentur", "gency", "epartment",
)  # fmt: skip


def in_institution_name(text: str, start: int, term: str) -> bool:
    """The topic word at ``start`` is part of a ministry's or agency's name."""
    if _NAME_WORD.match(term):
        return True
    before = text[max(0, start - 90) : start]
    return any(map(before.__contains__, _NAME_STEMS)) and bool(_NAME_BEFORE.search(before))


INNOVATION_WORDS = (
    "forschung und entwicklung", "forschungs- und entwicklung", "fue-", "fue ", "f&e", "r&d", "innovationsvorhaben",
    "innovationsprojekt", "innovative", "entwicklungsvorhaben", "pilotprojekt", "research and innovation",
    "innovation action", "innovation project", "digitalisierungsprojekt", "digitalisierungsvorhaben",
    "prototyp", "prototype", "verbundvorhaben", "verbundprojekt", "forschungsverb", "research consorti", "experiment", "forschungsergebnisse",
    "entwicklungsarbeiten", "entwicklungsprojekt", "produktinnovation", "prozessinnovation", "innovationen",
    "technologietransfer", "technology transfer", "forschungsvorhaben", "forschungsprojekt", "research project",
    "deep tech", "innovation programme", "innovation program", "marktreife", "machbarkeit", "feasibility",
)  # fmt: skip
SUBMISSION_INVITED = Lower(
    r"können\s+(?:\w+\s+){0,4}(?:eingereicht|gestellt)|einreichen|einzureichen|bewerben|\bapply\b|"
    r"call (?:is )?open|submi|antrag|anträge|applications?|bewerbung|proposals|skizze|einreich|frist|deadline",
)


def first_word(words: tuple[str, ...], low: str) -> Signal | None:
    """The earliest of the words in the lower-cased text (one scan with a trie of the words)."""
    pattern = _WORD_TRIES.get(words)
    if pattern is None:
        pattern = _WORD_TRIES[words] = re.compile(trie_pattern(list(words)))
    match = pattern.search(low)
    return Signal("word", match.group(), match.start()) if match else None


_WORD_TRIES: dict[tuple[str, ...], re.Pattern[str]] = {}


# A joint research opportunity where German partners apply to their own funder (NSF–DFG "lead agency"):
# "only US institutions" is about the US side, German universities and institutes can still take part.
_GERMAN_ROUTE = Lower(
    r"\bdfg\b|deutsche forschungsgemeinschaft|\bgerman (?:partners?|researchers|scientists|universities|"
    r"institutions|applicants|teams?|research (?:groups?|teams?|institutions?))\b[^.;]{0,80}?"
    r"\b(?:apply|request|submit|funded|eligible|receive)"
)
_RELATIVE_NEGATION = re.compile(
    r"\w+,\s*(?:die|der|deren|welche|which|that|who)\b[^,]*?\b(?:nicht|not|keine)\b"
)
_RESEARCH_BODIES = Lower(
    r"hochschulen|universitäten|forschungseinrichtungen|forschungsinstitut|universities|research organi[sz]ations|"
    r"research institut"
)
_US_ONLY = Lower(r"\b(?:us|u\.s\.|united states|american)\b")


def restricted_applicants(text: str, low: str) -> Signal | None:
    """Companies excluded outright, or an eligibility list naming neither companies nor research bodies."""
    if any(word in low for word in _GATE["restricted"]):
        german_route: bool | None = None
        research_eligible: bool | None = None
        for match in _RESTRICTED.finditer(low):
            if _ONLY_SOME.search(low, max(0, match.start() - 25), match.start()):
                continue
            if _RELATIVE_NEGATION.match(match.group()):
                continue  # "Unternehmen, die nicht die KMU-Kriterien erfüllen, (sind) antragsberechtigt"
            if not _US_ONLY.search(match.group()):
                # companies excluded, universities and institutes eligible: the network's institutes can apply
                research_eligible = (
                    bool(_RESEARCH_BODIES.search(low)) if research_eligible is None else research_eligible
                )
                if research_eligible:
                    continue
            if _US_ONLY.search(match.group()):
                german_route = bool(_GERMAN_ROUTE.search(low)) if german_route is None else german_route
                if german_route:
                    continue
            return Signal("restricted_applicants", text[match.start() : match.end()], match.start())
    for match in _ELIGIBLE_LIST.finditer(low):
        if _NOT_BEFORE.search(low, max(0, match.start() - 8), match.start()):
            continue  # "Nicht antragsberechtigt sind Privatpersonen": a list of the excluded
        if not _CAN_APPLY.search(match.group(1)):
            return Signal("restricted_applicants", text[match.start() : match.end()], match.start())
    return None


def field_excluded(text: str, low: str) -> Signal | None:
    """Digital / software / AI work named as not fundable."""
    if not any(word in low for word in _GATE["field"]):
        return None
    match = _FIELD_EXCLUDED.search(low)
    if not match:
        return None
    end = low.find(".", match.end())
    clause = low[match.start() : end if end > 0 else match.end() + 200]
    kinds = {m.group(1) for m in _DIGITAL_WORK.finditer(clause)}
    # Software alone ("reine Softwareentwicklung ist nicht förderfähig") is common in fitting R&D calls;
    # AI or several digital fields excluded together is not.
    name = (
        "field_excluded"
        if len(kinds) < 2 and not kinds & {"ki", "künstliche", "artificial"}
        else "ai_excluded"
    )
    return Signal(name, text[match.start() : match.end()], match.start())


_DIGITAL_WORK = Lower(r"(software|digital|algorithm|\bki\b|künstliche|artificial|daten|informationstechn)")
