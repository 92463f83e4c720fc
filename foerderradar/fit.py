"""One member against one call: eligibility, the fit score with its reasons, the call's partner needs (pure).

``foerderradar.matching`` runs this for every call and member; ``foerderradar.consortia`` builds the
proposed consortia from the fits. Nothing here reads the clock, the disk or the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from foerderradar.configuration import Member

INTERESTED, DECLINED = "interessiert", "nicht für uns"
MARKS = (INTERESTED, DECLINED)
COMPANIES = frozenset({"kmu", "unternehmen"})
RESEARCH = frozenset({"hochschule", "forschung"})
KIND_LABEL = {
    "kmu": "KMU",
    "unternehmen": "Unternehmen",
    "hochschule": "Hochschule",
    "forschung": "Forschung",
}
APPLICANT_LABEL = {
    "kmu": "KMU", "unternehmen": "Unternehmen", "startup": "Start-ups", "hochschule": "Hochschulen",
    "forschung": "Forschungseinrichtungen", "kommune": "Kommunen", "verein": "Vereine",
    "privatperson": "Privatpersonen",
}  # fmt: skip
# words of a Fördergebiet that open the call to the whole country (or further)
OPEN_REGIONS = ("bundesweit", "deutschlandweit", "deutschland", "bund", "eu-weit", "europaweit", "europa",
                "international", "eu", "nationwide", "germany")  # fmt: skip
LAND_ALIASES = {"nordrhein-westfalen": ("nrw",), "baden-württemberg": ("bw", "baden-wuerttemberg"),
                "mecklenburg-vorpommern": ("mv",), "rheinland-pfalz": ("rlp",)}  # fmt: skip
# a consortium or research partner required (used when the facts do not say)
_CONSORTIUM = re.compile(
    r"\bverbundvorhaben|\bverbundprojekt|\bverbünde|je verbund|jeder verbund|\bkonsorti|\bconsorti"
    r"|kooperationsprojekt|gemeinsam mit (?:einer|einem) forschungs|\bcollaborative project",
    re.I,
)
_SME_LED = re.compile(
    r"kmu-geführt|unter (?:der )?(?:führung|federführung) (?:eines|von) kmu|sme-led|led by an sme"
    r"|(?:verbundkoordination|koordination) (?:durch|liegt bei) (?:einem|einem) kmu"
    r"|(?:project leader|coordinator|lead partner) must be an? [^.]{0,30}\bsmes?\b",
    re.I,
)
_COUNTRIES = re.compile(
    r"(?:mindestens )?(zwei|drei|two|three|2|3)?\s*(?:verschiedenen|mehreren|unabhängigen|different|several)?"
    r"\s*(?:\w+\s+)?(?:eu-)?(?:ländern|staaten|mitgliedstaaten|countries|member states)\b"
    r"|(?:one )?partner from \w+ and one from \w+",
    re.I,
)
# with unknown applicants: a Verbund that names research partners needs one
_RESEARCH_PARTNER = re.compile(
    r"hochschul|forschungseinrichtung|wissenschaft|research organi[sz]ation|universit", re.I
)
_NUMBERS = {"zwei": 2, "two": 2, "2": 2, "drei": 3, "three": 3, "3": 3}
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class MatchCall:
    """What matching needs of one call: its topics and text, and the call facts (None/empty: unknown)."""

    id: str
    title: str
    topics: tuple[str, ...] = ()
    text: str = ""  # title, summary and the start of the call text
    applicants: tuple[str, ...] = ()  # ids of spec/classifier.md §4; empty: the call does not say
    consortium: bool | None = None
    region: str | None = None  # None: nationwide or open
    next_deadline: date | None = None


@dataclass(frozen=True)
class Profile:
    """A member prepared for matching: its terms normalised once."""

    member: Member
    topics: frozenset[str]
    terms: tuple[tuple[str, str], ...]  # (label as written, normalised)
    programmes: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        return self.member.id

    @property
    def kind(self) -> str:
        return self.member.kind


@dataclass(frozen=True)
class Fit:
    """One member against one call."""

    call_id: str
    member_id: str
    fit: float
    eligible: bool
    reasons: tuple[str, ...]
    aspects: frozenset[str] = frozenset()  # call topics and terms this member covers
    interest: str | None = None

    @property
    def proposable(self) -> bool:
        return self.eligible and self.interest != DECLINED


@dataclass(frozen=True)
class Needs:
    """What a call asks of the applicants together: lead kinds, partner kinds, countries."""

    consortium: bool
    lead_kinds: frozenset[str]
    partner_groups: tuple[frozenset[str], ...] = ()
    countries: int = 1
    label: str = ""


@dataclass
class CallMatch:
    call: MatchCall
    needs: Needs
    fits: list[Fit] = field(default_factory=list)  # every member worth a row, best first
    consortia: list[Any] = field(default_factory=list)  # foerderradar.consortia.Proposal


def normalise(text: str) -> str:
    """Case-folded, hyphens and slashes as spaces, one space between words."""
    return " ".join(re.sub(r"[-/–]", " ", text.casefold()).split())


def term_key(term: str) -> str:
    """A competence term as matched: normalised; a trailing ``*`` (prefix) kept."""
    return normalise(term[:-1]) + "*" if term.endswith("*") else normalise(term)


def profiles(members: Iterable[Member]) -> list[Profile]:
    return [
        Profile(
            m,
            frozenset(m.topics),
            tuple((t, term_key(t)) for t in m.competences),
            tuple((p, term_key(p)) for p in m.programmes),
        )
        for m in members
    ]


def found_terms(text: str, terms: Iterable[str]) -> set[str]:
    """Which normalised terms occur in ``text``: short single words as whole words, the rest as substrings
    (so ``Bildverarbeitung`` also finds ``Bildverarbeitungssysteme``)."""
    norm = normalise(text)
    tokens = set(_TOKEN.findall(norm))
    hits = set()
    for term in terms:
        if term.endswith("*"):
            stem = term[:-1]
            if any(token.startswith(stem) for token in tokens):
                hits.add(term)
        elif (" " in term or len(term) >= 6) and term in norm:
            hits.add(term)
        elif term in tokens:
            hits.add(term)
    return hits


# --- eligibility -----------------------------------------------------------------------------


def kind_eligible(member: Member, applicants: Sequence[str]) -> bool:
    """Whether the member's kind is among the call's applicants (unknown applicants: anyone)."""
    if not applicants:
        return True
    allowed = set(applicants)
    if member.kind == "kmu":
        return bool(allowed & COMPANIES) or ("startup" in allowed and member.startup)
    return member.kind in allowed


def region_eligible(member: Member, region: str | None) -> bool:
    """Whether the member's seat lies in the call's Fördergebiet (no region: nationwide)."""
    if not region or not region.strip():
        return True
    text = region.casefold()
    words = set(_TOKEN.findall(text))
    if any(word in words for word in OPEN_REGIONS) or "eu-weit" in text:
        return True
    land = member.land.casefold()
    names = (land, *LAND_ALIASES.get(land, ()))
    return any(name in text if len(name) > 3 else name in words for name in names)


def eligibility(member: Member, call: MatchCall) -> tuple[bool, str]:
    """(eligible, the reason in a few words)."""
    kind = KIND_LABEL[member.kind]
    if not kind_eligible(member, call.applicants):
        who = ", ".join(APPLICANT_LABEL.get(a, a) for a in call.applicants)
        return False, f"nicht antragsberechtigt (nur {who})"
    if not region_eligible(member, call.region):
        return False, f"nicht im Fördergebiet ({call.region})"
    where = f"{kind} in {member.land}"
    if not call.applicants:
        return True, f"{where}; Antragsberechtigte nicht angegeben – bitte prüfen"
    return True, where


# --- what the call needs -------------------------------------------------------------------------


def needs_of(call: MatchCall) -> Needs:
    """Lead and partner kinds a proposal must have; from the facts, else from the call text."""
    text = call.text
    consortium = call.consortium if call.consortium is not None else bool(_CONSORTIUM.search(text))
    applicants = set(call.applicants)
    kinds = {
        k
        for k in KIND_LABEL
        if not applicants or k in applicants or (k == "kmu" and "unternehmen" in applicants)
    }
    if not consortium:
        return Needs(False, frozenset(kinds))
    companies, research = kinds & COMPANIES, kinds & RESEARCH
    if _SME_LED.search(text) and "kmu" in kinds:
        lead = frozenset({"kmu"})
    else:
        lead = frozenset(companies or research or kinds)
    groups: list[frozenset[str]] = []
    if companies and research and (applicants or _RESEARCH_PARTNER.search(text)):
        groups = [frozenset(companies), frozenset(research)]
    countries = _countries(text)
    label = "Verbund mit Forschung nötig" if groups else "Verbund nötig"
    if countries > 1:
        label += f", Partner aus {countries} Ländern"
    return Needs(True, lead, tuple(groups), countries, label)


def _countries(text: str) -> int:
    best = 1
    for match in _COUNTRIES.finditer(text):
        said = match.group(0).casefold()
        number = 2 if " and one from " in said else _NUMBERS.get((match.group(1) or "").casefold())
        qualifier = re.search(r"verschiedenen|mehreren|unabhängigen|different|several", match.group(0), re.I)
        if number or qualifier:
            best = max(best, number or 2)
    return best


# --- the fit -----------------------------------------------------------------------------------


def fit_of(
    profile: Profile,
    call: MatchCall,
    hits: set[str],
    needs: Needs,
    topic_names: Mapping[str, str],
    interest: str | None = None,
) -> Fit:
    """Score one member for one call: 0.3 × the shared topics' share of the shorter topic list, 0.2 per matched
    competence term (up to three), 0.1 when the call names a programme the member knows; "interessiert"
    adds 0.3. An ineligible member scores 0; "nicht für uns" keeps the score but no proposal takes it."""
    member = profile.member
    ok, where = eligibility(member, call)
    topics = [t for t in call.topics if t in profile.topics]
    terms = [label for label, norm in profile.terms if norm in hits]
    known = [label for label, norm in profile.programmes if norm in hits]
    # the share of what the call and the member have in common, of the smaller topic list
    overlap = min(len(call.topics), len(profile.topics))
    topic_share = len(topics) / overlap if overlap else 0.0
    score = 0.3 * topic_share + 0.2 * min(3, len(terms)) + (0.1 if known else 0.0)
    if interest == INTERESTED:
        score += 0.3
    score = round(min(1.0, score), 3) if ok else 0.0
    covers = ", ".join(terms[:4] or [topic_names.get(t, t) for t in topics]) or "keine Kompetenz genannt"
    reasons = [covers, where]
    if known:
        reasons.append("kennt " + ", ".join(known))
    if ok and needs.consortium:
        reasons.append(needs.label)
    if interest:
        reasons.append(f"markiert: {interest}")
    aspects = frozenset(topics) | frozenset(f"term:{normalise(t)}" for t in terms)
    return Fit(call.id, member.id, score, ok, tuple(reasons), aspects, interest)


def rank_key(fit: Fit) -> tuple[int, int, float, str]:
    """Best first: eligible, interested before unmarked before declined, then by fit."""
    order = {INTERESTED: 0, None: 1, DECLINED: 2}[fit.interest]
    return (0 if fit.eligible else 1, order, -fit.fit, fit.member_id)


def match_call(
    call: MatchCall,
    members: Sequence[Profile],
    topic_names: Mapping[str, str],
    interest: Mapping[tuple[str, str], str],
    all_terms: Iterable[str],
) -> CallMatch:
    """Every member's fit for one call (best first) and what the call needs."""
    hits = found_terms(call.text, all_terms)
    needs = needs_of(call)
    fits = [fit_of(p, call, hits, needs, topic_names, interest.get((call.id, p.id))) for p in members]
    fits.sort(key=rank_key)
    return CallMatch(call, needs, fits)


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [str(v) for v in value] if isinstance(value, list) else []
