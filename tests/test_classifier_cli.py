"""The classifier through the CLI: the tag and eval contracts, retraining from decisions, keyword changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier import Classifier, model_dir
from foerderradar.cli import cli
from foerderradar.configuration import load_config
from foerderradar.models import Call, call_id_for
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "gold.jsonl"
HOLDOUT = ROOT / "tests" / "gold" / "holdout.jsonl"

DOCS = [
    {
        "id": "de-1",
        "title": "Förderaufruf KI im Mittelstand",
        "text": "Gefördert werden KI-basierte Pilotprojekte von KMU. Projektskizzen sind bis zum 15. März einzureichen.",
        "url": None,
        "published": "2026-11-02",
        "language": "de",
    },
    {
        "id": 2,
        "title": "Open call",
        "text": "Cascade funding for SMEs building machine learning tools. Deadline: 12 March 2027, 17:00 CET.",
        "url": "https://example.org/call",
        "published": None,
    },
    {
        "id": "rolling",
        "title": "Digitalbonus",
        "text": "Zuschuss für die Digitalisierung von KMU. Anträge können jederzeit gestellt werden.",
        "url": None,
        "published": None,
    },
]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_tag_contract(tmp_path, config_dir):
    lines = [json.dumps(d, ensure_ascii=False) for d in DOCS]
    lines.insert(1, '{"id": "bad", "title": "x", "text": "no end')
    lines.insert(2, '{"id": "no-text", "title": "x"}')
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    result = run("--config", str(config_dir), "tag", "--input", str(source), "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == ["de-1", "bad", "no-text", 2, "rolling"]
    assert "error" in out[1] and "line 2" in out[1]["error"] and "error" in out[2]
    first = out[0]
    assert set(first) == {
        "id",
        "language",
        "relevant",
        "score",
        "topics",
        "rolling",
        "deadlines",
        "next_deadline",
        "status",
        "facts",  # spec §4
    }
    # year-less 15 March takes its year from the published date, then is the next deadline after today
    assert first["deadlines"] == [
        {"date": "2027-03-15", "time": None, "timezone": None, "kind": "skizze", "raw": "15. März"}
    ]
    assert (first["next_deadline"], first["status"], first["relevant"], first["language"]) == (
        "2027-03-15",
        "open",
        True,
        "de",
    )
    assert out[3]["language"] == "en" and out[3]["deadlines"][0]["time"] == "17:00"
    assert out[4]["rolling"] is True and out[4]["status"] == "open"


def test_tag_reference_date_is_today_else_published(tmp_path, config_dir):
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(DOCS[0], ensure_ascii=False)])
    late = run("--config", str(config_dir), "tag", "--input", str(source), "--today", "2027-04-01")
    assert json.loads(late.output)["status"] == "closed"
    default = run("--config", str(config_dir), "tag", "--input", str(source))
    assert json.loads(default.output)["status"] == "open"  # reference: the record's published date


def test_eval_contract_on_a_small_gold_file(tmp_path, config_dir):
    gold = [
        {
            **DOCS[0],
            "deadlines": [{"date": "2027-03-15", "time": None, "kind": "skizze"}],
            "rolling": False,
            "relevant": True,
        },
        {**DOCS[2], "deadlines": [], "rolling": True, "relevant": None},
        {
            "id": "neg",
            "title": "Stellenausschreibung",
            "text": "Wir suchen eine Referentin (m/w/d). Entgeltgruppe 13 TV-L.",
            "url": None,
            "published": "2026-01-01",
            "deadlines": [],
            "rolling": False,
            "relevant": False,
        },
    ]
    path = write_jsonl(tmp_path / "gold.jsonl", [json.dumps(g, ensure_ascii=False) for g in gold])
    result = run("--config", str(config_dir), "eval", str(path))
    assert result.exit_code == 0, result.output
    figures = figures_of(result.output)
    assert {
        "relevance precision",
        "relevance recall",
        "relevance F1",
        "deadline date precision",
        "deadline date recall",
        "exact deadline-set match",
        "false deadlines (no gold)",
        "rolling accuracy",
        "documents per second",
    } <= set(figures)
    assert figures["relevance F1"] == "1.000" and figures["relevance precision"] == "1.000"
    assert figures["deadline date precision"] == "1.000" and figures["deadline date recall"] == "1.000"
    assert figures["exact deadline-set match"] == "100.0%"
    assert figures["false deadlines (no gold)"] == "0.0%"
    assert figures["rolling accuracy"] == "100.0%"


def figures_of(output: str) -> dict[str, str]:
    return {label.strip(): value for label, value in (line.rsplit(None, 1) for line in output.splitlines())}


@pytest.mark.parametrize("gold", [GOLD, HOLDOUT], ids=["gold", "holdout"])
def test_eval_on_the_gold_sets_meets_the_targets(config_dir, gold):
    result = run("--config", str(config_dir), "eval", str(gold))
    assert result.exit_code == 0, result.output
    values = figures_of(result.output)
    assert float(values["relevance F1"]) >= 0.90
    assert float(values["exact deadline-set match"].rstrip("%")) >= 90.0
    assert float(values["false deadlines (no gold)"].rstrip("%")) <= 3.0


# --- retraining and re-tagging ----------------------------------------------------------------


def seeded_store(config) -> tuple[Store, list[Call]]:
    store = Store(config.database_path)
    store.sync_sources(config.sources)
    source_id = config.sources[0].id
    calls = [
        Call(
            call_id_for(source_id, f"https://example.org/{i}"),
            source_id,
            f"https://example.org/{i}",
            title,
            text,
            published="2026-10-01",
        )
        for i, (title, text) in enumerate(
            [
                (
                    "KI-Verbundprojekte",
                    "Gefördert werden KI-basierte Verbundvorhaben von KMU. Frist: 15.12.2026.",
                ),
                (
                    "Sportstätten",
                    "Zuschuss für die Sanierung von Sportstätten. Anträge bis 15.12.2026 einreichen.",
                ),
                ("Datenräume", "Förderung datengetriebener Vorhaben von Unternehmen und Hochschulen."),
            ]
        )
    ]
    for call in calls:
        store.save_call(call)
    return store, calls


def test_retraining_from_review_decisions_retags_every_call(config_dir):
    config = load_config(config_dir)
    store, calls = seeded_store(config)
    assert run("--config", str(config_dir), "classify", "--today", "2026-11-01").exit_code == 0
    before = Classifier.load(config).model_version
    assert list(store.calls_to_classify(before, config.keywords_version)) == []
    store.save_reviews(
        [
            {
                "call_id": calls[0].id,
                "decision": "accept",
                "reason": "passt",
                "by": "test",
                "at": "2026-11-02",
            },
            {
                "call_id": calls[1].id,
                "decision": "reject",
                "reason": "nicht KI",
                "by": "test",
                "at": "2026-11-02",
            },
        ]
    )
    assert {e["decision"] for e in store.training_examples()} == {"accept", "reject"}
    result = run("--config", str(config_dir), "train")
    assert result.exit_code == 0, result.output
    assert "2 review decisions" in result.output
    assert (model_dir(config) / "relevance.json").is_file()
    retrained = Classifier.load(config)
    assert retrained.model_version != before and "+lr-" in retrained.model_version
    assert {c.id for c in store.calls_to_classify(retrained.model_version, config.keywords_version)} == {
        c.id for c in calls
    }
    assert run("--config", str(config_dir), "classify", "--today", "2026-11-01").exit_code == 0
    assert list(store.calls_to_classify(retrained.model_version, config.keywords_version)) == []
    evidence = json.loads(store.classification(calls[0].id).evidence)
    assert any(e["signal"] == "model" for e in evidence)
    store.close()


def test_a_keyword_change_retags_and_dry_run_shows_changed_decisions(config_dir):
    config = load_config(config_dir)
    store, calls = seeded_store(config)
    assert run("--config", str(config_dir), "classify", "--today", "2026-11-01").exit_code == 0
    sport = store.classification(calls[1].id)
    assert not sport.relevant
    keywords = config_dir / "keywords.yaml"
    keywords.write_text(
        keywords.read_text(encoding="utf-8").replace(
            "terms: [künstliche Intelligenz,", "terms: [Sportstätten, Sanierung, künstliche Intelligenz,"
        ),
        encoding="utf-8",
    )
    changed = load_config(config_dir)
    assert changed.keywords_version != config.keywords_version
    assert (
        len(list(store.calls_to_classify(Classifier.load(changed).model_version, changed.keywords_version)))
        == 3
    )
    dry = run("--config", str(config_dir), "classify", "--today", "2026-11-01", "--dry-run")
    assert calls[1].id in dry.output and "False → True" in dry.output
    assert not store.classification(calls[1].id).relevant  # a dry run stores nothing
    assert run("--config", str(config_dir), "classify", "--today", "2026-11-01").exit_code == 0
    assert store.classification(calls[1].id).relevant
    assert store.classification(calls[1].id).config_version == changed.keywords_version
    store.close()


def test_train_without_examples_is_one_clear_line(config_dir, monkeypatch):
    monkeypatch.setattr("classifier.train.SEED_FILE", config_dir / "no-seed.jsonl")
    monkeypatch.setattr("classifier.train.CORPUS", config_dir / "no-corpus")
    monkeypatch.setattr("classifier.train.SHIPPED", config_dir / "no-model.json")
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "train"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: train: no corpus at")
    assert "no-model.json: relevance model missing" in result.output
