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
from functools import lru_cache
from typing import Any, NamedTuple

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
# What the text says when the facts do not (read on the case-folded text; plain substrings are fast):
# a consortium required, an SME lead, research partners named, partners from several countries.
_CONSORTIUM = ("verbundvorhaben", "verbundprojekt", "verbünde", "je verbund", "jeder verbund", "konsorti",
               "consorti", "kooperationsprojekt", "gemeinsam mit einer forschungs", "collaborative project")  # fmt: skip
# single applicants allowed besides consortia: a Verbund is possible, not needed
_SINGLE_TOO = ("einzel- und verbund", "einzel- oder verbund", "allein oder im verbund", "einzelprojekte",
               "einzelvorhaben", "single applicants", "single beneficiar", "alone or in")  # fmt: skip
# a research partner required, as calls word it (research merely eligible "als Partner" is not enough)
_RESEARCH_REQUIRED = ("wirtschaft und wissenschaft", "wissenschaft und wirtschaft", "und eine forschungseinrichtung",
                      "und eine hochschule", "mindestens eine forschungseinrichtung", "mindestens eine hochschule",
                      "mit einer forschungseinrichtung umfassen", "gemeinsam mit einer forschungs",
                      "gemeinsam mit einer hochschule", "forschungseinrichtungen gemeinsam mit",
                      "hochschulen gemeinsam mit", "with a research partner", "at least one research",
                      "include a research", "include a university", "mit forschungspartner")  # fmt: skip
_SME_REQUIRED = (
    "mindestens ein kmu",
    "at least one sme",
    "must be a small or medium",
    "at least one of them must be an sme",
)
_SME_LED = re.compile(
    r"kmu-geführt|unter (?:der )?(?:führung|federführung) (?:eines|von) kmu|sme-led|led by an sme"
    r"|(?:verbundkoordination|koordination) (?:durch|liegt bei) einem kmu"
    r"|(?:project leader|coordinator|lead partner) must be an? [^.]{0,30}\bsmes?\b"
)
_COUNTRY_NOUN = re.compile(r"\b(?:eu-)?(?:ländern|staaten|mitgliedstaaten|countries|member states)\b")
_COUNTRY_PAIR = re.compile(r"partner from \w+ and one from \w+")
_QUALIFIER = re.compile(r"verschiedenen|mehreren|unabhängigen|different|several")
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
    keys: frozenset[str] = frozenset()  # every normalised term and programme, for a quick disjoint test

    @property
    def id(self) -> str:
        return self.member.id

    @property
    def kind(self) -> str:
        return self.member.kind


class Fit(NamedTuple):
    """One member against one call (a named tuple: a million are made per run, cheaply)."""

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
    fits: list[Fit] = field(default_factory=list)  # the eligible members, best first
    consortia: list[Any] = field(default_factory=list)  # foerderradar.consortia.Proposal
    # the ineligible members as (member id, why not, interest mark): never proposed, so no Fit is made
    excluded: list[tuple[str, str, str | None]] = field(default_factory=list)

    def every_fit(self) -> list[Fit]:
        """The eligible fits and a zero Fit for each excluded member (eligible first)."""
        zero = [
            Fit(
                self.call.id,
                m,
                0.0,
                False,
                (why, *((f"markiert: {mark}",) if mark else ())),
                frozenset(),
                mark,
            )
            for m, why, mark in self.excluded
        ]
        return self.fits + sorted(zero, key=rank_key)


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
            frozenset(term_key(t) for t in [*m.competences, *m.programmes]),
        )
        for m in members
    ]


@lru_cache(maxsize=64)
def _matcher(terms: tuple[str, ...]) -> tuple[tuple[str, ...], re.Pattern[str] | None, tuple[str, ...]]:
    """(terms found as substrings, one regex for whole short words and prefixes, the prefix terms)."""
    long = tuple(t for t in terms if not t.endswith("*") and (" " in t or len(t) >= 6))
    prefixes = tuple(t for t in terms if t.endswith("*"))
    short = [re.escape(t) for t in terms if t not in long and t not in prefixes]
    short += [re.escape(t[:-1]) + r"\w*" for t in prefixes]
    pattern = re.compile(r"\b(?:" + "|".join(short) + r")\b") if short else None
    return long, pattern, prefixes


def found_terms(text: str, terms: Iterable[str]) -> set[str]:
    """Which normalised terms occur in ``text``: short single words as whole words, the rest as substrings
    (so ``Bildverarbeitung`` also finds ``Bildverarbeitungssysteme``), ``stem*`` as a prefix."""
    norm = normalise(text)
    terms = frozenset(terms)
    long, pattern, prefixes = _matcher(tuple(sorted(terms)))
    hits = {term for term in long if term in norm}
    if pattern is not None:
        words = set(pattern.findall(norm))
        hits |= words.intersection(terms)
        hits |= {p for p in prefixes if any(w.startswith(p[:-1]) for w in words)}
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


@lru_cache(maxsize=4096)
def _region(region: str) -> tuple[str, frozenset[str], bool]:
    """(case-folded text, its words, open to everyone) of a Fördergebiet; once per distinct region."""
    text = region.casefold()
    words = frozenset(_TOKEN.findall(text))
    return text, words, any(word in words for word in OPEN_REGIONS) or "eu-weit" in text


def region_eligible(member: Member, region: str | None) -> bool:
    """Whether the member's seat lies in the call's Fördergebiet (no region: nationwide)."""
    if not region or not region.strip():
        return True
    text, words, everyone = _region(region)
    if everyone:
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


def eligible_cache(
    member: Member, call: MatchCall, cache: dict[tuple[str, bool, str], tuple[bool, str]]
) -> tuple[bool, str]:
    """``eligibility`` once per call for each kind, start-up flag and Land (members share them)."""
    key = (member.kind, member.startup, member.land)
    found = cache.get(key)
    if found is None:
        found = cache[key] = eligibility(member, call)
    return found


# --- what the call needs -------------------------------------------------------------------------


def needs_of(call: MatchCall) -> Needs:
    """Lead and partner kinds a proposal must have; from the facts, else from the call text."""
    text = call.text.casefold()
    consortium = call.consortium
    if consortium is None:
        consortium = any(w in text for w in _CONSORTIUM) and not any(w in text for w in _SINGLE_TOO)
    applicants = set(call.applicants)
    kinds = {
        k
        for k in KIND_LABEL
        if not applicants or k in applicants or (k == "kmu" and "unternehmen" in applicants)
    }
    if not consortium:
        return Needs(False, frozenset(kinds))
    companies, research = kinds & COMPANIES, kinds & RESEARCH
    if "kmu" in kinds and ("kmu" in text or "sme" in text) and _SME_LED.search(text):
        lead = frozenset({"kmu"})
    else:
        lead = frozenset(companies or research or kinds)
    groups: list[frozenset[str]] = []
    if "kmu" in kinds and any(w in text for w in _SME_REQUIRED):
        groups.append(frozenset({"kmu"}))
    elif companies and research and any(w in text for w in _RESEARCH_REQUIRED):
        groups.append(frozenset(companies))
    if research and any(w in text for w in _RESEARCH_REQUIRED):
        groups.append(frozenset(research))
    countries = _countries(text)
    label = "Verbund mit Forschung nötig" if any(g <= RESEARCH for g in groups) else "Verbund nötig"
    if countries > 1:
        label += f", Partner aus {countries} Ländern"
    return Needs(True, lead, tuple(groups), countries, label)


def _countries(text: str) -> int:
    """How many countries the partners must come from (1: no such rule), from the case-folded text."""
    best = 2 if "and one from" in text and _COUNTRY_PAIR.search(text) else 1
    for match in _COUNTRY_NOUN.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()].split()[-3:]
        numbers = [_NUMBERS[w] for w in before if w in _NUMBERS]
        if numbers or _QUALIFIER.search(" ".join(before)):
            best = max(best, numbers[-1] if numbers else 2)
    return best


# --- the fit -----------------------------------------------------------------------------------


def fit_of(
    profile: Profile,
    call: MatchCall,
    hits: set[str],
    needs: Needs,
    topic_names: Mapping[str, str],
    interest: str | None = None,
    cache: dict[tuple[str, bool, str], tuple[bool, str]] | None = None,
    eligible: tuple[bool, str] | None = None,
) -> Fit:
    """Score one member for one call: 0.3 × the shared topics' share of the shorter topic list, 0.2 per matched
    competence term (up to three), 0.1 when the call names a programme the member knows; "interessiert"
    adds 0.3. An ineligible member scores 0; "nicht für uns" keeps the score but no proposal takes it."""
    member = profile.member
    ok, where = eligible or eligible_cache(member, call, cache if cache is not None else {})
    if not ok:  # an ineligible member is never proposed: the reason why is all it needs
        marked = (f"markiert: {interest}",) if interest else ()
        return Fit(call.id, member.id, 0.0, False, (where, *marked), frozenset(), interest)
    topics = [t for t in call.topics if t in profile.topics]
    if hits.isdisjoint(profile.keys):  # most pairs: no term in common, skip the per-term work
        matched: list[tuple[str, str]] = []
        known: list[str] = []
    else:
        matched = [(label, norm) for label, norm in profile.terms if norm in hits]
        known = [label for label, norm in profile.programmes if norm in hits]
    terms = [label for label, _ in matched]
    # the share of what the call and the member have in common, of the smaller topic list
    overlap = min(len(call.topics), len(profile.topics))
    topic_share = len(topics) / overlap if overlap else 0.0
    score = 0.3 * topic_share + 0.2 * min(3, len(terms)) + (0.1 if known else 0.0)
    if interest == INTERESTED:
        score += 0.3
    score = round(min(1.0, score), 3)
    covers = ", ".join(terms[:4] or [topic_names.get(t, t) for t in topics]) or "keine Kompetenz genannt"
    reasons = [covers, where]
    if known:
        reasons.append("kennt " + ", ".join(known))
    if needs.consortium:
        reasons.append(needs.label)
    if interest:
        reasons.append(f"markiert: {interest}")
    aspects = frozenset(topics) | frozenset("term:" + norm for _, norm in matched)
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
    """Every eligible member's fit for one call (best first), the ineligible ones with why, the call's needs."""
    hits = found_terms(call.text, all_terms)
    needs = needs_of(call)
    cache: dict[tuple[str, bool, str], tuple[bool, str]] = {}
    fits, excluded = [], []
    for profile in members:
        mark = interest.get((call.id, profile.id)) if interest else None
        ok, why = eligible_cache(profile.member, call, cache)
        if ok:
            fits.append(fit_of(profile, call, hits, needs, topic_names, mark, eligible=(ok, why)))
        else:
            excluded.append((profile.id, why, mark))
    fits.sort(key=rank_key)
    return CallMatch(call, needs, fits, excluded=excluded)


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [str(v) for v in value] if isinstance(value, list) else []
