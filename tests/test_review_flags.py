"""Flagging rules (pure), the store's flag context, and decisions taking effect in the queue."""

from __future__ import annotations

from dataclasses import replace

import pytest

from foerderradar.configuration import ReviewSettings, Source
from foerderradar.models import Call, Classification, Deadline
from foerderradar.review.flags import flag_reasons
from foerderradar.store import FlagContext

SETTINGS = ReviewSettings()


def verdict(score=0.8, relevant=True, dates=("2026-03-31",), rolling=False, call_id="src:1", kind="single"):
    deadlines = tuple(Deadline(d, None, None, kind, f"bis {d}") for d in dates)
    return Classification(
        call_id=call_id, language="de", relevant=relevant, score=score, topics=("ki",),
        deadlines=deadlines, rolling=rolling, next_deadline=dates[0] if dates else None, status="open",
    )  # fmt: skip


def context(**overrides):
    base = {
        "previous_deadlines": None, "previous_reasons": (), "previous_classified_at": None,
        "decision": None, "decided_at": None, "duplicate_of": None,
        "call_first_seen": "2026-11-20T06:00:00+00:00", "source_first_seen": "2026-01-05T06:00:00+00:00",
        "install_first_seen": "2026-01-05T06:00:00+00:00",
    }  # fmt: skip
    return FlagContext(**{**base, **overrides})


def test_a_confident_call_with_a_deadline_is_not_flagged():
    assert flag_reasons(verdict(), context(), SETTINGS) == []


@pytest.mark.parametrize(
    ("score", "flagged"), [(0.34, False), (0.35, True), (0.5, True), (0.649, True), (0.65, False)]
)
def test_score_between_the_review_thresholds(score, flagged):
    reasons = flag_reasons(verdict(score=score, relevant=score >= 0.5), context(), SETTINGS)
    assert any(r.startswith("unsicher: Score") for r in reasons) is flagged


def test_score_reason_names_score_and_thresholds_in_german_notation():
    assert flag_reasons(verdict(score=0.48, relevant=False), context(), SETTINGS) == [
        "unsicher: Score 0,48 zwischen 0,35 und 0,65"
    ]


def test_relevant_call_without_deadline_is_flagged_unless_rolling():
    assert "relevant, aber keine Frist gefunden" in flag_reasons(verdict(dates=()), context(), SETTINGS)
    assert flag_reasons(verdict(dates=(), rolling=True), context(), SETTINGS) == []
    assert flag_reasons(verdict(dates=(), relevant=False, score=0.1), context(), SETTINGS) == []


def test_changed_deadline_is_flagged_with_old_and_new_date():
    reasons = flag_reasons(
        verdict(dates=("2026-04-30",)), context(previous_deadlines=["2026-03-31"]), SETTINGS
    )
    assert reasons == ["Frist geändert: 31.03.2026 → 30.04.2026"]
    # same dates in another order, or a first classification, is no change
    same = context(previous_deadlines=["2026-06-01", "2026-03-31"])
    assert flag_reasons(verdict(dates=("2026-03-31", "2026-06-01")), same, SETTINGS) == []
    assert flag_reasons(verdict(dates=("2026-04-30",)), context(previous_deadlines=[]), SETTINGS) == []


def test_changed_deadline_reason_stays_until_the_coordinator_decided_after_it():
    earlier = ["Frist geändert: 31.03.2026 → 30.04.2026"]
    waiting = context(previous_deadlines=["2026-04-30"], previous_reasons=earlier,
                      previous_classified_at="2026-11-20T06:00:00+00:00")  # fmt: skip
    assert flag_reasons(verdict(dates=("2026-04-30",)), waiting, SETTINGS) == earlier
    decided = replace(waiting, decision="accept", decided_at="2026-11-21T09:00:00+00:00")
    assert flag_reasons(verdict(dates=("2026-04-30",)), decided, SETTINGS) == []


def test_suspected_duplicate_names_the_other_call():
    assert flag_reasons(verdict(), context(duplicate_of="fdb:abc"), SETTINGS) == [
        "mögliches Duplikat von fdb:abc"
    ]


def test_calls_from_a_recently_added_source_are_flagged_for_a_while():
    new = context(source_first_seen="2026-11-18T06:00:00+00:00", call_first_seen="2026-11-20T06:00:00+00:00")
    assert flag_reasons(verdict(), new, SETTINGS) == ["neue Quelle (seit 2026-11-18): Ergebnisse prüfen"]
    later = replace(new, call_first_seen="2026-12-02T06:00:00+00:00")
    assert flag_reasons(verdict(), later, SETTINGS) == []
    # the sources of the very first installation are the baseline, not "new"
    baseline = replace(new, install_first_seen="2026-11-18T05:00:00+00:00")
    assert flag_reasons(verdict(), baseline, SETTINGS) == []
    assert flag_reasons(verdict(), new, ReviewSettings(new_source_days=0)) == []


# --- against a real store -------------------------------------------------------------------------


def seed(store, *calls: tuple[str, str, str]) -> None:
    """Sources a and b, and calls (source, url suffix, title)."""
    store.sync_sources(
        [
            Source(id=s, name=f"Quelle {s}", kind="feed", url=f"https://{s}.example.org/feed")
            for s in ("a", "b")
        ]
    )
    for source_id, suffix, title in calls:
        call = Call(id=f"{source_id}:{suffix}", source_id=source_id, url=f"https://{source_id}.example.org/{suffix}",
                    title=title, text=f"{title}. Einreichung bis 31.03.2026.")  # fmt: skip
        store.save_call(call)


def test_flag_context_knows_previous_deadlines_duplicates_and_source_age(store):
    seed(store, ("a", "1", "KI für KMU"), ("b", "9", "KI für KMU "), ("a", "2", "Anderes Thema"))
    first = store.flag_context("a:1")
    assert first.previous_deadlines is None
    assert first.duplicate_of == "b:9"
    assert first.source_first_seen and first.install_first_seen
    store.save_classification(verdict(call_id="a:1"), "h", [])
    again = store.flag_context("a:1")
    assert again.previous_deadlines == ("2026-03-31",)
    assert store.flag_context("a:2").duplicate_of is None
    with pytest.raises(KeyError):
        store.flag_context("a:missing")


def classify(store, call_id, dates=("2026-03-31",), kind="single", reasons=("unsicher",)):
    call = store.call(call_id)
    store.save_classification(
        verdict(call_id=call_id, dates=dates, kind=kind), call["content_hash"], list(reasons)
    )


def decide(store, call_id, decision, reason=None):
    store.save_reviews([{"call_id": call_id, "decision": decision, "reason": reason, "note": None,
                         "by": "anna", "at": "2026-11-21T09:00:00+00:00"}])  # fmt: skip


def queue_ids(store):
    return [row["id"] for row in store.review_queue()]


def test_a_decision_takes_the_call_out_of_the_queue_and_out_of_or_into_open_calls(store):
    seed(store, ("a", "1", "Eins"), ("a", "2", "Zwei"))
    classify(store, "a:1")
    classify(store, "a:2")
    assert sorted(queue_ids(store)) == ["a:1", "a:2"]
    decide(store, "a:1", "accept")
    decide(store, "a:2", "reject", "nicht KI")
    assert queue_ids(store) == []
    assert [r["id"] for r in store.rows("SELECT id FROM open_calls")] == ["a:1"]
    decisions = {r["id"]: r["decision"] for r in store.alert_rows()}
    assert decisions == {"a:1": "accept"}, "accepted calls reach digests, rejected ones never"
    # and `foerderradar train` learns from them
    assert [(r["id"], r["decision"]) for r in store.training_examples()] == [
        ("a:1", "accept"),
        ("a:2", "reject"),
    ]


def test_a_rejected_call_comes_back_when_its_deadline_or_stage_changes_not_for_a_reworded_text(store):
    seed(store, ("a", "1", "Eins"))
    classify(store, "a:1")
    decide(store, "a:1", "reject", "nicht KI")
    # the text is reworded, the deadline stays: still decided
    store.save_call(
        Call(id="a:1", source_id="a", url="https://a.example.org/1", title="Eins", text="Neu formuliert.")
    )
    classify(store, "a:1")
    assert queue_ids(store) == []
    # a new stage (a Skizze deadline) opens: back in the queue, still rejected until decided again
    classify(store, "a:1", dates=("2026-03-31", "2026-06-30"), kind="skizze")
    (row,) = store.review_queue()
    assert row["decision"] == "reject"
    assert "geändert seit der Entscheidung (reject)" in row["why_flagged"]
    decide(store, "a:1", "reject", "nicht KI")
    assert queue_ids(store) == []


def test_decisions_reach_the_digest_selection(store, config):
    from alerts.select import parse_rows, wants

    seed(store, ("a", "1", "Eins"), ("a", "2", "Zwei"))
    for call_id, score, relevant in (("a:1", 0.4, False), ("a:2", 0.95, True)):
        result = Classification(
            call_id=call_id, language="de", relevant=relevant, score=score, topics=("ki",), deadlines=(),
            rolling=True, next_deadline=None, status="open",
        )  # fmt: skip
        store.save_classification(result, store.call(call_id)["content_hash"], [])
    decide(store, "a:1", "accept")  # unsure, but the coordinator wants it
    decide(store, "a:2", "reject", "bereits bekannt")  # confident, but the coordinator does not
    everyone = next(m for m in config.lists if not m.topics)
    chosen = [call.id for call in parse_rows(store.alert_rows()) if wants(call, everyone)]
    assert chosen == ["a:1"]
