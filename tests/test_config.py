"""Config loading: the shipped files validate, every error kind is one clear line, every key is documented."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

import foerderradar.configuration as configuration
from foerderradar.cli import cli
from foerderradar.configuration import ConfigError, load_config
from foerderradar.demo.server import write_demo_config

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_shipped_config_validates():
    config = load_config(ROOT / "config")
    assert config.sources and config.lists and config.keywords.topics


def test_demo_config_validates_once_the_address_is_filled_in(tmp_path):
    folder = write_demo_config(tmp_path, "http://127.0.0.1:9")
    config = load_config(folder)
    assert all(s.url.startswith("http://127.0.0.1:9/") for s in config.sources)
    assert config.database_path == tmp_path / "data" / "foerderradar.db"


def test_unknown_key_names_file_path_and_suggestion(config_dir):
    settings = config_dir / "settings.yaml"
    settings.write_text(settings.read_text().replace("  timeout: 30\n", "  timout: 30\n"))
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    message = str(err.value)
    assert str(settings) in message
    assert "crawl.timout: unknown key 'timout' (did you mean 'timeout'?)" in message


def test_wrong_type_names_key_and_value(config_dir):
    lists = config_dir / "lists.yaml"
    lists.write_text(lists.read_text().replace("min_score: 0.6", "min_score: hoch"))
    with pytest.raises(ConfigError) as err:
        load_config(config_dir)
    assert "lists.yaml: lists[2] (id forschung).min_score:" in str(err.value)
    assert "'hoch'" in str(err.value)


def test_missing_file_is_named(config_dir):
    (config_dir / "keywords.yaml").unlink()
    with pytest.raises(ConfigError, match=r"keywords\.yaml: file not found"):
        load_config(config_dir)


def test_yaml_syntax_error_gives_the_line(config_dir):
    (config_dir / "sources.yaml").write_text("sources:\n  - id: a\n    name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"sources\.yaml: line \d+: not valid YAML"):
        load_config(config_dir)


def test_unknown_topic_in_a_list_is_named(config_dir):
    lists = config_dir / "lists.yaml"
    lists.write_text(lists.read_text().replace("topics: [ki, daten]", "topics: [ki, quanten]"))
    with pytest.raises(ConfigError, match="unknown topic 'quanten'"):
        load_config(config_dir)


def test_cli_prints_one_line_and_exits_2_and_runs_nothing(config_dir):
    settings = config_dir / "settings.yaml"
    settings.write_text(settings.read_text() + "\nunknown_setting: 1\n")
    result = run_cli("--config", str(config_dir), "run")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "unknown key 'unknown_setting'" in result.output
    assert not (config_dir.parent / "data").exists(), "nothing may run on a bad config"


def test_config_folder_from_environment(config_dir):
    result = run_cli("check-config", env={"FOERDERRADAR_CONFIG": str(config_dir)})
    assert result.exit_code == 0, result.output
    assert str(config_dir) in result.output


def test_missing_config_folder(tmp_path):
    result = run_cli("--config", str(tmp_path / "nowhere"), "check-config")
    assert result.exit_code == 2
    assert "config folder not found" in result.output


def _key_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = _nested_model(field.annotation)
        if nested is not None:
            paths += _key_paths(nested, path + ".")
        else:
            paths.append(path)
    return paths


def _nested_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


@pytest.mark.parametrize(
    "model",
    [
        configuration.Settings,
        configuration.SourcesFile,
        configuration.KeywordsFile,
        configuration.ListsFile,
        configuration.MembersFile,
    ],
)
def test_every_config_key_is_documented(model):
    documented = (ROOT / "config" / "README.md").read_text(encoding="utf-8")
    missing = [p for p in _key_paths(model) if f"`{p}`" not in documented]
    assert not missing, f"config/README.md does not document: {', '.join(missing)}"
