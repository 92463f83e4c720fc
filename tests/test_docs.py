"""Docs cannot rot: every CLI command is in the README, every YAML example validates, every link resolves."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import click
import pytest
import yaml
from pydantic import BaseModel, ValidationError

import foerderradar.configuration as configuration
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


# --- the YAML examples and links of the docs -----------------------------------------------------

DOCS = ("README.md", "config/README.md")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```yaml[ \t]*\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def yaml_blocks(name: str) -> list[tuple[int, str]]:
    """Every ```yaml block of a doc (also inside list items), dedented, with its line number."""
    text = (ROOT / name).read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 1, textwrap.dedent(m.group("body"))) for m in FENCE.finditer(text)
    ]


def schema_for(data: object) -> type[BaseModel]:
    """Which config file a documented snippet belongs to, from its top-level key."""
    by_key: dict[str, type[BaseModel]] = {
        "sources": configuration.SourcesFile,
        "topics": configuration.KeywordsFile,
        "exclusions": configuration.KeywordsFile,
        "lists": configuration.ListsFile,
        "members": configuration.MembersFile,
        "matching": configuration.MembersFile,
    }
    if isinstance(data, dict):
        for key in data:
            if key in by_key:
                return by_key[key]
    return configuration.Settings


def as_file(data: object) -> object:
    """A snippet that shows only list items (``- id: …``) stands for entries of sources.yaml."""
    return {"sources": data} if isinstance(data, list) else data


@pytest.mark.parametrize("name", DOCS)
def test_every_yaml_example_in_the_docs_validates_against_the_config_schema(name):
    blocks = yaml_blocks(name)
    problems = []
    for line, body in blocks:
        data = as_file(yaml.safe_load(body))
        model = schema_for(data)
        try:
            model.model_validate(data)
        except ValidationError as exc:
            problems.append(f"{name}:{line}: {model.__name__}: {exc.errors()[0]}")
    assert not problems, "\n".join(problems)


def test_the_yaml_examples_are_found():
    assert len(yaml_blocks("README.md")) >= 5


def heading_anchors(text: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for title in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


@pytest.mark.parametrize("name", DOCS + ("ARCHITECTURE.md",))
def test_every_link_resolves_inside_a_clone(name):
    doc = ROOT / name
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"(https?|mailto):", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (doc.parent / path).resolve() if path else doc
        if ROOT not in resolved.parents and resolved != ROOT:
            broken.append(f"{target}: outside the repository")
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif (
            anchor and resolved.suffix == ".md" and anchor not in heading_anchors(resolved.read_text("utf-8"))
        ):
            broken.append(f"{target}: no heading #{anchor}")
    broken += [f"`{p}`: a path outside the repository" for p in re.findall(r"`(\.\./[^`]*)`", text)]
    assert not broken, f"{name}: " + "; ".join(broken)
