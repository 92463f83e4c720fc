"""The spec's relevance signals read from a call text: is it funding, who may apply, is it closed (pure).

Each detector returns the matched words and their position (or None), so the evidence can quote them.
Document types that are not funding (tender, job ad, prize, scholarship, report, news) are decided by
how many of their marker words appear, the title counting double: one stray "budget" or "Studie" in a
real call does not make it a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
    "proposals", "bekanntmachung", "aufruf", "wettbewerb", "ausschreibung",
)  # fmt: skip
APPLICANT_WORDS = (
    "kmu", "kleine und mittlere unternehmen", "kleinen und mittleren unternehmen", "unternehmen", "start-up",
    "startup", "hochschulen", "forschungseinrichtung", "forschungsinstitut", "smes", "sme ", "companies",
    "enterprises", "research organisation", "research organization", "universities", "mittelstand",
    "legal entit", "konsortien", "verbünde",
)  # fmt: skip

_TYPES = {
    "tender": r"angebotsfrist|vergabeverfahren|vergabeunterlagen|vergabenummer|leistungsbeschreibung|"
              r"call for tenders?|receipt of tenders|tender specifications|contract notice|procurement procedure|"
              r"zuschlagskriterien|auftragswert|öffentliche ausschreibung von|rahmenvertrag|teilnahmeantr",
    "job": r"\([mwd]/[mwd]/[mwd]\)|stellenausschreibung|entgeltgruppe|\btv-?l\b|\btvöd\b|bewerbungsfrist|"
           r"we are hiring|job offer|vacancy|phd position|postdoc(?:toral)? (?:position|researcher)|"
           r"professur \(w|ihre aufgaben|ihr profil|your profile|your tasks|wir suchen|we are looking for",
    "prize": r"preisgeld|preisverleihung|preisträger|prize money|\bprize\b|award ceremony|\bdotiert\b|"
             r"wird verliehen|verleiht|einsendeschluss|wettbewerbsbeiträge|\bjury\b",
    "scholarship": r"stipendi(?:um|en|at)|scholarships?|fellowships? for|studierende|doktorand",
    "report": r"jahresbericht|\bbericht\b|\bstudie\b|\breport\b|\bsurvey\b|bilanz|evaluationsbericht|"
              r"überblick|übersicht|overview|monitoring|\banalyse zeigt",
    "news": r"bewilligt|förderbescheid|überreicht|übergab|\bwurden\b|were (?:selected|awarded|funded)|"
            r"have been selected|results of the call|ergebnisse|haushalt|bundestag|beschlossen|koalition|"
            r"minister(?:in)? \w+ (?:sagte|betonte|erklärte)|pressemitteilung|press release|gipfel|"
            r"veranstaltung|konferenz|infotag|info day|konsultation|consultation|tagung|\bsagte\b",
    "training": r"weiterbildung|qualifizierung(?:smaßnahme)?|lehrgang|umschulung|upskilling|training courses",
}
_TYPE_RE = {name: re.compile(rf"\b(?:{pattern})", re.I) for name, pattern in _TYPES.items()}
TYPE_THRESHOLD = 3  # marker count (title hits count double) at which a document is of that type

_COMPANIES = r"(?:unternehmen|firmen|hersteller|softwareanbieter|anbieter|companies|enterprises|businesses|for-profit|industry partners)"
_RESTRICTED = re.compile(
    rf"\b{_COMPANIES}\b[^.;]{{0,80}}?\b(?:nicht|weder|keine|not|cannot|ineligible)\b[^.;]{{0,40}}?"
    r"(?:antragsberechtigt|antragsteller|gefördert|förderfähig|vorgesehen|eligible|apply|funded)|"
    r"\b(?:only|ausschließlich|nur)\b[^.;]{0,60}?\b(?:us|u\.s\.|united states|american)\b|"
    r"\blocated in the united states\b",
    re.I,
)
_ELIGIBLE_LIST = re.compile(
    r"(?:antragsberechtigt sind|antragsberechtigt:|zuwendungsempfänger sind|gefördert werden ausschließlich|"
    r"eligible applicants?(?: are)?|may only be submitted by|applications? (?:are|is) open to|"
    r"förderberechtigt sind)([^.\n]{0,300})",
    re.I,
)
_CAN_APPLY = re.compile(
    r"unternehmen|\bkmu\b|wirtschaft|start-?ups?|firmen|companies|enterprises|\bsmes?\b|businesses|industr|"
    r"forschungseinrichtung|forschungsinstitut|hochschule|universit|research organi|institut|legal entit|"
    r"\balle\b|\bany\b|konsorti|verbünde|freiberuf|gründ|handwerk",
    re.I,
)
_FIELD_EXCLUDED = re.compile(
    r"(?:nicht gefördert werden|nicht förderfähig sind|ausgeschlossen sind|ausgenommen sind|not eligible are|"
    r"excluded from funding are|will not be funded)\s*:?\s*(?:\w+\s+){0,8}"
    r"(?:software|digitalisierung|digital|it-|informationstechn|\bki\b|künstliche|artificial)|"
    r"\b(?:software\w*|digital\w*|algorithm\w*|ki-\w+)\b[^.;]{0,60}?(?:nicht förderfähig|nicht gefördert|"
    r"können nicht gefördert|are not eligible|is not eligible|excluded from funding|will not be funded)",
    re.I,
)
_GATE = {
    "restricted": ("nicht", "weder", "keine", "not ", "cannot", "ineligible", "only", "ausschließlich", "nur ", "united states"),
    "field": ("nicht gefördert", "nicht förderfähig", "ausgeschlossen", "ausgenommen", "not eligible", "excluded", "not be funded"),
}
INCIDENTAL = re.compile(
    r"\bportal\b|\bportals\b|referat\b|abteilung|\bunit\b|ansprechpartner|kontakt|e-mail|tel\.|telefon|"
    r"\bwww\.|https?://|hochschullehre|\blehre\b|lehrveranstaltung|curricul|\bdirectorate\b",
    re.I,
)
SUBMISSION_INVITED = re.compile(
    r"können\s+(?:\w+\s+){0,4}(?:eingereicht|gestellt)|einreichen|einzureichen|bewerben|\bapply\b|"
    r"call (?:is )?open|submit|antragstellung|anträge",
    re.I,
)


def first_word(words: tuple[str, ...], low: str) -> Signal | None:
    """The earliest of the words in the lower-cased text."""
    found = [(pos, w) for w in words if (pos := low.find(w)) >= 0]
    if not found:
        return None
    pos, word = min(found)
    return Signal("word", word, pos)


def document_types(title: str, text: str) -> list[Signal]:
    """Not-funding document types whose markers reach ``TYPE_THRESHOLD`` (title hits count double)."""
    types = []
    head = text[:6000]
    for name, pattern in _TYPE_RE.items():
        in_title = pattern.search(title)
        matches = list(pattern.finditer(head))
        count = len(matches) + 2 * bool(in_title)
        if count >= TYPE_THRESHOLD:
            first = matches[0] if matches else in_title
            types.append(Signal(name, first.group() if first else name, first.start() if matches and first else 0))
    return types


def restricted_applicants(text: str, low: str) -> Signal | None:
    """Companies excluded outright, or an eligibility list naming neither companies nor research bodies."""
    if any(word in low for word in _GATE["restricted"]):
        match = _RESTRICTED.search(text)
        if match:
            return Signal("restricted_applicants", match.group(), match.start())
    for match in _ELIGIBLE_LIST.finditer(text):
        if not _CAN_APPLY.search(match.group(1)):
            return Signal("restricted_applicants", match.group(), match.start())
    return None


def field_excluded(text: str, low: str) -> Signal | None:
    """Digital / software / AI work named as not fundable."""
    if not any(word in low for word in _GATE["field"]):
        return None
    match = _FIELD_EXCLUDED.search(text)
    return Signal("field_excluded", match.group(), match.start()) if match else None
