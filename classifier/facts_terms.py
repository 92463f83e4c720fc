"""The words call facts are read by (German and English): section headings, applicant kinds, cues."""

from __future__ import annotations

import re

from classifier.fold import Pattern, fold

IC = re.IGNORECASE

# Purpose / subject sections in priority order: what is funded before why, the Förderdatenbank's own
# short text after the guideline's sections; EU topics state "Scope" and "Expected outcome".
PURPOSE_HEADINGS = [
    fold(r"Gegenstand der Förderung|Fördergegenstand|Was wird gefördert\??|Fördergegenstand"),
    fold(r"\bScope\b|What (?:is|will be|can be) funded\??|Eligible (?:activities|projects)"),
    fold(r"Zuwendungszweck|Förderziel(?: und Zuwendungszweck)?|Ziel der Förderung|Förderzweck"),
    fold(r"Expected (?:outcomes?|impact)|Objectives?(?: of the call)?|Purpose(?: of the call)?"),
    fold(r"Kurztext|Kurzbeschreibung|Worum geht es\??|Summary|About the call|Call description"),
]
FUNDING_VERB = fold(
    r"\b(?:fördert|gefördert|unterstützt|bezuschusst|Zuschuss|Zuwendung|Förderung von|funds?\b|funded|"
    r"funding (?:for|of)|supports?\b|grants? (?:for|to)|finances|Stipendi\w*|scholarships?|is open to|invites)",
)

# A sentence that looks back (statistics, quotes, a closed round) says what was funded, not what is.
RETROSPECTIVE = fold(
    r"^[\"„“”']|\b(?:bisher|bislang|haben wir|wurden bereits|so far|to date|were awarded|has funded|closed on)\b",
)
# An amount in such a sentence is the programme's budget, not a project's funding.
PROGRAMME_BUDGET = fold(
    r"stehen\b.{0,80}\bzur Verfügung|Fördervolumen|Gesamtvolumen|Gesamtbudget|Haushaltsmittel|insgesamt|"
    r"total (?:budget|funding)|overall budget|is available|are available|has a budget",
)
PER_PROJECT = fold(r"\b(?:je|pro|per|each|jede[nrs]?|einzelne[nrs]?)\b")

# Who may apply. Order matters: narrower kinds first; each match blanks its words for the next.
APPLICANT_PATTERNS: list[tuple[str, Pattern]] = [
    (
        "startup",
        re.compile(
            r"Start-?[Uu]ps?(?:-Unternehmen)?|Startups?|[Gg]ründer(?:innen|/innen|/in)?\b|Existenzgründ\w*|"
            r"junge[nr]? (?:innovative[nr]? |technologieorientierte[nr]? )?"
            r"Unternehmen|Ausgründung\w*|\bstart-?ups?\b|\bfounders?\b|spin-?offs?|young (?:innovative )?companies",
        ),
    ),
    (
        "kmu",
        re.compile(
            r"\bKMU\b|\bKMUs\b|[Kk]lein(?:st)?e[nrs]? (?:und|oder|bzw\.) mittler\w* Unternehmen|"
            r"[Kk]leinst-?,? kleine[nr]? und mittlere[nr]? Unternehmen|mittelständisch\w* Unternehmen|"
            r"\bMittelstand\w*|\bSMEs?\b|small and medium[- ]sized (?:enterprises|companies|businesses)|"
            r"micro[- ]enterprises?|\bKleinunternehm\w*",
        ),
    ),
    (
        "verein",
        fold(
            r"\bVerein\w*|\bVerbände\w*|\bVerband\b|gemeinnützig\w*|\bStiftungen\b|Non-Profit\w*|"
            r"non-profits?|not-for-profit|\bNGOs?\b|civil society|\bassociations\b|charit(?:y|ies|able)|"
            r"Nichtregierungsorganisation\w*|Sportorganisation\w*|Sportverbände\w*",
        ),
    ),
    (
        "unternehmen",
        re.compile(
            r"\b(?:\w+-)?Unternehmen\b|gewerblichen Wirtschaft|\bFirmen\b|\bHandwerksbetrieb\w*|"
            r"\bBetriebe\b|Wirtschaftsunternehmen|\bHandwerk(?:s|sbetrieb\w*|er|s?unternehmen)?\b|"
            r"\b(?:aus|der) (?:der )?(?:gewerblichen )?Wirtschaft\b|\b(?:from|in) (?:business|industry)\b|"
            r"\b(?:a|any|your|UK|registered|small) business\b|\bcompan(?:y|ies)\b|\benterprises?\b|\bbusinesses\b|"
            r"\bindustr(?:y|ial) partners?\b|for-profit|private (?:sector|entities|legal entities)|"
            r"\bGewerbetreibende\w*|Freiberufler\w*|Selbständige\w*|Selbstständige\w*|"
            r"juristische(?:n)? Personen(?! des öffentlichen)|any legal entit(?:y|ies)",
        ),
    ),
    (
        "hochschule",
        fold(r"Hochschul\w*|Universität\w*|Fachhochschul\w*|\buniversit(?:y|ies)\b|higher education"),
    ),
    (
        "forschung",
        fold(
            r"Forschungseinrichtung\w*|Forschungsinstitut\w*|außeruniversitär\w*|Forschungsorganisation\w*|"
            r"Wissenschaftseinrichtung\w*|Forschungszentr\w*|research (?:organi[sz]ations?|institut\w*|"
            r"cent(?:re|er)s?|performing organi[sz]ations?|bodies|entities)|\bRTOs?\b",
        ),
    ),
    (
        "kommune",
        fold(
            r"Kommune\w*|kommunale\w*|\bGemeinden?\b|Landkreis\w*|Gebietskörperschaft\w*|\bStädte\b|"
            r"Zweckverb\w*|municipalit\w*|local (?:authorit\w*|governments?)|public (?:authorit\w*|bodies)",
        ),
    ),
    (
        "privatperson",
        fold(
            r"Privatperson\w*|natürliche Personen|Gründungs(?:interessierte|teams?)|Einzelpersonen|Studierende\w*|Doktorand\w*|Promovierende\w*|"
            r"Nachwuchswissenschaftler\w*|Wissenschaftlerinnen und Wissenschaftler|Künstler\w*|Bürger\w*|"
            r"Privathaushalt\w*|Eigentümer\w*|\bindividuals?\b|PhD (?:students|candidates)|\bstudents\b|"
            r"postdoc\w*|early[- ]career researchers|\bfellows\b|private persons|natural persons",
        ),
    ),
]

# Statements of who may apply. The words are the cue; the window after them is read for kinds.
ELIGIBILITY = fold(
    r"antragsberechtigt\w*|Antragsberechtigung|Zuwendungsempfänger\w*(?= *(?:\n|sind|können|ist))|förderberechtigt\w*|"
    r"Antragsteller\w* (?:sind|können|müssen)|Wer (?:wird gefördert|kann (?:gefördert werden|einen Antrag|"
    r"Anträge|sich bewerben|teilnehmen)|ist antragsberechtigt|darf)|richtet sich an|Zielgruppe|"
    r"(?:können|dürfen) (?:sich )?(?:einen )?(?:Anträge?|Projektskizzen) (?:stellen|einreichen)|"
    r"Gefördert werden (?:können )?(?:Unternehmen|KMU|Hochschulen|Forschungs)|Teilnahmeberechtigt\w*|"
    r"Who (?:can|may|is eligible to) apply|\beligib\w*|\bopen to\b|applicants? (?:must|should|can|may)|"
    r"target (?:group|audience)|is (?:aimed|targeted) at|can apply|may apply|call is addressed to",
)
BENEFICIARY_VERB = fold(
    r"\b(?:Antrag|Anträge|bewerben|beantragen|erhalten|profitieren|für (?:den|die|das)|apply|applications?|"
    r"receive|benefit|offers?|for (?:the )?)\b",
)
EXCLUDED = fold(
    r"nicht antragsberechtigt|nicht gefördert|ausgeschlossen|keine Förderung|not eligible|(?:are|is) excluded|"
    r"cannot (?:apply|be funded)|may not apply|ineligible|Zeitpunkt der Auszahlung|Beihilfen an Unternehmen",
)

# Consortium: required, single applicants the rule, or a softer "must work with".
CONSORTIUM_STRONG = fold(
    r"(?:nur|ausschließlich|grundsätzlich nur)\s+(?:\w+\s+){0,3}Verbund(?:vorhaben|projekt\w*)?|"
    r"Verbund(?:vorhaben|projekt\w*)?\s+(?:\w+\s+){0,6}(?:zwingend|vorausgesetzt|Voraussetzung|erforderlich)|"
    r"(?:mindestens|wenigstens)\s+(?:zwei|drei|vier|2|3|4)\s+(?:\w+\s+){0,3}(?:Partner|Verbundpartner|"
    r"Unternehmen|Einrichtungen|Antragsteller)|"
    r"consortium of at least|at least (?:two|three|four|2|3|4) (?:independent |different )?(?:legal entities|"
    r"partners|organi[sz]ations|beneficiaries|applicants)|(?:from|in|established in) (?:at least )?"
    r"(?:two|three|2|3) different (?:\w+ ){0,3}(?:countries|Member States)|"
    r"collaborative (?:projects?|research) (?:are|is) required|must be (?:submitted|carried out) by a consortium",
)
CONSORTIUM_NO = fold(
    r"Einzelvorhaben|Einzelprojekt\w*|Einzelantr\w*|einzelbetrieblich\w*|Einzel- (?:und|oder) Verbund\w*|"
    r"allein oder (?:im Verbund|gemeinsam)|Verbund\w* (?:ist|sind) nicht erforderlich|"
    r"single (?:applicants?|beneficiar\w*|entit\w*|compan(?:y|ies))|mono-beneficiary|"
    r"(?:apply|applications?) (?:alone|individually)|no consortium|consortium is not required",
)
CONSORTIUM_WEAK = fold(
    r"(?:müssen|muss)\s+(?:\w+\s+){0,8}(?:im Verbund|in Kooperation|gemeinsam mit|Konsorti\w*)|"
    r"Kooperation\s+(?:\w+\s+){0,4}(?:ist|sind)\s+(?:zwingend|erforderlich|Voraussetzung)|"
    r"must (?:\w+ ){0,4}(?:form a consortium|partner with|collaborate with|involve (?:at least )?(?:one|a) partner)",
)

# Funding: a rate, and an amount only with a word that makes it per project (not a programme budget).
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})*(?:,\d+|\.\d+)?"
RATE = fold(
    rf"(?:(?:bis zu|maximal|max\.|höchstens|up to|maximum of|a maximum of)\s+{_NUMBER}\s?(?:%|Prozent|per ?cent)"
    rf"|(?:Förderquote|funding rate)\s+(?:\w+\s+){{0,3}}{_NUMBER}\s?(?:%|Prozent|per ?cent)"
    rf"|{_NUMBER}\s?(?:%|Prozent|per ?cent)\s+(?:der|Ihrer|ihrer|of the|of)\s+(?:\w+\s+)?"
    rf"(?:zuwendungsfähigen|förderfähigen|förderbaren|eligible)\s+\w+)",
)
_MONEY = (
    rf"(?:(?:EUR|€|Euro)\s?{_NUMBER}(?:\s?(?:Mio\.?|Millionen|million|Mrd\.?|k\b))?"
    rf"|{_NUMBER}(?:\s?(?:Mio\.?|Millionen|million|Mrd\.?|Tsd\.?))?\s?(?:EUR|€|Euro)\b)"
)
AMOUNT = fold(
    rf"(?:bis zu|maximal|max\.|höchstens|up to|maximum of|a maximum of|lump sum of|Pauschale von|"
    rf"in Höhe von bis zu|Höchstbetrag (?:von|beträgt)|Zuschuss von|grant of|grants of)\s+{_MONEY}",
)

EU_PROGRAMMES = (
    "HORIZON", "DIGITAL", "ERC", "EIC", "MSCA", "CEF", "LIFE", "EU4H", "ERASMUS", "CREA", "SMP", "EDF", "CERV",
    "EMFAF", "CHIPS", "IHI", "KDT", "EUROHPC", "RFCS", "EURATOM", "I3", "SOCPL", "AMIF", "ISF", "BMVI", "JU",
)  # fmt: skip
# (pattern, a piece every match holds): the piece is looked for first, the pattern only where it stands
IDENTIFIERS = [
    (
        re.compile(rf"\b(?:{'|'.join(EU_PROGRAMMES)})-[A-Z0-9]+(?:-[A-Za-z0-9]+)+\b"),
        tuple(f"{p}-" for p in EU_PROGRAMMES),
    ),
    (re.compile(r"\bBAnz AT \d{1,2}\.\d{1,2}\.\d{4} B ?\d+\b"), ("BAnz",)),
]

LAENDER = {
    "baden-württemberg": "Baden-Württemberg",
    "baden-württembergisch": "Baden-Württemberg",
    "bayern": "Bayern",
    "bayerisch": "Bayern",
    "freistaat bayern": "Bayern",
    "berlin": "Berlin",
    "brandenburg": "Brandenburg",
    "brandenburgisch": "Brandenburg",
    "bremen": "Bremen",
    "hamburg": "Hamburg",
    "hessen": "Hessen",
    "hessisch": "Hessen",
    "mecklenburg-vorpommern": "Mecklenburg-Vorpommern",
    "niedersachsen": "Niedersachsen",
    "niedersächsisch": "Niedersachsen",
    "nordrhein-westfalen": "Nordrhein-Westfalen",
    "nordrhein-westfälisch": "Nordrhein-Westfalen",
    "rheinland-pfalz": "Rheinland-Pfalz",
    "rheinland-pfälzisch": "Rheinland-Pfalz",
    "saarland": "Saarland",
    "saarländisch": "Saarland",
    "sachsen-anhalt": "Sachsen-Anhalt",
    "sachsen": "Sachsen",
    "sächsisch": "Sachsen",
    "schleswig-holstein": "Schleswig-Holstein",
    "thüringen": "Thüringen",
    "thüringisch": "Thüringen",
}
_LAND = fold(
    r"\b(?:"
    + "|".join(sorted((re.escape(k) for k in LAENDER), key=len, reverse=True))
    + r")(?:e[nmrs]?)?\b(?!-)",
)
REGION_CUE = fold(
    r"\b(?:Sitz|Betriebsstätte|Niederlassung|Standort|ansässig|Fördergebiet|ausschließlich in|nur in|"
    r"im Land|im Freistaat|located in|based in|established in)\b",
)
NATIONWIDE = fold(r"bundesweit|deutschlandweit|ganz Deutschland|\bBund\b|EU-weit|europaweit|international")


def regions_in(sentence: str) -> list[str]:
    """Länder named in a sentence (names or adjectives), as matched."""
    return [m.group() for m in _LAND.finditer(sentence)]


def region_name(matched: str) -> str:
    """The Land's name for a matched name or adjective ("sächsischen" → "Sachsen")."""
    low = matched.lower()
    for key in sorted(LAENDER, key=len, reverse=True):
        if low.startswith(key):
            return LAENDER[key]
    return matched


# Lower-case words one of which stands in every match of the pattern beside it: only the sentences that
# hold one are searched, so a 50,000-character guideline costs a few sentence searches, not full scans.
ANCHORS = {
    "headings": (
        "gegenstand", "was wird", "scope", "funded", "eligible", "zuwendungszweck", "förderziel", "ziel der",
        "förderzweck", "expected", "objective", "purpose", "kurztext", "kurzbeschreibung", "worum",
        "summary", "about the call", "call description",
    ),
    "eligibility": (
        "antragsberecht", "zuwendungsempf", "förderberecht", "antragsteller", "wer ", "richtet sich an",
        "zielgruppe", "anträge stellen", "anträge einreichen", "anträg stellen", "anträg einreichen", "projektskizzen", "gefördert werden", "teilnahmeberecht", "who ", "eligib",
        "open to", "applicant", "target", "aimed at", "can apply", "may apply", "addressed to",
    ),
    "consortium": (
        "verbund", "mindestens", "wenigstens", "consorti", "at least", "different", "collaborat", "einzel",
        "allein oder", "single", "mono-beneficiary", "alone", "individually", "kooperation", "gemeinsam mit",
        "konsorti", "partner",
    ),
    "rate": ("%", "prozent", "per cent", "percent"),
    "amount": ("eur", "€"),
    "region": (
        "sitz", "betriebsstätte", "niederlassung", "standort", "ansässig", "fördergebiet", "nur in",
        "im land", "im freistaat", "located in", "based in", "established in",
    ),
}  # fmt: skip

# Per applicant kind: lower-case pieces one of which stands in every match (a cheap test first).
APPLICANT_ANCHORS = {
    "startup": ("start", "gründ", "junge", "ausgründ", "founder", "spin", "young"),
    "kmu": ("kmu", "klein", "mittel", "sme", "small and medium", "micro"),
    "verein": ("verein", "verb", "gemeinnütz", "stiftung", "profit", "ngo", "civil society", "association",
               "charit", "nichtregierung", "sportorg"),
    "unternehmen": ("unternehm", "wirtschaft", "firmen", "handwerk", "betriebe", "compan", "enterprise",
                    "business", "industr", "for-profit", "private", "gewerbetreib", "freiberuf", "selbst",
                    "selbständ", "juristisch", "legal entit"),
    "hochschule": ("hochschul", "universit", "higher education"),
    "forschung": ("forschung", "außeruniv", "wissenschaftseinr", "research", "rto"),
    "kommune": ("kommun", "gemeinde", "landkreis", "gebietskörp", "städte", "zweckverb", "municipal", "local ",
                "public "),
    "privatperson": ("privat", "natürlich", "einzelpers", "gründungs", "studier", "doktorand", "promovier",
                     "nachwuchs", "wissenschaftler", "künstler", "bürger", "eigentümer", "individual", "phd",
                     "student", "postdoc", "early", "fellow", "person"),
}  # fmt: skip
