"""keywords.yaml and lists.yaml: the topics and exclusions, and the mailing lists that read them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from foerderradar.configuration.base import ID_PATTERN, ConfigModel, unique_ids
from foerderradar.configuration.checks import ADDRESS, check_terms
from foerderradar.models import APPLICANTS

# --- keywords.yaml -------------------------------------------------------------------------


class Topic(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    name_en: str | None = None  # the topic's name in English lists' digests (default: ``name``)
    weight: float = Field(1.0, gt=0)
    terms: list[str] = Field(min_length=1)

    _terms = field_validator("terms")(check_terms)


class Exclusion(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    weight: float = Field(1.0, gt=0)
    terms: list[str] = Field(min_length=1)

    _terms = field_validator("terms")(check_terms)


class KeywordsFile(ConfigModel):
    topics: list[Topic] = Field(min_length=1)
    exclusions: list[Exclusion] = []

    @field_validator("topics")
    @classmethod
    def _unique(cls, topics: list[Topic]) -> list[Topic]:
        return unique_ids(topics)


# --- lists.yaml ----------------------------------------------------------------------------


class IncludeExclude(ConfigModel):
    """Words matched case-insensitively in a call's region (Fördergebiet) or funder."""

    include: list[str] = []
    exclude: list[str] = []


class MailingList(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    address: str | list[str]
    language: Literal["de", "en"] = "de"
    topics: list[str] = []
    min_score: float = Field(0.5, ge=0, le=1)
    # alerts (issue 5): when the list gets mail and which calls it wants
    frequency: Literal["weekly", "daily", "immediate"] = "weekly"
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: str = Field("07:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    regions: IncludeExclude = IncludeExclude()
    funders: IncludeExclude = IncludeExclude()
    reviewed_only: bool = False
    # alerts (issue 13): call facts and calls still in the review queue
    applicants: list[Literal[APPLICANTS]] = []  # type: ignore[valid-type]
    unreviewed: Literal["wait", "send"] = "wait"
    # members (issue 14): this list is one member's personal digest — only calls that fit the member
    member: str | None = Field(None, pattern=ID_PATTERN)

    @field_validator("address")
    @classmethod
    def _addresses(cls, value: str | list[str]) -> str | list[str]:
        for address in [value] if isinstance(value, str) else value:
            if not ADDRESS.fullmatch(address):
                shown = "" if isinstance(value, str) else f"{address!r} "  # a str is shown as "got"
                raise ValueError(f"{shown}is not an e-mail address like name@example.org")
        if not value:
            raise ValueError("needs at least one e-mail address")
        return value

    @property
    def recipients(self) -> list[str]:
        return [self.address] if isinstance(self.address, str) else list(self.address)


class ListsFile(ConfigModel):
    lists: list[MailingList]

    @field_validator("lists")
    @classmethod
    def _unique(cls, lists: list[MailingList]) -> list[MailingList]:
        return unique_ids(lists)
