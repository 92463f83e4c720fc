"""The words that decide what a date means: deadline labels, submission verbs and non-deadline contexts.

Each cue is a compiled pattern with a weight, matched against the lower-cased text (so no re.I:
case-insensitive matching of long alternations is about twice as slow); ``deadlines.py`` adds the weights of
the cues around a date. Positive weights say "last day to submit", negative ones name what else the
date is (publication, opening, project period, guideline validity, event, statistics, eligibility).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from classifier.fold import fold
from classifier.gates import gate, passes


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float
    hard: bool = False  # a hard negative is not outweighed by a deadline label
    literals: tuple[str, ...] | None = None  # one of them is in every match (``gates.gate``), or None

    def search(self, context: str, pos: int = 0) -> re.Match[str] | None:
        """``pattern.search``, skipped when none of the pattern's own literals is in the context."""
        if self.literals is not None and not any(map(context.__contains__, self.literals)):
            return None
        return self.pattern.search(context, pos)


def _cue(name: str, pattern: str, weight: float, hard: bool = False) -> Cue:
    compiled = re.compile(pattern)
    return Cue(name, compiled, weight, hard, gate(compiled))


LABEL = _cue(
    "label",
    r"frist(?:en|ende|ablauf)?\b|stichtag(?:e|s|en)?\b|(?:abgabe|einreich|einreichungs|antrags|vorlage)termin|"
    r"(?:einsende|antrags|einreichungs|einreich|abgabe|annahme|bewerbungs|teilnahme|anmelde)schluss|"
    r"einreichungsende|antragsende|bewerbungsende|schlusstermin|"
    r"\b(?:einreichungs|antrags|bewerbungs|vorlage)zeitraum|einreichungsfenster|"
    r"zeitraum (?:der|für die) (?:antragstellung|einreichung|bewerbung)|"
    r"\b(?:antrags|einreichungs|bewerbungs)phase|(?:application|submission) phase|"
    r"\bdeadlines?\b|\bcut[- ]?offs?\b|closing date|\breply by\b|"
    # the word for deadline in the other languages of EU call pages ("Beadási határidő: 2027. 03. 19.")
    r"határid|date limite|scadenza|fecha límite|\bplazo\b|termin składania|uiterste datum|"
    r"\bcloses\b|\bclosing\b|\bclose (?:on|at|by)\b|\bschließt\b|due date|due by|\b(?:is|are) due\b|\bdue(?: on| at)?\s*$|"
    r"(?:submission|application) (?:window|period)|\bletzter tag\b|läuft\s+(?:\w+\s+){0,3}ab\b|\bdue\s*:|"
    r"time limit|\breceipt of\b|(?:runde|phase|zeitraum|\bcall|aufruf|ausschreibung|einreichung|bewerbung|"
    r"wettbewerb|submission|application|proposal|frist)\w*\s+(?:\w+\s+){0,3}(?:endet|endete|ends|ended|läuft|lief)\b|"
    # a schedule line "Skizzen: 15.01.2026 · Vollanträge: 30.06.2026", "Full proposals: 12 May 2026"
    r"(?:^|[\s·|•(])(?:projekt)?(?:skizzen?|vollanträge|vollantrag|anträge|förderanträge|proposals|"
    r"full proposals|pre-proposals|short proposals|applications|expressions? of interest)\s*:\s*$|"
    # past tense of a closed call: "Submissions closed on 28 February 2026"
    r"(?:\bcall|submission|application|proposal|topic|round|einreichung)\w*\s+(?:\w+\s+){0,3}closed (?:on|at)\b",
    3.0,
)
SUBMIT = _cue(
    "submit",
    r"einzureichen|einreichen|eingereicht|einzusenden|einsenden|eingesandt|vorzulegen|vorlegen|vorgelegt|"
    r"zu übermitteln|übermitteln|übermittelt|eingehen|eingegangen|\beingang\b|zugehen|zugegangen|"
    r"zu richten|gestellt werden|zu stellen|beantragt werden|zu beantragen|\bbeantragen\b|hochzuladen|hochladen|"
    r"\bbewerben\b|\breich(?:en|t)\b|\bsubmit(?:ted)?\b|be received|\breceived\b|\bapply\b|must reach|\brichten\b|\bstellen\b|"
    r"angefordert werden|anzufordern|be requested",
    2.0,
)
HAPPEN = _cue("happen", r"\b(?:zu )?erfolgen\b|\berfolgt\b", 1.5)  # with a submission noun only
UNTIL = _cue(
    "until",
    r"(?:\bbis\b(?:\s+(?:zum|spätestens|einschließlich|spätestens zum|spätestens am))?|\bspätestens\b"
    r"(?:\s+(?:am|bis|zum|bis zum))?|\bby\b|\bbefore\b|no later than|not later than|\buntil\b|\btill\b|"
    r"\bauf\b|\bto\b|\bendet\b|\bends\b|\bschließt\b|\bcloses\b|"
    # "zum" alone after what is submitted: "Skizzen sind zum 1. März …", "eine Einreichung zum 15. Oktober 2026"
    r"(?:skizze|einreichung|anträge|antrag|bewerbung)\w*\s+(?:\w+\s+){0,2}zum)\s*(?:den|dem|the|zum|am|on)?\s*$",
    1.0,
)
NOUN = _cue(
    "noun",
    r"skizze|anträge|\bantrag\b|förderantr|vollantr|interessenbekundung|bewerbung|\bvorschläge|"
    r"einreichung|antragstellung|proposals?\b|applications?\b|expressions? of interest|submissions?\b|"
    r"angebote\b|teilnahmeantr",
    1.0,
)
NEGATIVES = (
    _cue(
        "publication",
        r"(?:^|\n)\s*vom\s*:?\s*$|\bstand\s*:?\s*$|veröffentlich|\bpublished\b|publication|\bposted\b|"
        r"\b(?:richtlinie|bekanntmachung|verordnung|gesetz|fassung|änderung)\b[^.\n]{0,160}\bvom\s*:?\s*$|"
        r"\bbanz\b(?:\s+at)?|bekanntmachung vom|\bdatum\s*:?\s*$|date of issue|aktualisiert|"
        r"last update|\bupdated\b|erstellt am|tag der absendung|absendung der|date of dispatch|"
        r"\badoption of\b|\badopted\b|verabschiedet",  # a work programme or guideline adopted on a date
        -5.0,
        True,
    ),
    _cue("range_start", r"\b(?:vom|von|from|zwischen|between)\s*(?:dem|the)?\s*$", -5.0, True),
    _cue(
        "other_period",
        r"bindefrist|zuschlagsfrist|ausführungsfrist|gewährleistungsfrist|zahlungsfrist|"
        r"widerrufsfrist|kündigungsfrist|aufbewahrungsfrist|zweckbindungsfrist|zu erbringen|"
        r"leistungszeitraum|"
        # the end of the selection, not of the submission ("Die Auswahlphase endet am 15. Mai 2026")
        r"(?:auswahl|begutachtungs|bewertungs|jury)(?:phase|zeitraum)|(?:selection|evaluation) (?:phase|period)",
        -5.0,
        True,
    ),
    _cue("questions", r"\bfragen\b|\bquestions\b|rückfragen|clarifications?\b|auskünfte", -5.0, True),
    _cue(
        "opening",
        r"\bab\s*(?:dem|den|the)?\s*$|\bstartet\b|\bbeginnt\b|\böffnet\b|eröffnet|"
        r"geöffnet|öffnung|freigeschaltet|opening|\bopens\b|\bopened\b|open (?:from|on)\b|will open|frühestens|einreichungsbeginn|"
        r"\bnicht vor (?:dem|den)?\s*$|\bnot before\s*(?:the)?\s*$|"
        r"\b(?:seit|since)\s*(?:dem|the)?\s*$|"
        r"\bstart\w*\s*:?\s*$|planned opening|\bwieder\b",
        -5.0,
        True,
    ),
    _cue(
        "project",
        r"laufzeit|förderzeitraum|förderdauer|förderperiode|durchführungszeitraum|"
        r"bewilligungszeitraum|abzuschließen|abgeschlossen|beendet sein|projektbeginn|projektende|"
        r"vorhabens?beginn|maßnahmebeginn|begonnen|\bbeginnen\b|\benden\b|\bduration\b|project start|"
        r"project end|implementation period|durchgeführt|umgesetzt|completed",
        -5.0,
        True,
    ),
    _cue(
        "event",
        r"veranstaltung|webinar|infotag|informationstag|info[ -]?day|info session|"
        r"information session|konferenz|workshop|sprechstunde|seminar|\bmesse\b|kongress|tagung|"
        r"konsultation|consultation|verlosung|auslosung|losverfahren|\bstatt\b|takes place|\bevent\b|"
        r"livestream|vortrag|netzwerktreffen|\bverleihung|preisverleihung|ceremony",
        -5.0,
        True,
    ),
    _cue(
        "statistics",
        r"\bwurden\b|\bworden\b|bewilligt|bewilligungen|ausgezahlt|were (?:funded|awarded|"
        r"selected|submitted)|\bhave been\b|bis zum jahr",
        -5.0,
        True,
    ),
    _cue(
        "eligibility",
        r"gegründet|gründung|\bfounded\b|\bestablished\b|registered|eingetragen|"
        r"handelsregister|nicht älter|"
        # a membership on a date ("…, die zum Stichtag 1. Januar 2026 Mitglied des Verbandes sind")
        r"\bmitglied\w*\s+(?:\w+\s+){0,4}(?:sind|ist|sein|waren|war)\b|\b(?:are|is|be) (?:a )?members? of\b|"
        # a reference date for a condition: "Für die Feststellung der Tatbestände gilt der Stichtag des …"
        r"\bmaßgebliche[rn]?\s+(?:stichtag|zeitpunkt)|\bstichtag\s+(?:für die|zur)\s+(?:feststellung|berechnung|"
        r"ermittlung|bemessung)|\bfeststellung\b[^.\n]{0,60}\bstichtag",
        -5.0,
        True,
    ),
    _cue(
        "reporting",
        r"verwendungsnachweis|zwischennachweis|sachbericht|zwischenbericht|schlussbericht|abschlussbericht|prüfbericht|"
        r"tätigkeitsbericht|jahresbericht|"
        r"\breports? (?:are|is) due|final report|progress report|interim report|"
        r"\bberichte[nt]\b|berichtspflicht",  # "Die Partner berichten jährlich bis zum 15. Dezember über …"
        -5.0,
        True,
    ),
    # "Abweichend hiervon können zum 15. Juli 2022 keine Projektskizzen eingereicht werden"
    _cue(
        "excluded",
        r"^\s*(?:\w+\s+){0,2}(?:keine|no)\s+(?:\w+\s+){0,2}(?:projektskizzen|skizzen|anträge|bewerbungen|"
        r"vorschläge|proposals|applications|submissions)\b",
        -5.0,
        True,
    ),
    # "Die Einreichung zum 28. März 2024 entfällt": a cut-off of the schedule that was dropped
    _cue(
        "cancelled",
        r"^\s*(?:\w+\s+){0,2}(?:entfällt|entfallen|fällt aus|fallen aus|(?:wird|werden|ist|sind) ausgesetzt|"
        r"findet nicht statt|(?:is|has been|was|will be) cancel+ed|will not take place)\b",
        -5.0,
        True,
    ),
    _cue("costs", r"auszahlung|mittelabruf|\bausgaben\b|\bkosten\b|\bcosts?\b|expenditure", -5.0, True),
    _cue(
        "superseded",
        r"(?:\bstatt|anstatt|anstelle|instead of|ursprünglich\w*|originally|previously|"
        r"\bbisher\w*|\bzuvor\b|\balte[nr]?\b)\s+(?:\w+\s+){0,3}$",
        -5.0,
        True,
    ),
    _cue(
        "validity",
        r"\bgilt\b|\bgelten\b|gültig|geltungsdauer|in kraft|außer kraft|befristet|"
        r"verlängert|\bvalid\b|expires|\bendet\b",
        -3.0,
    ),
)

KIND_CUES = (
    (
        "other",
        re.compile(
            r"angebot|teilnahmeantr|teilnahmewettbewerb|\btender|\bvergabe|"
            r"\boffers?\b|unterlagen (?:\w+ )?(?:\w+ )?(?:anzufordern|angefordert)|request (?:the )?documents|"
            r"documents? (?:\w+ )?(?:can|may|must) be requested|"
            r"bewerbungsschluss",
        ),
    ),
    (
        "antrag",
        re.compile(
            r"förmlich\w*|vollantr\w*|full (?:project )?(?:proposal|application)s?|second stage|"
            r"stage 2|zweite[nr]?\s+(?:verfahrens)?stufe|stufe 2|2\.\s*stufe",
        ),
    ),
    (
        "skizze",
        re.compile(
            r"skizze|interessenbekundung|projektidee\w*|short proposals?|pre-?proposals?|"
            r"first stage|stage 1|erste[nr]?\s+(?:verfahrens)?stufe|stufe 1|1\.\s*stufe|"
            r"expressions? of interest|\boutlines?\b|letters? of intent|pre-?applications?",
        ),
    ),
)
STICHTAG_LIST = re.compile(r"stichtage|cut[- ]?off dates|cut[- ]?offs\b|multiple cut[- ]?off")
STICHTAG = re.compile(
    r"stichtag|cut[- ]?off|\bjeweils\b|recurring|\bquartal|each year|jährlich|termine\b|deadlines\b|deadline dates"
)

SEPARATOR = re.compile(
    r"^[\s,;/&+:–—-]*(?:(?:und|oder|sowie|bzw\.?|beziehungsweise|respectively|and|or|der|den|dem|the|am|on|zum|sowie am|bis|spätestens|by|"
    r"und der|und am|and on|letztmalig|erstmalig|zuletzt|danach|anschließend|then|finally|lastly|\d+\.|\(\w\)|"
    r"[a-z]\))[\s,;/&+:–—-]*)*$",
)
RANGE = re.compile(r"^\s*(?:-|–|—|bis(?:\s+(?:zum|einschließlich))?|to|until|till)\s*$")

ROLLING = fold(
    r"\b(?:"
    r"jederzeit|fortlaufend|\blaufend\b|unbefristet|ohne\s+(?:feste\s+)?(?:einreichungs|antrags|"
    r"bewerbungs)?frist|keine\s+(?:feste\s+)?(?:einreichungs|antrags)?frist|das ganze jahr|ganzjährig|"
    r"first come,? first served|at any time|\banytime\b|continuously open|on a rolling basis|"
    r"rolling basis|open-ended|no (?:fixed )?deadline|permanently open|stichtagsunabhängig|"
    r"laufende antragstellung)",
)
ROLLING_NEEDS_CONTEXT = fold(r"jederzeit|laufend|any ?time|continuously")
# What is submitted at any time, near the word: "Anträge können jederzeit gestellt werden", not "Sie können
# Ihre Einwilligung jederzeit in den Einstellungen widerrufen" nor "die Seite wird fortlaufend verbessert".
# A verb of submitting, not just a noun: "Anträge können jederzeit zurückgezogen werden" is no rolling call.
SUBMISSION_CONTEXT = fold(
    r"\b(?:einreich|eingereicht|einzureichen|gestellt|zu stellen|stellen\b|beantrag|vorgelegt|vorzulegen|"
    r"vorlegen|bewerben|entgegengenommen|angenommen|eingehen|submit(?:ted)?\b|apply\b|be submitted|accepted|"
    r"received|möglich)",
)
# What else can happen "at any time" to an application: withdrawn, asked for papers, costs checked.
NOT_SUBMISSION = fold(
    r"zurückgezogen|zurückziehen|widerruf|withdrawn?\b|aufgegeben|auferlegt|feststellung|einsehen|eingesehen|einsicht|"
    r"prüfenden?\s+stelle|"
    r"abgerufen|geprüft|überprüf|kontroll|filled",
)
# The one way of saying it that starts with a word class, not a literal ("Die Antragsfrist ist abgelaufen"):
# it keeps re from jumping between the other branches' start literals (``fold.Lower``). A text without its
# literal cannot match it, and is read by ``CLOSED_OTHERWISE``, which finds there what ``CLOSED`` finds.
_FRIST_EXPIRED = r"\w*frist\W{1,4}(?:\w+\s+){0,2}abgelaufen|"
FRIST_EXPIRED_GATE = gate(_FRIST_EXPIRED[:-1])
_CLOSED = (
    r"\b(?:"
    r"antragsstopp|mittel\s+(?:\w+\s+){0,3}ausgeschöpft|ausgeschöpft|keine\s+(?:neuen\s+)?anträge\s+mehr|"
    r"(?:anträge|antragstellung|einreichung)\w*\s+(?:\w+\s+){0,4}nicht\s+mehr\s+möglich|"
    r"(?:förderung|programm|annahme|antragstellung|aufruf|förderaufruf|wettbewerb|call)\w*\s+"
    r"(?:[\w.]+\s+){0,5}(?:eingestellt|ausgesetzt|beendet|gestoppt|geschlossen|aufgehoben|abgelaufen)\b|"
    + _FRIST_EXPIRED
    + r"status:?\s*closed|\bcalls? (?:is |are |has |have )?(?:now )?closed|"
    # "The submission process for new proposals is closed" (every branch here names "closed" or "expired":
    # the scan for this pattern looks only near those words, not near every "application")
    r"\b(?:call|competition|registration|(?:application|submission|proposal) (?:process|phase|period|window))"
    r"(?:\s+for\s+(?:\w+\s+){0,2}\w+)?\s+(?:is|are|has been|was)\s+(?:\w+\s+)?(?:closed|expired)\b|\bcall expired\b|"
    r"no submission system is open|mittel\s+(?:sind\s+)?(?:bereits\s+|vollständig\s+|komplett\s+)+gebunden|"
    # EU portal: "This call topic is closed for submission", "Submission service: not available (call closed)"
    r"(?:call|topic)\s+(?:is|has been)\s+(?:now\s+)?closed\b|closed for submissions?|"
    r"submission service:?\s*not available|"
    r"\b(?:cancelled|canceled|suspended)\b|no longer (?:accept|open|possible)|budget (?:is )?exhausted|"
    # "No new applications can be made"
    r"no (?:new |more |further )(?:applications|proposals|submissions) (?:can|will|may) be "
    r"(?:made|accepted|submitted|received)\b|"
    r"derzeit keine (?:neuen )?anträge|vorübergehend geschlossen|bis auf weiteres (?:ausgesetzt|gestoppt)|"
    # "Derzeit können keine Anträge gestellt werden", "The application period has ended"
    r"(?:derzeit|zurzeit|momentan|aktuell|gegenwärtig)\s+(?:\w+\s+){1,3}keine\s+(?:neuen\s+)?"
    r"(?:anträge|projektskizzen|skizzen|bewerbungen)|"
    r"(?:submissions?|applications?|call)\s+(?:period\s+|window\s+|phase\s+)?(?:has\s+|have\s+)?ended\b|"
    # … "Die Einreichungsphase ist bereits beendet"
    r"(?:förder\w*|programm\w*|aufruf\w*|maßnahme|wettbewerb\w*|(?:einreichungs|antrags|bewerbungs)(?:phase|zeitraum|fenster))"
    r"\s+(?:[^.;]{0,80}?\s)?(?:ist|wurde|sind|wurden)\s+"
    r"(?:[\w.]+\s+){0,3}(?:abgeschlossen|beendet|eingestellt|ausgesetzt|gestoppt|geschlossen|ausgelaufen)\b|"
    r"(?:anträge|skizzen|projektskizzen|bewerbungen|proposals|applications)\s+(?:werden|are)\s+(?:\w+\s+)?"
    r"(?:nicht mehr|no longer)\s+(?:angenommen|entgegengenommen|accepted))"
)
CLOSED = fold(_CLOSED)
CLOSED_OTHERWISE = fold(_CLOSED.replace(_FRIST_EXPIRED, ""))
STICHTAG_PLURAL = re.compile(
    r"stichtage|cut[- ]?off dates|cut[- ]?offs|\bjeweils\b|\beach\b|recurring|folgende|regelmäßig|jährlich|"
    r"nächste[rn]? (?:bewertungs)?stichtag|next cut[- ]?off",
)
NEGATIVE_BY_NAME = {cue.name: cue for cue in NEGATIVES}

TWO_STAGE = re.compile(r"two-stage|zweistufig|two stages|2-stufig|zweistufiges")
# right after a date, a membership on it: "… zum Stichtag 31.12.2023 ordentliche Mitglieder der …" (eligibility)
MEMBERSHIP_AFTER = re.compile(r"^\s*(?:\w+\s+)?mitglied(?:er|schaft)?\b")
# A transitional provision says which rules apply to applications received before a date ("Für Anträge, die bis
# zum 30.12.2020 eingegangen sind, finden die Regelungen der bisherigen Fassung Anwendung"): no date of that
# sentence is a deadline. Both parts must stand in the sentence; lower-case text.
TRANSITION_APPLICATIONS = re.compile(
    r"(?:anträge\w*|skizzen|applications|proposals)\s*,?\s*(?:die|welche|which|that|received|submitted)\b"
    r"[^.;]{0,60}?\b(?:bis|vor|before|by|until|prior to)\b"
)
TRANSITION_RULES = re.compile(
    r"\b(?:findet|finden|kommt|kommen)\b[^.;]{0,100}?\banwendung\b|\banzuwenden\b|übergangs(?:regel|bestimm|vorschrift)|"
    r"richtlinienfassung|\b(?:bisherige|alte|vorherige|frühere|geltende)[nr]?\s+(?:fassung|richtlinie|förderrichtlinie|"
    r"regelung|bestimmung)|\b(?:previous|former|old) (?:rules|guidelines|version|conditions)\b|\btransitional\b"
)


_TRANSITION_GATE = gate(TRANSITION_RULES)


def transitional(sentence: str) -> bool:
    """The lower-cased sentence is a transitional provision (``TRANSITION_APPLICATIONS`` and ``TRANSITION_RULES``)."""
    return (
        passes(_TRANSITION_GATE, sentence)
        and bool(TRANSITION_RULES.search(sentence))
        and bool(TRANSITION_APPLICATIONS.search(sentence))
    )


# "Antragstellung zum 31. Oktober 2021 beendet": the submission named before the date ended on it
ENDED = re.compile(r"^\s*(?:beendet|abgeschlossen|geschlossen|eingestellt|ended|closed)\b")
POSSIBLE = re.compile(r"^\s*(?:\w+\s+){0,3}möglich")


def negative_matches(context: str) -> Iterator[re.Match[str]]:
    """The non-overlapping matches of all negative cues in ``context``, in text order, each named by its
    cue (``match.lastgroup``): one scan of the context instead of one per cue. The scan's pattern holds only
    the cues whose literals the context contains; the others cannot match, so the matches are those of
    all cues in one pattern, found faster."""
    present = tuple(cue.name for cue in NEGATIVES if passes(cue.literals, context))
    return _negatives_among(present).finditer(context) if present else iter(())


@functools.lru_cache(maxsize=1024)
def _negatives_among(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{name}>{NEGATIVE_BY_NAME[name].pattern.pattern})" for name in names))
