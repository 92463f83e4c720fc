"""Kinds of document that are no funding call: tender, job ad, prize, scholarship, report, news, … (pure).

A kind is decided by how many of its marker words appear, the title counting double: one stray "budget" or
"Studie" in a real call does not make it a report. A title that names a kind decides it alone
(``title_types``). A press release or newsletter is recognised by its form (``news_form``); whether it
calls or reports depends on the deadlines it names (``classifier.features``).
"""

from __future__ import annotations

import re
from typing import Any

from classifier.fold import Lower, fold, lowered
from classifier.gates import gate, passes
from classifier.signals import Signal
from classifier.text import trie_pattern

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
        "jahresbericht*, evaluationsbericht*, monitoringbericht*, studie zeigt, report finds",
        "bericht, studie, report, bilanz, analyse, survey, förderprogramme für, funding programmes for, programme im, "
        "im überblick, overview of, übersicht über, auf einen blick, at a glance",
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
    # an organisation's strategy or self-portrait ("Unsere Förderstrategie 2030", "Über uns"): no call, unless
    # the title also names one ("Förderaufruf zur KI-Strategie")
    "strategy": (
        Lower(
            r"\b(?:\w*strategie|strateg(?:y|ies)|leitbild|positionspapier|position paper|mission statement|"
            r"über uns|about us|wer wir sind|who we are)\b"
        ),
    ),
}
_CALL_TITLE = Lower(
    r"förderung|richtlinie|aufruf|\bcalls?\b|ausschreibung|bekanntmachung|wettbewerb|programm|\bopen\b|deadline|"
    r"frist|antr[aä]g|bewerb|\bapply\b|proposal|tender|funding opportunit"
)
_TITLE_KIND = {"selected": "awarded"}  # two ways a title names the same kind
_WORDS = re.compile(r"\w+")
TYPE_THRESHOLD = 2  # marker weight (strong 2, weak 1, title double) at which a document is of that type
# News words are common in calls too, and schools or teachers are often the users of an AI product
# (an R&D call "KI-Lernassistenten für Schulen" fits): teacher education needs a strong marker and more.
_EXTRA_WEIGHT = {"news": 1, "education": 1}
# Kinds whose weak words fill real calls too ("Ergebnisse", "Workshops", "Qualifizierung", "Analyse") need
# one strong marker or many weak ones; a tender needs two markers: "calls for tenders" alone is one instrument of a programme.
PROGRAMME_TEXT = 15_000  # characters: a whole guideline or programme text, where one marker word is no kind
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
    return " " + " ".join(_WORDS.findall(lowered(text))) + " "


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
    low = lowered(head)
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
        if len(text) >= PROGRAMME_TEXT and distinct < 2:
            continue  # a whole programme text names one prize or one stipend among its instruments
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
        if name == "strategy" and _CALL_TITLE.search(low):
            continue
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
