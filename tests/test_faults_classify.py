"""Hostile documents never stop a batch: a broken tag line gets its error object, an oversized text is capped."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from classifier import MAX_INPUT_CHARS
from foerderradar.cli import cli
from foerderradar.configuration import load_config
from foerderradar.models import Call, call_id_for
from foerderradar.store import Store


def run_cli(config_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config_dir), *args], catch_exceptions=False)


def test_a_lone_surrogate_gets_an_error_object_and_the_run_goes_on(config_dir, tmp_path):
    good = {"id": "gut", "text": "Einreichungsfrist ist der 31.03.2027 für KI-Projekte in KMU."}
    lines = [
        '{"id": "kaputt", "text": "Frist \\ud800 am 31.03.2027"}',  # valid JSON, not valid Unicode
        json.dumps(good),
        '{"id": "id-\\udc00", "text": "KI"}',
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli(config_dir, "tag", "--input", str(path), "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["kaputt", "gut", "id-\ufffd"]
    assert out[0] == {
        "id": "kaputt",
        "error": "line 1: holds a lone surrogate (\\ud800), not valid Unicode text",
    }
    assert out[1]["next_deadline"] == "2027-03-31" and "error" not in out[1]
    assert "error" in out[2]


def test_a_text_over_the_budget_is_classified_from_its_capped_text_and_noted(config_dir):
    config = load_config(config_dir)
    store = Store(config.database_path)
    store.sync_sources(config.sources)
    source = config.sources[0].id
    huge = "Gefördert werden Projekte der Künstlichen Intelligenz in KMU. " * (MAX_INPUT_CHARS // 50)
    huge += "\n\nDie Einreichungsfrist ist der 31.03.2027.\n"
    calls = {
        "riesig": huge,
        "normal": "Gefördert werden KI-Projekte in KMU. Einreichungsfrist ist der 30.04.2027.",
    }
    for name, text in calls.items():
        url = f"https://www.example.org/{name}.html"
        store.save_call(Call(id=call_id_for(source, url), source_id=source, url=url, title=name, text=text))
    store.close()

    result = run_cli(config_dir, "classify", "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "classified 2 calls" in result.output

    store = Store(config.database_path)
    rows = {
        r["title"]: r
        for r in store.rows("SELECT c.title, k.* FROM calls c JOIN classifications k ON k.call_id = c.id")
    }
    store.close()
    notes = [e for e in json.loads(rows["riesig"]["evidence"]) if e["signal"] == "budget"]
    assert len(notes) == 1 and f"{len(huge) + len('riesig') + 2:,} characters" in notes[0]["sentence"]
    assert rows["riesig"]["next_deadline"] == "2027-03-31", "the deadline after the cap is still found"
    assert rows["normal"]["next_deadline"] == "2027-04-30"
    assert not [e for e in json.loads(rows["normal"]["evidence"]) if e["signal"] == "budget"]
