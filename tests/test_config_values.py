"""check-config checks values, not only keys, and lists every error of every file, counted from 1 and by id."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from foerderradar.cli import cli


def run_cli(config_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config_dir), *args], catch_exceptions=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def error_lines(result) -> list[str]:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("config error: ") for line in lines), lines
    return lines


@pytest.mark.parametrize("command", [["check-config"], ["schedule", "--print"], ["classify"], ["status"]])
def test_mistyped_time_zone_is_caught_before_anything_runs(config_dir, command):
    edit(config_dir / "settings.yaml", "timezone: Europe/Berlin", "timezone: Europe/Berln")
    result = run_cli(config_dir, *command)
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert (
        "settings.yaml: timezone: unknown time zone (did you mean 'Europe/Berlin'?) (got 'Europe/Berln')"
        in line
    )
    assert not (config_dir.parent / "data").exists(), "nothing ran, no database was created"


@pytest.mark.parametrize("zone", ["Europe", "", "../../etc/passwd", "Mars/Olympus"])
def test_any_time_zone_that_is_not_one_is_a_config_error(config_dir, zone):
    edit(config_dir / "settings.yaml", "timezone: Europe/Berlin", f'timezone: "{zone}"')
    (line,) = error_lines(run_cli(config_dir, "check-config"))
    assert "settings.yaml: timezone: unknown time zone" in line


def test_every_error_of_every_file_is_listed_once(config_dir):
    settings, sources, lists = (config_dir / n for n in ("settings.yaml", "sources.yaml", "lists.yaml"))
    edit(settings, 'crawl: "0 6 * * *"', 'crawl: "0 25 * * *"')
    edit(settings, '"Förderradar <foerderradar@example.org>"', '"Förderradar <foerderradar.example.org>"')
    edit(settings, "admin_address: admin@example.org", "admin_address: admin@example,org")
    edit(settings, "relevance_threshold: 0.5", "relevance_threshold: 0.9")
    edit(sources, "url: https://www.foerderdatenbank.de/FDB/WS/export", "url: https//www.foerderdatenbank.de")
    edit(lists, "address: ki-netzwerk@lists.example.org", "address: ki-netzwerk.lists.example.org")
    edit(lists, "min_score: 0.6", "min_score: 1.5")
    result = run_cli(config_dir, "check-config")
    assert result.exit_code == 2
    lines = error_lines(result)
    expected = [
        "settings.yaml: mail.sender: is not an e-mail address",
        "settings.yaml: mail.admin_address: is not an e-mail address",
        "settings.yaml: schedule.crawl: not a cron expression",
        "settings.yaml: review: relevance_threshold 0.9 must lie between lower_threshold 0.35",
        "sources.yaml: sources[1] (id fdb-export).url: not a URL like https://example.org/path",
        "lists.yaml: lists[1] (id ki-netzwerk).address: is not an e-mail address",
        "lists.yaml: lists[2] (id forschung).min_score: Input should be less than or equal to 1",
    ]
    assert len(lines) == len(expected), "\n".join(lines)
    for line, part in zip(lines, expected, strict=True):
        assert part in line, line


def test_unknown_topic_is_named_by_list_position_and_id(config_dir):
    edit(config_dir / "lists.yaml", "topics: [ki, daten]", "topics: [ki, quanten]")
    result = run_cli(config_dir, "check-config")
    (line,) = error_lines(result)
    assert "lists.yaml: lists[2] (id forschung).topics: unknown topic 'quanten'" in line


def test_a_list_item_without_id_is_named_by_position(config_dir):
    edit(config_dir / "lists.yaml", "  - id: forschung\n", "  - ident: forschung\n")
    lines = error_lines(run_cli(config_dir, "check-config"))
    assert any("lists[2].id: required key is missing" in line for line in lines), lines
    assert any("lists[2].ident: unknown key 'ident'" in line for line in lines), lines


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("port: 8001", "port: 80010", "review.web.port: Input should be less than or equal to 65535"),
        ("closing_soon_days: 14", "closing_soon_days: -1", "mail.closing_soon_days: Input should be greater"),
        ('digest: "0 7 * * mon"', 'digest: "jeden Montag"', "schedule.digest: not a cron expression"),
        ('digest: "0 7 * * mon"', 'digest: "0 7 31 2 *"', "schedule.digest: never runs"),
        (
            'sender: "Förderradar <foerderradar@example.org>"',
            'sender: "Förderradar <foerderradar@example.org"',
            "mail.sender: a display name form needs the address in angle brackets",
        ),
    ],
)
def test_ranges_and_schedules(config_dir, old, new, message):
    edit(config_dir / "settings.yaml", old, new)
    (line,) = error_lines(run_cli(config_dir, "check-config"))
    assert message in line


def test_shipped_config_still_passes(config_dir):
    result = run_cli(config_dir, "check-config")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("term", ['""', '"*"', '"-*"'])
def test_a_term_that_would_match_every_word_is_refused(config_dir, term):
    edit(
        config_dir / "keywords.yaml",
        "terms: [künstliche Intelligenz,",
        f"terms: [{term}, künstliche Intelligenz,",
    )
    (line,) = error_lines(run_cli(config_dir, "check-config"))
    assert "keywords.yaml: topics[1] (id ki).terms: term" in line and "would match every word" in line


def test_a_password_variable_must_be_a_variable_name(config_dir):
    edit(
        config_dir / "settings.yaml", "password_env: FOERDERRADAR_REVIEW_PASSWORD", "password_env: $REVIEW-PW"
    )
    (line,) = error_lines(run_cli(config_dir, "check-config"))
    assert "review.web.users[1].password_env: is not an environment variable name" in line


def test_a_value_of_neither_allowed_type_is_one_line(config_dir):
    edit(config_dir / "lists.yaml", "address: ki-netzwerk@lists.example.org", "address: 5")
    (line,) = error_lines(run_cli(config_dir, "check-config"))
    assert "lists[1] (id ki-netzwerk).address: Input should be a valid string or a valid list (got 5)" in line
