"""Value checks and error wording for the config models: time zones, cron lines, addresses, URLs, key paths.

The checks are plain functions used as pydantic field validators, so a value that would only fail later
(``timezone: Europe/Berln`` in ``schedule --print``) fails ``check-config`` instead. ``describe_errors``
turns every pydantic error of a file into one line naming the key path (positions counted from 1 and
named by id, ``lists[2] (id foo).min_score``) and the fix.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime
from email.utils import parseaddr
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

# Deliberately simple: one "@", no spaces or list separators, a dot in the domain. Mail servers judge
# the rest; this catches typos (a missing "@", a comma between two addresses) before a digest is built.
ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\".]+(\.[^@\s<>,;\".]+)+")


@cache
def _zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


def check_timezone(value: str) -> str:
    """An IANA time zone name (``Europe/Berlin``), as ``zoneinfo`` will read it at run time."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" alone is a folder of the tz database
        hint = difflib.get_close_matches(value, sorted(_zones()), n=1)
        fix = f"did you mean '{hint[0]}'?" if hint else "use an IANA name like 'Europe/Berlin'"
        raise ValueError(f"unknown time zone ({fix})") from None
    return value


def check_cron(value: str | None) -> str | None:
    """A five-field crontab line (minute hour day month weekday), checked the way APScheduler reads it."""
    if value is None:
        return value
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(value, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"not a cron expression like '0 6 * * *' ({exc})") from None
    # a fixed start keeps this pure; only a day that never exists (31 February) finds no time at all
    if trigger.get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=UTC)) is None:
        raise ValueError("never runs: no month has that day (like 31 in February)")
    return value


def check_address(value: str | None) -> str | None:
    """One e-mail address, bare (``a@example.org``) or with a display name (``Name <a@example.org>``)."""
    if value is None:
        return value
    if "<" in value and not value.rstrip().endswith(">"):
        raise ValueError("a display name form needs the address in angle brackets: 'Name <name@example.org>'")
    address = parseaddr(value)[1] if "<" in value else value.strip()
    if not ADDRESS.fullmatch(address) and not re.fullmatch(r"[^@\s<>,;\"]+@localhost", address):
        raise ValueError("is not an e-mail address like name@example.org or 'Name <name@example.org>'")
    return value


def check_web_url(value: str) -> str:
    return _check_url(value, ("http", "https"))


def check_link_url(value: str | None) -> str | None:
    """A link for the digest's footer: a web page or a ``mailto:`` address."""
    if value is None or (value.startswith("mailto:") and ADDRESS.fullmatch(value[7:].split("?")[0])):
        return value
    return _check_url(value, ("http", "https"))


def _check_url(value: str, schemes: tuple[str, ...]) -> str:
    if re.search(r"\s", value):
        raise ValueError("a URL must not contain spaces (write %20)")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise ValueError(f"not a valid URL ({exc})") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"not a URL like {schemes[-1]}://example.org/path")
    return value


def check_non_negative_values(value: dict[str, int]) -> dict[str, int]:
    negative = [key for key, number in value.items() if number < 0]
    if negative:
        raise ValueError(f"days must be 0 or more (got a negative number for {', '.join(negative)})")
    return value


def check_terms(value: list[str]) -> list[str]:
    """Keyword terms: a blank term or a bare ``*`` would match every word and make every call relevant."""
    for term in value:
        core = term.strip().removesuffix("*")
        if len(re.sub(r"\W", "", core)) < 2:
            raise ValueError(
                f"term {term!r} would match every word: a term needs at least 2 letters or digits "
                "(a prefix like 'KI-*' at least 2 before the '*')"
            )
    return value


def check_env_name(value: str) -> str:
    """The name of an environment variable that holds a secret (``FOERDERRADAR_SMTP_PASSWORD``)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError("is not an environment variable name (letters, digits and _, like MY_PASSWORD)")
    return value


# --- error wording -------------------------------------------------------------------------


def describe_errors(exc: ValidationError, model: type[BaseModel], data: Any) -> list[str]:
    """Every error pydantic found in one file, one line each, in file order, duplicates dropped."""
    lines: list[str] = []
    unions: dict[str, int] = {}  # key path → index of its line, for errors of union members
    for error in exc.errors():
        line = describe_error(error, model, data)
        where, _, message = line.partition(": ")
        member = len(_data_loc(error["loc"], data)) < len(error["loc"])  # loc names a union member
        if member and where in unions:
            # "a valid string" and "a valid list" for one value: one line, "… a valid string or a valid list"
            index = unions[where]
            lines[index] = lines[index].replace(" (got ", f" or {_expected(message)} (got ", 1)
        elif line not in lines:
            if member:
                unions[where] = len(lines)
            lines.append(line)
    return lines


def _expected(message: str) -> str:
    return message.removeprefix("Input should be ").split(" (got ")[0]


def describe_error(error: Any, model: type[BaseModel], data: Any) -> str:
    loc = _data_loc(error["loc"], data)
    where = key_path(loc, data)
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        allowed = allowed_keys(model, loc[:-1])
        hint = difflib.get_close_matches(key, allowed, n=1)
        fix = f"did you mean '{hint[0]}'?" if hint else f"allowed: {', '.join(allowed)}"
        return f"{where}: unknown key '{key}' ({fix})"
    if error["type"] == "missing":
        return f"{where}: required key is missing"
    got = error.get("input")
    shown = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
    message = error["msg"].removeprefix("Value error, ")
    # pydantic names its model classes; the admin knows YAML blocks
    message = re.sub(r"a valid dictionary or instance of \w+", "a block of 'key: value' lines", message)
    return f"{where}: {message}{shown}"


def _data_loc(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """The error's location without pydantic's union-member tags (``address.str``, ``address.list[str]``)."""
    kept: list[Any] = []
    node = data
    for part in loc:
        if isinstance(part, str) and node is not None and not isinstance(node, dict):
            continue  # a tag naming the union member tried, not a key in the file
        kept.append(part)
        node = _child(node, part)
    return tuple(kept)


def _child(node: Any, part: Any) -> Any:
    if isinstance(part, int):
        return node[part] if isinstance(node, list) and 0 <= part < len(node) else None
    return node.get(part) if isinstance(node, dict) else None


def key_path(loc: tuple[Any, ...], data: Any) -> str:
    """``lists[2] (id foo).min_score``: positions from 1 as an admin counts them, the item's id when it has one."""
    text, node = "", data
    for part in loc:
        node = _child(node, part)
        if isinstance(part, int):
            ident = node.get("id") if isinstance(node, dict) else None
            text += f"[{part + 1}]" + (f" (id {ident})" if isinstance(ident, str) and ident else "")
        else:
            text += ("." if text else "") + str(part)
    return text or "(top level)"


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field_info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field_info is None:
            return []
        current = _model_of(field_info.annotation)
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
