"""Shared fixtures: a valid config folder in a tmp dir, and a store on a tmp SQLite file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from foerderradar.configuration import load_config
from foerderradar.store import Store

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the shipped config/ folder in a tmp project folder (database and outbox inside it)."""
    target = tmp_path / "project" / "config"
    shutil.copytree(ROOT / "config", target)
    return target


@pytest.fixture
def config(config_dir: Path):
    return load_config(config_dir)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "test.db")
    yield db
    db.close()
