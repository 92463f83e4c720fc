"""Docs cannot rot: every CLI command is in the README, and every shipped YAML example validates."""

from __future__ import annotations

from pathlib import Path

import click

from foerderradar.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def command_paths(group: click.Group, prefix: str = "foerderradar") -> list[str]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths += command_paths(command, path)
        else:
            paths.append(path)
    return paths


def test_every_cli_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [p for p in command_paths(cli) if p not in readme]
    assert not missing, f"README.md does not mention: {', '.join(missing)}"


def test_every_command_has_help_text():
    for path in command_paths(cli):
        parts = path.split()[1:]
        command: click.Command = cli
        for part in parts:
            command = command.commands[part]  # type: ignore[attr-defined]
        assert command.help, f"{path} has no help text"
