"""Checks around the database file: usable before opening, intact after, SQLite's errors as one clear line."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

RESTORE = "restore the latest backup (schedule.backup_dir) or salvage it with `sqlite3 {path} .recover`"


class StoreError(Exception):
    """The database file cannot be opened, written or migrated, or is damaged; the message names it."""


def check_file(path: Path, readonly: bool) -> bool:
    """Refuse what cannot be a usable database before SQLite sees it; True when it is to be opened read-only.

    A path that does not exist yet becomes a new database. An existing 0-byte file is refused: SQLite
    would silently set it up as a new, empty database, hiding that the real one was truncated or lost.
    """
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file (settings.yaml: database)")
    if not path.exists():
        _check_folder(path.parent)
        return False
    if path.stat().st_size == 0:
        raise StoreError(
            f"{path}: the database file is empty (0 bytes), so it holds no Förderradar data; "
            "if it was truncated, restore the latest backup; to start afresh, delete the file"
        )
    if os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK):
        return False
    if readonly and os.access(path, os.R_OK):
        return True
    raise StoreError(read_only_message(path))


def read_only_uri(path: Path) -> str:
    """The URI that opens ``path`` for reading only.

    In a folder nobody may write, SQLite cannot create the WAL index (``-shm``) a reader needs; without a
    ``-wal`` file nobody can change the database there either, so it is opened as immutable.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not wal.exists():
        uri += "&immutable=1"
    return uri


def _check_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create the database folder ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"{folder}: the database folder is read-only; a new database cannot be created there"
        )


def read_only_message(path: Path) -> str:
    what = (
        "file" if not os.access(path, os.W_OK) else f"folder {path.parent} (SQLite writes its journal there)"
    )
    return (
        f"{path}: the database is read-only (no write permission on the {what}); this command writes "
        "to it — fix the owner or mode (chown/chmod), or run as the user who owns it"
    )


def check_integrity(db: object, path: Path) -> None:
    """``PRAGMA quick_check``: a damaged page stops the command before it reads or writes anything.

    quick_check reads every page once but skips the index-content cross-check of integrity_check;
    bench/bench_adversarial.py measures it (well under a second for a year's database).
    """
    rows = db.execute("PRAGMA quick_check(3)").fetchall()  # type: ignore[attr-defined]
    problems = [row[0] for row in rows if row[0] != "ok"]
    if problems:
        raise StoreError(f"{path}: the database is damaged ({problems[0]}); " + RESTORE.format(path=path))


def describe_sqlite_error(exc: sqlite3.Error, path: Path) -> str:
    """One line for an SQLite error, by its result code (``sqlite_errorname``, Python 3.11+)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL":
        return (
            f"{path}: the disk is full (SQLite: {exc}); the change in progress was rolled back and "
            "nothing stored was lost — free some space and run again"
        )
    if name.startswith("SQLITE_READONLY"):
        return read_only_message(path)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return f"{path}: the database is damaged or not a database ({exc}); " + RESTORE.format(path=path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return f"{path}: the database is locked by another Förderradar process; run again when it is done"
    if name.startswith("SQLITE_IOERR"):
        return f"{path}: the disk reported an I/O error ({exc}); check the disk and run again"
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return f"{path}: cannot open the database ({exc})"
    return f"{path}: database error ({exc})"
