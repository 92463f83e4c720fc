"""Who could apply together: up to three proposed consortia for a call that needs one (pure).

A proposal has an eligible lead of a kind the call lets lead, one member of every partner kind the call
requires (a research partner for a Verbund of companies and research), and further members only when
they cover call topics or terms nobody in the team covers yet. Members marked "nicht für uns" and
ineligible members are never taken; members marked "interessiert" come first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from foerderradar.fit import KIND_LABEL, CallMatch, Fit, Profile, rank_key

LEADS_TRIED = 5


@dataclass(frozen=True)
class Proposal:
    """One proposed consortium: (member id, role) with the lead first, why, what is still missing."""

    call_id: str
    members: tuple[tuple[str, str], ...]  # role: "lead", "partner" (a required kind) or "" (complements)
    why: str
    missing: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(member_id for member_id, _ in self.members)

    def line(self, names: Mapping[str, str], kinds: Mapping[str, str]) -> str:
        """ "A (Lead, KMU) + B (Forschung) + C"."""
        parts = []
        for member_id, role in self.members:
            name, kind = names.get(member_id, member_id), KIND_LABEL.get(kinds.get(member_id, ""), "")
            if role == "lead":
                parts.append(f"{name} (Lead, {kind})")
            elif role == "partner":
                parts.append(f"{name} ({kind})")
            else:
                parts.append(name)
        return " + ".join(parts)


def propose(
    match: CallMatch, profiles: Mapping[str, Profile], min_fit: float, size: int, most: int
) -> list[Proposal]:
    """Up to ``most`` distinct consortia for ``match.call``, best first."""
    needs = match.needs
    pool = [f for f in match.fits if f.proposable and (f.fit >= min_fit or f.interest)]
    backup = [f for f in match.fits if f.proposable and f.aspects and f not in pool]
    leads = [f for f in pool if profiles[f.member_id].kind in needs.lead_kinds][:LEADS_TRIED]
    aspects = frozenset().union(*(f.aspects for f in pool)) if pool else frozenset()
    found: dict[frozenset[str], Proposal] = {}
    for lead in leads:
        for alternative in (0, 1):
            team = _team(lead, pool, profiles, needs.partner_groups, backup, aspects, size, alternative)
            if team is None or len(team) < 2:
                continue
            key = frozenset(f.member_id for f, _ in team)
            if key not in found:
                found[key] = _proposal(match, team, profiles, aspects)
    return sorted(found.values(), key=lambda p: (-p.score, p.member_ids))[:most]


def _team(
    lead: Fit,
    pool: Sequence[Fit],
    profiles: Mapping[str, Profile],
    groups: Sequence[frozenset[str]],
    backup: Sequence[Fit],
    aspects: frozenset[str],
    size: int,
    alternative: int,
) -> list[tuple[Fit, str]] | None:
    """The lead, one member per required kind group (role "partner"), then complements (role "") that
    cover call topics or terms nobody in the team covers yet; None when a required kind is missing."""
    team, roles = [lead], {lead.member_id: "lead"}
    for index, group in enumerate(groups):
        if any(profiles[f.member_id].kind in group for f in team):
            continue
        # a required partner kind may come from below ``min_fit`` when nobody above it has that kind
        options = [f for f in pool if f not in team and profiles[f.member_id].kind in group]
        options = options or [f for f in backup if f not in team and profiles[f.member_id].kind in group]
        options.sort(key=lambda f: (-len(f.aspects - _covered(team)), rank_key(f)))
        if not options:
            return None
        chosen = options[min(alternative if index == 0 else 0, len(options) - 1)]
        team.append(chosen)
        roles[chosen.member_id] = "partner"
    while len(team) < size:
        covered = _covered(team)
        rest = [f for f in pool if f not in team and f.aspects - covered]
        if not rest:
            break
        team.append(min(rest, key=lambda f: (-len(f.aspects - covered), rank_key(f))))
    if len(team) < 2:
        team += [f for f in pool if f not in team][:1]
    return [(f, roles.get(f.member_id, "")) for f in team]


def _covered(team: Sequence[Fit]) -> frozenset[str]:
    return frozenset().union(*(f.aspects for f in team))


def _proposal(
    match: CallMatch, roles: list[tuple[Fit, str]], profiles: Mapping[str, Profile], aspects: frozenset[str]
) -> Proposal:
    needs, team = match.needs, [fit for fit, _ in roles]
    members = [(fit.member_id, role) for fit, role in roles]
    covered = _covered(team)
    share = len(covered) / len(aspects) if aspects else 0.0
    score = round(0.6 * sum(f.fit for f in team) / len(team) + 0.4 * share, 3)
    missing = []
    countries = {profiles[f.member_id].member.country for f in team}
    if needs.countries > len(countries):
        more = needs.countries - len(countries)
        missing.append(
            "Partner aus einem weiteren Land" if more == 1 else f"Partner aus {more} weiteren Ländern"
        )
    why = _why(team, profiles, covered, share)
    return Proposal(match.call.id, tuple(members), why, tuple(missing), score)


def _why(team: list[Fit], profiles: Mapping[str, Profile], covered: frozenset[str], share: float) -> str:
    parts = []
    for index, fit in enumerate(team):
        profile = profiles[fit.member_id]
        own = fit.reasons[0] if fit.reasons else ""
        role = "führt" if index == 0 else "bringt"
        parts.append(
            f"{profile.member.name} {role} {own} ein ({KIND_LABEL[profile.kind]}, Passung {fit.fit:.2f})"
        )
    interested = [profiles[f.member_id].member.name for f in team if f.interest]
    tail = f"deckt {round(share * 100)} % der gefundenen Themen ab"
    if interested:
        tail += "; interessiert: " + ", ".join(interested)
    return "; ".join(parts) + "; " + tail
