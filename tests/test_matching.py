"""Matching (pure): eligibility is never violated, consortia meet the call's partner needs, marks count.

Members are the invented example in config/members.yaml plus a few written here; calls are invented.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from foerderradar.configuration import Member, load_config
from foerderradar.fit import COMPANIES, RESEARCH, found_terms, term_key
from foerderradar.matching import (
    DECLINED,
    INTERESTED,
    MatchCall,
    applicants_from_field,
    call_from_row,
    match_calls,
    region_from_text,
    rows_of,
)

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)
LANDS = ["Hessen", "Bayern", "Sachsen", "Berlin", "Nordrhein-Westfalen", "Niedersachsen", "Hamburg"]
APPLICANTS = ["kmu", "unternehmen", "startup", "hochschule", "forschung", "kommune", "verein"]


@pytest.fixture(scope="module")
def example():
    config = load_config(ROOT / "config")
    return config.members, {t.id: t.name for t in config.keywords.topics}


def member(id: str, kind: str, land: str, competences: list[str], **extra) -> Member:
    return Member(id=id, name=id.title(), kind=kind, land=land, competences=competences, **extra)


def run(calls, members, interest=None, **kwargs):
    return {m.call.id: m for m in match_calls(calls, members, TODAY, {}, interest or {}, **kwargs)}


def may_apply(m: Member, applicants: tuple[str, ...]) -> bool:
    """The rule written out again, independently of the code under test."""
    if not applicants:
        return True
    if m.kind == "kmu":
        return "kmu" in applicants or "unternehmen" in applicants or ("startup" in applicants and m.startup)
    return m.kind in applicants


def in_region(m: Member, region: str | None) -> bool:
    return region in (None, "bundesweit", "EU-weit") or m.land.casefold() in region.casefold()


def random_calls(count: int, seed: int = 14) -> list[MatchCall]:
    rng = random.Random(seed)
    texts = ["Computer Vision in der Fertigung", "Datenräume und Gaia-X", "Sprachmodelle für Verwaltungen",
             "Robotik und autonome Systeme", "IT-Sicherheit kritischer Infrastrukturen", "Logistik, Prognose"]  # fmt: skip
    calls = []
    for n in range(count):
        applicants = tuple(rng.sample(APPLICANTS, rng.randint(0, 3)))
        region = rng.choice([None, None, "bundesweit", "EU-weit", *LANDS])
        text = " ".join(rng.sample(texts, 2)) + (" Verbundprojekt." if rng.random() < 0.5 else "")
        topics = tuple(rng.sample(["ki", "daten", "digital", "technologieoffen"], rng.randint(1, 3)))
        calls.append(
            MatchCall(
                f"c{n}", f"Aufruf {n}", topics, text, applicants, rng.choice([True, False, None]), region
            )
        )
    return calls


def test_eligibility_is_never_violated_in_fits_or_consortia(example):
    members, names = example
    by_id = {m.id: m for m in members}
    calls = random_calls(400)
    marks = {(c.id, m.id): DECLINED for c in calls[::7] for m in members[::3]}
    for result in match_calls(calls, members, TODAY, names, marks, min_fit=0.2):
        call = result.call
        assert len(result.every_fit()) == len(members)
        for fit in result.every_fit():
            m = by_id[fit.member_id]
            expected = may_apply(m, call.applicants) and in_region(m, call.region)
            assert fit.eligible == expected, (call, m.id, fit.reasons)
            if not fit.eligible:
                assert fit.fit == 0.0
        for proposal in result.consortia:
            for member_id in proposal.member_ids:
                m = by_id[member_id]
                assert may_apply(m, call.applicants) and in_region(m, call.region), (call, member_id)
                assert marks.get((call.id, member_id)) != DECLINED


def test_an_institute_is_never_proposed_for_an_sme_only_call(example):
    members, names = example
    call = MatchCall(
        "sme", "KMU-Förderung", ("ki", "daten"), "Datenräume, Computer Vision, Sprachmodelle", ("kmu",)
    )
    fits = run([call], members)["sme"].every_fit()
    institutes = [f for f in fits if f.member_id.startswith(("hs-", "tu-", "institut"))]
    assert institutes and all(not f.eligible and f.fit == 0 for f in institutes)
    assert all("nicht antragsberechtigt (nur KMU)" in f.reasons for f in institutes)
    assert fits[0].eligible and fits[0].member_id not in {f.member_id for f in institutes}


def test_a_land_restricted_call_only_fits_members_there(example):
    members, _ = example
    call = MatchCall(
        "he", "Hessen", ("ki",), "Computer Vision und Datenräume", ("kmu", "hochschule"), None, "Hessen"
    )
    eligible = {f.member_id for f in run([call], members)["he"].fits if f.eligible}
    assert eligible == {m.id for m in members if m.land == "Hessen"}


def test_reasons_name_competences_kind_land_and_the_consortium_need():
    bildwerk = member("bildwerk", "kmu", "Hessen", ["Computer Vision", "Datenräume"], topics=["ki"])
    lab = member("lab", "hochschule", "Hessen", ["maschinelles Lernen"], topics=["ki"])
    text = "Computer Vision in Datenräumen, gemeinsam mit einer Hochschule"
    call = MatchCall("v", "Verbund", ("ki",), text, ("kmu", "hochschule"), True)
    fit = run([call], [bildwerk, lab])["v"].fits[0]
    assert "; ".join(fit.reasons) == "Computer Vision, Datenräume; KMU in Hessen; Verbund mit Forschung nötig"


def test_unknown_applicants_let_anyone_apply_and_say_so():
    lab = member("lab", "forschung", "Berlin", ["Robotik"])
    fit = run([MatchCall("u", "U", (), "Robotik")], [lab])["u"].fits[0]
    assert fit.eligible and "Antragsberechtigte nicht angegeben – bitte prüfen" in fit.reasons[1]


def test_startup_only_calls_need_the_startup_flag():
    young = member("young", "kmu", "Berlin", ["Robotik"], startup=True)
    old = member("old", "kmu", "Berlin", ["Robotik"])
    fits = {
        f.member_id: f
        for f in run([MatchCall("s", "S", (), "Robotik", ("startup",))], [young, old])["s"].every_fit()
    }
    assert fits["young"].eligible and not fits["old"].eligible


def network() -> list[Member]:
    return [
        member("vision", "kmu", "Hessen", ["Computer Vision", "Qualitätsprüfung"], topics=["ki"]),
        member("daten", "kmu", "Hessen", ["Datenräume", "Prognose"], topics=["daten"]),
        member("gross", "unternehmen", "Hessen", ["Computer Vision", "Fertigung"], employees=5000),
        member("hs", "hochschule", "Hessen", ["Computer Vision", "maschinelles Lernen"], topics=["ki"]),
        member("inst", "forschung", "Bayern", ["Datenräume", "Fertigung"], topics=["daten"]),
    ]


VERBUND = (
    "Verbundprojekte aus Wirtschaft und Wissenschaft zu Computer Vision, Qualitätsprüfung, Datenräume, "
    "Prognose und Fertigung."
)


def test_consortia_have_an_eligible_lead_and_a_research_partner():
    call = MatchCall(
        "k", "K", ("ki", "daten"), VERBUND, ("kmu", "unternehmen", "hochschule", "forschung"), True
    )
    proposals = run([call], network())["k"].consortia
    kinds = {m.id: m.kind for m in network()}
    assert 1 <= len(proposals) <= 3
    assert len({p.member_ids for p in proposals}) == len(proposals), "proposals are distinct"
    for p in proposals:
        lead, role = p.members[0]
        assert role == "lead" and kinds[lead] in COMPANIES
        assert any(kinds[m] in RESEARCH for m in p.member_ids)
        assert len(p.member_ids) <= 3 and p.why


def test_an_sme_led_call_gets_an_sme_lead_and_a_missing_research_partner_means_no_proposal():
    text = VERBUND + " Die Verbundkoordination liegt bei einem KMU."
    call = MatchCall("k", "K", ("ki",), text, ("kmu", "unternehmen", "hochschule", "forschung"), True)
    kinds = {m.id: m.kind for m in network()}
    assert all(kinds[p.members[0][0]] == "kmu" for p in run([call], network())["k"].consortia)
    only_hessen = MatchCall("h", "H", ("ki",), VERBUND, ("kmu", "forschung"), True, "Hessen")
    assert run([only_hessen], network())["h"].consortia == [], "inst (forschung) is in Bayern"


def test_a_call_wanting_partners_from_two_countries_names_what_is_missing():
    text = VERBUND + " The consortium must include partners from two different countries."
    call = MatchCall("eu", "EU", ("ki",), text, ("kmu", "hochschule"), True)
    proposals = run([call], network())["eu"].consortia
    assert proposals and all(p.missing == ("Partner aus einem weiteren Land",) for p in proposals)


def test_research_merely_allowed_as_partner_is_not_required_and_single_projects_need_no_consortium():
    text = (
        "Verbundprojekte zu Computer Vision und Datenräume. Hochschulen können als Partner beteiligt werden."
    )
    call = MatchCall("p", "P", ("ki",), text, ("kmu", "hochschule"))
    needs = run([call], network())["p"].needs
    assert needs.consortium and needs.partner_groups == () and needs.label == "Verbund nötig"
    either = MatchCall("e", "E", ("ki",), "Gefördert werden Einzel- und Verbundvorhaben zu Computer Vision.")
    assert not run([either], network())["e"].needs.consortium


def test_no_consortium_is_proposed_for_single_applicant_calls():
    call = MatchCall("e", "E", ("ki",), "Computer Vision", ("kmu",), False)
    assert run([call], network())["e"].consortia == []


def test_interest_marks_change_the_next_ranking_and_the_proposals():
    call = MatchCall(
        "k", "K", ("ki", "daten"), VERBUND, ("kmu", "unternehmen", "hochschule", "forschung"), True
    )
    before = run([call], network())["k"]
    first, last = before.fits[0].member_id, [f for f in before.fits if f.eligible][-1].member_id
    marks = {("k", last): INTERESTED, ("k", first): DECLINED}
    after = run([call], network(), marks)["k"]
    assert after.fits[0].member_id == last and after.fits[0].interest == INTERESTED
    assert all(first not in p.member_ids for p in after.consortia)
    assert any(p.members[0][0] == last for p in after.consortia) or any(
        last in p.member_ids for p in after.consortia
    )
    rows, _ = rows_of([after], network())
    assert {r["member_id"]: r["interest"] for r in rows}[first] == DECLINED


def test_calls_past_their_deadline_are_not_matched():
    old = MatchCall("old", "Alt", ("ki",), "Computer Vision", next_deadline=date(2026, 11, 1))
    assert run([old], network()) == {}


def test_terms_match_whole_short_words_and_long_compounds():
    text = "Bildverarbeitungssysteme für NLP-Anwendungen und KI-basierte Robotik; kein DLPX"
    found = found_terms(text, [term_key(t) for t in ["Bildverarbeitung", "NLP", "DLP", "KI-*", "Robotik"]])
    assert found == {"bildverarbeitung", "nlp", "ki*", "robotik"}


def test_a_stored_row_uses_the_facts_and_falls_back_to_fields_and_text():
    facts = {"id": "a", "title": "T", "topics": '["ki"]', "text": "Das Land Sachsen fördert",
             "applicants": '["kmu"]', "consortium": 1, "region": "Hessen", "next_deadline": "2027-01-15",
             "fields": "{}"}  # fmt: skip
    call = call_from_row(facts)
    assert (call.applicants, call.consortium, call.region) == (("kmu",), True, "Hessen")
    plain = {**facts, "applicants": None, "consortium": None, "region": None,
             "fields": '{"Förderberechtigte": "Unternehmen, Hochschule"}'}  # fmt: skip
    call = call_from_row(plain)
    assert (call.applicants, call.consortium, call.region) == (("unternehmen", "hochschule"), None, "Sachsen")
    assert applicants_from_field("Kommune, Öffentliche Einrichtung") == ["kommune"]
    # extracted facts are taken as they are: no region stated means nationwide, not a guess from the text
    extracted = {**plain, "summary": "Gefördert wird …", "applicants": "[]", "consortium": "false"}
    call = call_from_row(extracted)
    assert (call.applicants, call.consortium, call.region) == ((), False, None)
    assert region_from_text("Antragsberechtigt sind Unternehmen mit Sitz in Deutschland.") is None
