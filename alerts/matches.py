"""The digest's member lines: "Passt zu: …" and "Mögliches Konsortium: …" per entry (pure).

The fits and consortia come from the store (the matching run of ``foerderradar.matching`` that
``digest_step`` starts before every digest); this module only chooses and words what a list sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from foerderradar.configuration import MailingList, MatchingSettings, Member
from foerderradar.matching import DECLINED, INTERESTED
from foerderradar.store.rows import StoredConsortium, StoredFit

WORDS = {
    "de": {"fits": "Passt zu", "fits_you": "Passt zu Ihnen", "consortium": "Mögliches Konsortium",
           "missing": "noch nötig", "interested": "interessiert"},
    "en": {"fits": "Fits", "fits_you": "Fits you", "consortium": "Possible consortium",
           "missing": "still needed", "interested": "interested"},
}  # fmt: skip

# the fixed words of the stored reasons and consortium lines, for English lists (names stay as they are)
ENGLISH = (
    ("Antragsberechtigte nicht angegeben – bitte prüfen", "applicants not stated – please check"),
    ("Verbund mit Forschung nötig", "consortium with research needed"), ("Verbund nötig", "consortium needed"),
    ("nicht antragsberechtigt", "not eligible"), ("Partner aus einem weiteren Land", "a partner from one more country"),
    ("weiteren Ländern", "more countries"), ("Partner aus", "partners from"), ("Ländern", "countries"),
    ("(Lead, KMU)", "(lead, SME)"), ("(Lead, ", "(lead, "), ("(KMU)", "(SME)"), ("(Hochschule)", "(university)"),
    ("(Forschung)", "(research)"), ("(Unternehmen)", "(company)"), ("KMU in ", "SME in "),
    ("Hochschule in ", "university in "), ("Forschung in ", "research institute in "),
    ("Unternehmen in ", "company in "), ("kennt ", "knows "), ("markiert: interessiert", "marked: interested"),
)  # fmt: skip


def worded(text: str, lang: str) -> str:
    if lang != "en":
        return text
    for german, english in ENGLISH:
        text = text.replace(german, english)
    return text


@dataclass
class MatchInfo:
    """The stored matching run, loaded once per digest run and shared by every list."""

    members: Sequence[Member] = ()
    settings: MatchingSettings = field(default_factory=MatchingSettings)
    fits: Mapping[str, list[StoredFit]] = field(default_factory=dict)  # call id → fits, best first
    consortia: Mapping[str, list[StoredConsortium]] = field(default_factory=dict)

    @property
    def names(self) -> dict[str, str]:
        return {m.id: m.name for m in self.members}


def _good(row: StoredFit, settings: MatchingSettings) -> bool:
    if not row.eligible or row.interest == DECLINED:
        return False
    return row.fit >= settings.min_fit or row.interest == INTERESTED


def fits_member(info: MatchInfo, call_id: str, member_id: str) -> bool:
    """Whether a call belongs into this member's personal digest."""
    return any(r.member_id == member_id and _good(r, info.settings) for r in info.fits.get(call_id, ()))


def readers(info: MatchInfo, mailing_list: MailingList) -> set[str]:
    if mailing_list.member:
        return {mailing_list.member}
    return {m.id for m in info.members if mailing_list.id in m.lists}


def member_lines(info: MatchInfo, call_id: str, mailing_list: MailingList) -> list[str]:
    """The lines under one digest entry: who of the list's readers fits, and the best consortium."""
    words = WORDS.get(mailing_list.language, WORDS["de"])
    who = readers(info, mailing_list)
    good = [r for r in info.fits.get(call_id, ()) if r.member_id in who and _good(r, info.settings)]
    lines = []
    if mailing_list.member and good:
        mine = next((r for r in good if r.member_id == mailing_list.member), good[0])
        lines.append(f"{words['fits_you']}: " + " · ".join(mine.reasons))
    elif good:
        names = info.names
        shown = []
        for row in good[: info.settings.show]:
            label = row.reasons[0] if row.reasons else ""
            if row.interest == INTERESTED:
                label += f", {words['interested']}"
            shown.append(f"{names.get(row.member_id, row.member_id)} ({label})")
        lines.append(f"{words['fits']}: " + "; ".join(shown))
    proposal = _best_consortium(info.consortia.get(call_id, ()), mailing_list.member)
    if proposal is not None:
        line = f"{words['consortium']}: {proposal.line}"
        if proposal.missing:
            line += f" – {words['missing']}: " + ", ".join(proposal.missing)
        lines.append(line)
    return [worded(line, mailing_list.language) for line in lines]


def _best_consortium(proposals: Sequence[StoredConsortium], member_id: str | None) -> StoredConsortium | None:
    """The top proposal; for a personal digest the best one the member is part of."""
    if member_id:
        proposals = [p for p in proposals if member_id in {m for m, _ in p.members}]
    return proposals[0] if proposals else None
