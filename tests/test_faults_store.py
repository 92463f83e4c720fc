"""A database the commands cannot use — read-only, damaged, empty, full — is one clear line, never a traceback.

Every case runs the real CLI on a real SQLite file and checks that the file was not changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

import foerderradar.cli.base as cli_base
from foerderradar.cli import cli
from foerderradar.configuration import load_config
from foerderradar.models import Call, call_id_for
from foerderradar.store import Store

CALLS = 120


def run_cli(config_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config_dir), *args], catch_exceptions=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def filled(config_dir: Path) -> Path:
    """A database with calls of the first configured source, closed (WAL checkpointed into the file)."""
    config = load_config(config_dir)
    store = Store(config.database_path)
    store.sync_sources(config.sources)
    source = config.sources[0].id
    for n in range(CALLS):
        url = f"https://www.example.org/aufruf-{n}.html"
        text = f"Aufruf {n}: Förderung von KI-Projekten in KMU. Einreichungsfrist ist der 31.03.2027. " * 20
        store.save_call(
            Call(id=call_id_for(source, url), source_id=source, url=url, title=f"KI {n}", text=text)
        )
    store.close()
    return config.database_path


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder unwritable, also for root (who ignores mode bits): chattr +i then."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("running as root and cannot set the immutable flag")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def assert_one_line_error(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_database_is_read_by_readers_and_refused_by_writers(config_dir, filled, tmp_path, what):
    before = digest(filled)
    target = filled if what == "file" else filled.parent
    with read_only(target):
        status = run_cli(config_dir, "status")
        exported = run_cli(config_dir, "review", "export", "--all", "--csv", str(tmp_path / "out.csv"))
        classify = run_cli(config_dir, "classify")
        send = run_cli(config_dir, "digest", "send")
    assert status.exit_code == 0, status.output
    assert f"calls {CALLS}," in status.output
    assert exported.exit_code == 0, exported.output
    for result in (classify, send):
        assert_one_line_error(result, str(filled), "read-only", what)
    assert digest(filled) == before


def test_damaged_page_stops_every_command_before_it_reads_or_writes(config_dir, filled, tmp_path):
    size = filled.stat().st_size
    pages = size // 4096
    assert pages > 20, "the fixture must span many pages"
    with filled.open("r+b") as handle:
        handle.seek((pages // 2) * 4096)
        handle.write(os.urandom(4096))
    before = digest(filled)
    for args in (
        ["status"],
        ["digest", "send"],
        ["review", "export", "--csv", str(tmp_path / "out.csv")],
        ["classify"],
    ):
        assert_one_line_error(run_cli(config_dir, *args), str(filled), "damaged", "backup")
    assert digest(filled) == before
    assert not (tmp_path / "out.csv").exists()


def test_empty_database_file_is_refused_and_left_alone(config_dir):
    path = load_config(config_dir).database_path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    for args in (["status"], ["classify"]):
        assert_one_line_error(run_cli(config_dir, *args), str(path), "empty (0 bytes)")
    assert path.stat().st_size == 0, "the empty file is neither set up nor removed"


def test_a_path_that_does_not_exist_yet_becomes_a_new_database(config_dir):
    path = load_config(config_dir).database_path
    result = run_cli(config_dir, "status")
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0


def test_full_disk_is_one_line_and_rolls_back(config_dir, filled, monkeypatch):
    """SQLITE_FULL, as a full disk gives it: the store may not grow by a single page."""

    class FullStore(Store):
        def __init__(self, path, **kwargs):
            super().__init__(path, **kwargs)
            pages = self.db.execute("PRAGMA page_count").fetchone()[0]
            self.db.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(cli_base, "Store", FullStore)
    result = run_cli(config_dir, "classify")
    assert_one_line_error(result, str(filled), "disk is full", "nothing stored was lost")
    check = sqlite3.connect(filled)
    assert check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert check.execute("SELECT count(*) FROM calls").fetchone()[0] == CALLS
    check.close()


def test_a_folder_where_the_database_should_be_is_one_line(config_dir):
    path = load_config(config_dir).database_path
    path.mkdir(parents=True)
    assert_one_line_error(run_cli(config_dir, "status"), str(path), "is a folder, not a database file")


def test_a_database_folder_that_cannot_be_created_is_one_line(config_dir):
    path = load_config(config_dir).database_path
    path.parent.write_text("a file where the data folder should be")
    assert_one_line_error(
        run_cli(config_dir, "classify"), str(path.parent), "cannot create the database folder"
    )


def test_an_unwritable_outbox_leaves_the_digests_pending_and_the_next_run_sends_them(config_dir):
    from test_alerts import load_sample

    config = load_config(config_dir)
    store = Store(config.database_path)
    load_sample(store)
    store.close()
    outbox = config.outbox_path
    outbox.mkdir(parents=True)
    send = ["digest", "send", "--today", "2026-11-23"]
    with read_only(outbox):
        refused = run_cli(config_dir, *send)
    assert refused.exit_code == 1, refused.output
    assert "Traceback" not in refused.output
    assert "PENDING" in refused.output and f"outbox {outbox}" in refused.output
    assert not list(outbox.iterdir()), "no half-written message is left"
    sent = run_cli(config_dir, *send)
    assert sent.exit_code == 0, sent.output
    assert "resent pending digest" in sent.output
    assert len(list(outbox.glob("*.eml"))) == refused.output.count("PENDING")


def test_a_truncated_database_is_damaged_not_empty(config_dir, filled):
    data = filled.read_bytes()
    filled.write_bytes(data[: len(data) // 2])
    before = digest(filled)
    for args in (["status"], ["classify"]):
        assert_one_line_error(run_cli(config_dir, *args), str(filled), "damaged", ".recover")
    assert digest(filled) == before
