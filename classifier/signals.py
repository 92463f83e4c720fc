"""The spec's relevance signals read from a call text: is it funding, who may apply, is it closed (pure).

Each detector returns the matched words and their position (or None), so the evidence can quote them.
Document types that are not funding (tender, job ad, prize, scholarship, report, news) are decided by
how many of their marker words appear, the title counting double: one stray "budget" or "Studie" in a
real call does not make it a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from classifier.fold import Lower, fold
from classifier.gates import gate, passes
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

# Marker words of documents that are not funding calls: strong ones (weight 2) decide alone, weak
# ones (weight 1) need company; a marker in the title counts double. Matched on whole words of the
# lower-cased text with punctuation removed ("(m/w/d)" is "m w d"); a trailing "*" makes a prefix.
_TYPES = {
    "tender": (
        "angebotsfrist*, vergabeverfahren*, vergabeunterlagen*, vergabenummer*, invitation to tender*, "
        "call for tender*, calls for tender*, contract notice*, framework contract*, rahmenvereinbarung*, "
        "rahmenvertr*, receipt of tenders, tender specifications, procurement procedure*, eforms, "
        "öffentliche auftraggeber*, öffentlicher auftraggeber*, öffentlichen auftraggeber*, "
        "auftragsbekanntmachung*, zuschlagskriterien*, bieter, tenderer*, angebotsöffnung*, opening of tenders, cpv, "
        "teilnahmewettbewerb*, verhandlungsverfahren*, offenes verfahren, nichtoffenes verfahren, "
        "abgabe eines angebots, auftraggeberin, öffentlicher auftraggeber",
        "leistungsbeschreibung*, teilnahmeantr*, auftragswert*, lot, lots, vergabe*, auftraggeber",
    ),
    "job": (
        "m w d, w m d, d m w, stellenausschreibung*, entgeltgruppe*, tv l, tvöd, professur*, we are hiring, "
        "job offer, vacancy, phd position*, ihre aufgaben, ihr profil, your profile, your tasks, "
        "referentin referent, vollzeit, teilzeit, befristete stelle, bewerbungsunterlagen, call for experts, "
        "register as an expert*, register as expert*, register as independent expert*, salary, gehalt",
        "bewerbungsfrist, wir suchen, we are looking for, stelle",
    ),
    "prize": (
        "preisgeld*, preisverleihung*, preisträger*, prize money, award ceremony, dotiert, hackathon*, "
        "wird verliehen, verliehen werden",
        "jury, einsendeschluss, wettbewerbsbeitr*, prize, prizes, preis",
    ),
    "scholarship": (
        "stipendium, stipendien, stipendiat*, scholarship, scholarships",
        "studierende*, doktorand*, fellowship*",
    ),
    "report": (
        "jahresbericht*, evaluationsbericht*, monitoringbericht*, im überblick, overview of, übersicht über, "
        "studie zeigt, report finds, auf einen blick, at a glance",
        "bericht, studie, report, bilanz, analyse, survey, förderprogramme für, funding programmes for, programme im",
    ),
    "news": (
        "selected for funding, were selected, have been selected, förderbescheid*, überreicht, "
        "übergab, haushaltsausschuss*, adopts, "
        "gipfel, summit, workshop series, webinar series, neue abteilung, zwischennachweis*, "
        "verwendungsnachweis*, hinweis an zuwendungsempfänger",
        "pressemitteilung*, press release, wurden, ergebnisse, results, sagte, said, budget, haushalt*, veranstaltung*, konferenz*, conference, "
        "consultation, konsultation, eingegangen, workshop, workshops, agreement, verordnung, regulation, "
        "gesetz, anmeldung, registration, teilnahme ist kostenlos, free of charge, ai act, bewilligt, "
        "beschlossen, bundestag, adopted",
    ),
    "training": ("umschulung*, upskilling", "weiterbildung*, qualifizierung*, lehrgang*, training courses"),
    # a call for scientific contributions to a conference or workshop, not for funding proposals
    "papers": (
        "call for papers, calls for papers, call for abstracts, call for contributions, beitragsaufruf*, "
        "camera ready, program committee, programme committee, paper submission*, accepted papers, "
        "extended abstract*, conference proceedings, tagungsband*",
        "proceedings, keynote*, authors, co located, poster session*",
    ),
    # teacher education and school teaching: not an IT R&D project
    "education": (
        "erasmus, teacher academy, teacher academies, teacher education, initial teacher*, school education, "
        "lehrkräftebildung, lehrerbildung, lehrkräftefortbildung, lehrerfortbildung, schulbildung",
        "teachers, lehrkräfte, schools, schulen, pupils, schüler*, classroom*, unterricht*",
    ),
}
_NEWS_COUNT = fold(
    r"\d[\d.,]*\s+\w*(?:betriebe|unternehmen|projekte|vorhaben|start-ups|companies|projects|smes)\s+"
    r"(?:[\w,.]+\s+){0,5}(?:gefördert|bewilligt|ausgewählt|funded|selected)|zieht \w*\s?\w*\s?bilanz",
)
_NEWS_GATE = gate(_NEWS_COUNT)  # literals one of which every match holds: most heads have none
# A title says what kind of document it heads: these words in the title alone decide a kind. A count of
# projects or firms with a funding verb or a selection ("Über 300 Vorhaben bewilligt", "Commission selects 48
# projects") is news about funding awarded; an info day, webinar or conference is an event; a study, survey
# or annual report reports; teaching and graduate schools are no R&D project; a PhD, fellowship or
# stipend programme funds persons. Whole words only: "Machbarkeitsstudie", "Gründerstipendium" and
# "KI-Lernassistenten für Schulen" stay calls.
_NUMBER = (  # a count, not a year
    r"(?<![\d.,])(?!(?:19|20)\d\d\b)\d[\d.,]*|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
)
_FUNDED = Lower(
    r"\b(?:gefördert|fördert|bewilligt|ausgewählt|erhalten|funded|funds|selected|selects|receive)\b"
)
_INVITING = Lower(r"\b(?:gesucht|sought|wanted|bewerben|apply|bis zu|up to|maximal|werden|will|können|can)\b")
# kind: patterns that must all match the lower-cased title (the first names the kind in the evidence)
_TITLE_TYPES: dict[str, tuple[Lower, ...]] = {
    "awarded": (
        Lower(
            rf"\b(?:{_NUMBER})\s+(?:\w+[\s-]+){{0,3}}(?:projekte|vorhaben|verbünde|konsortien|unternehmen|betriebe|"
            r"start-?ups|kmu|projects|consortia|companies|smes|sites|teams|winners)\b"
        ),
        _FUNDED,
    ),
    "selected": (
        Lower(r"\b(?:selects|selected|ausgewählt|bewilligt|gewinner|winners?|wins|gut nachgefragt)\b"),
    ),
    "event": (
        Lower(
            r"\b(?:info ?days?|infotag\w*|informationstag\w*|webinar\w*|informationsveranstaltung\w*|"
            r"veranstaltung\w*|workshops?|tagung|konferenz\w*|conferences?|summit|gipfel|brokerage\w*|matchmaking)\b"
        ),
    ),
    "report": (Lower(r"\b(?:studie|report|jahresbericht|annual report|umfrage|survey|\w*bilanz)\b"),),
    "teaching": (
        Lower(
            r"\b(?:hochschullehre|lehre|lehrveranstaltung\w*|teaching|higher education|unterricht|lehrkräfte\w*|"
            r"teachers?|graduiertenkolleg\w*|graduate schools?)\b"
        ),
    ),
    "scholarship": (
        Lower(
            r"\b(?:phd|doktorand\w*|postdoc\w*|stipend\w*|promotionsstipend\w*|scholarships?|fellowships?)\b"
        ),
    ),
}
_TITLE_KIND = {"selected": "awarded"}  # two ways a title names the same kind
_WORDS = re.compile(r"\w+")
TYPE_THRESHOLD = 2  # marker weight (strong 2, weak 1, title double) at which a document is of that type
# News words are common in calls too, and schools or teachers are often the users of an AI product
# (an R&D call "KI-Lernassistenten für Schulen" fits): teacher education needs a strong marker and more.
_EXTRA_WEIGHT = {"news": 1, "education": 1}
# Kinds whose weak words fill real calls too ("Ergebnisse", "Workshops", "Qualifizierung", "Analyse") need
# one strong marker or many weak ones; a tender needs two markers: "calls for tenders" alone is one instrument of a programme.
WEAK_ONLY = 4  # the weight at which weak words alone decide those kinds
_NEEDS = {
    "news": "strong",
    "report": "strong",
    "training": "strong",
    "tender": "two",
    "education": "strong only",
}  # schools and teachers are often the users of an AI product


def _markers(spec: str) -> list[str]:
    """ "a, two words, prefix*" → needles for a space-padded word string (``words_of``)."""
    needles = []
    for marker in (m.strip() for m in spec.split(",")):
        if marker:
            needles.append(" " + marker[:-1] if marker.endswith("*") else f" {marker} ")
    return needles


_TYPE_NEEDLES = {name: (_markers(strong), _markers(weak)) for name, (strong, weak) in _TYPES.items()}
# needle → (kind, weight 2 strong / 1 weak, place in the kind's list) for every kind that lists it
_NEEDLE_KINDS: dict[str, list[tuple[str, int, int]]] = {}
for _name, (_strong, _weak) in _TYPE_NEEDLES.items():
    for _order, (_needle, _value) in enumerate([(n, 2) for n in _strong] + [(n, 1) for n in _weak]):
        _NEEDLE_KINDS.setdefault(_needle, []).append((_name, _value, _order))
_ALL_MARKERS = sorted({n.strip() for pair in _TYPE_NEEDLES.values() for needles in pair for n in needles})
# One scan for all markers: a trie of them after a space; the longest marker at each word wins.
_MARKER_RE = re.compile(" (" + trie_pattern(_ALL_MARKERS) + ")")


def _found_markers(words: str) -> set[str]:
    """Needles (as in ``_TYPE_NEEDLES``) present in a ``words_of`` string."""
    found = set()
    for match in _MARKER_RE.finditer(words):
        marker = match.group(1)
        found.add(" " + marker)
        if words[match.end() : match.end() + 1] == " ":
            found.add(f" {marker} ")
    return found


def words_of(text: str) -> str:
    """Lower-cased words joined by single spaces, padded: phrase lookups with word boundaries."""
    return " " + " ".join(_WORDS.findall(text.lower())) + " "


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
    "prototyp", "prototype", "verbundvorhaben", "verbundprojekt", "experiment", "forschungsergebnisse",
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


def document_types(title: str, text: str) -> list[Signal]:
    """Not-funding document types whose marker weight reaches ``TYPE_THRESHOLD``, and those the title names."""
    head = text[:6000]
    title_found, head_found = _found_markers(words_of(title)), _found_markers(words_of(head))
    # per kind: marker weight, distinct markers, a strong one among them, the first of its list in the head
    tally: dict[str, list[Any]] = {}
    for needle in title_found | head_found:
        in_title, in_head = needle in title_found, needle in head_found
        for name, value, order in _NEEDLE_KINDS.get(needle, ()):
            kind = tally.setdefault(name, [0, 0, False, None])
            kind[0] += 2 * value * in_title + value * in_head
            kind[1] += 1
            kind[2] = kind[2] or value == 2
            if in_head and (kind[3] is None or order < kind[3][0]):
                kind[3] = (order, needle.strip())
    low = head.lower()
    types = title_types(title)
    named = {t.name for t in types}
    for name in _TYPE_NEEDLES:
        weight, distinct, strong_found, earliest = tally.get(name) or (0, 0, False, None)
        first = earliest[1] if earliest else None
        if name == "news" and (
            _NEWS_COUNT.search(title) or (passes(_NEWS_GATE, low) and _NEWS_COUNT.search(head))
        ):
            weight, distinct, strong_found = (
                weight + 3,
                distinct + 2,
                True,
            )  # "126 Projekte gefördert" decides
            first = first or "news"
        needs = _NEEDS.get(name)
        if not strong_found and (needs == "strong only" or (needs == "strong" and weight < WEAK_ONLY)):
            continue
        if needs == "two" and distinct < 2:
            continue
        if weight >= TYPE_THRESHOLD + _EXTRA_WEIGHT.get(name, 0) and name not in named:
            at = max(0, low.find(first)) if first else 0
            types.append(Signal(name, first or title[:60], at))
    return types


def title_types(title: str) -> list[Signal]:
    """The kinds of document the title names (``_TITLE_TYPES``), with the words that name them."""
    low = title.lower()
    found: dict[str, Signal] = {}
    for name, (first, *more) in _TITLE_TYPES.items():
        match = first.search(low)
        if not match or not all(p.search(low) for p in more):
            continue
        if name == "awarded" and _INVITING.search(low):
            continue  # "Bis zu 20 Projekte werden gefördert": a call announcing what it will fund
        kind = _TITLE_KIND.get(name, name)
        found.setdefault(kind, Signal(kind, title[match.start() : match.end()], 0))
    return list(found.values())


# A press release, newsletter or news item says so in its title or its first lines. Such a text is about a
# call only when it states the call's deadline or that applications are open now; without either it reports
# (results, approvals, budgets, a finished project): ``features`` pairs the two.
_NEWS_FORM_TITLE = Lower(
    r"\b(?:newsletter|news|pressemitteilung|pressemeldung|presseinformation|pressearchiv|press release|rundbrief|"
    r"nachrichten|meldung)\b"
)
_NEWS_FORM_HEAD = Lower(r"\b(?:newsletter|pressemitteilung|presseinformation|press release|rundbrief)\b")
NEWS_HEAD_CHARS = 400


def news_form(title: str, text: str) -> Signal | None:
    """The words that make the text a press release, newsletter or news item (title, or its first lines)."""
    match = _NEWS_FORM_TITLE.search(title.lower())
    if match:
        return Signal("news_form", title[match.start() : match.end()], 0)
    match = _NEWS_FORM_HEAD.search(text[:NEWS_HEAD_CHARS].lower())
    return Signal("news_form", text[match.start() : match.end()], match.start()) if match else None


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
