"""What every config model shares: the strict base model, the id pattern, the one error type."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class ConfigError(Exception):
    """A config file is missing, unreadable or invalid: one line per problem (``problems``) for the admin."""

    def __init__(self, message: str | list[str]) -> None:
        self.problems = [message] if isinstance(message, str) else list(message)
        super().__init__("\n".join(self.problems))


class ConfigModel(BaseModel):
    """Base of every config model: unknown keys are errors (a typo never passes), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def unique_ids(items: list[Any]) -> list[Any]:
    """The items unchanged, or a ValueError naming the first id used twice."""
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"id '{item.id}' is used twice")
        seen.add(item.id)
    return items
