"""members.yaml: the network's members, their contacts, and the matching settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from foerderradar.configuration.base import ID_PATTERN, ConfigModel, unique_ids

EMAIL_PATTERN = r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$"
SME_MAX_EMPLOYEES = 250  # EU SME definition: fewer than 250 employees


class Contact(ConfigModel):
    """The member's contact person for funding matters (invented in the shipped example)."""

    name: str
    email: str = Field(pattern=EMAIL_PATTERN)
    phone: str | None = None
    address: str | None = None


class Member(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    kind: Literal["kmu", "unternehmen", "hochschule", "forschung"]
    land: str = Field(min_length=2)  # the Bundesland (or region) of the member's seat
    country: str = Field("DE", pattern=r"^[A-Z]{2}$")
    employees: int | None = Field(None, ge=1)
    startup: bool = False
    topics: list[str] = []  # topic ids from keywords.yaml
    competences: list[str] = []  # free terms, matched in the call text
    programmes: list[str] = []  # past or current funding programmes (ZIM, KMU-innovativ, …)
    contact: Contact | None = None
    lists: list[str] = []  # mailing list ids the member reads

    @model_validator(mode="after")
    def _consistent(self) -> Member:
        if not self.topics and not self.competences:
            raise ValueError("needs at least one entry in 'topics' or 'competences' to be matched")
        if self.kind == "kmu" and self.employees is not None and self.employees >= SME_MAX_EMPLOYEES:
            raise ValueError(f"kind 'kmu' but {self.employees} employees (an SME has fewer than 250)")
        return self


class MatchingSettings(ConfigModel):
    min_fit: float = Field(0.35, ge=0, le=1)  # lowest fit shown as "Passt zu" and used in consortia
    show: int = Field(3, ge=1, le=20)  # most members named per digest entry
    consortium_size: int = Field(3, ge=2, le=8)  # most members in one proposed consortium
    proposals: int = Field(3, ge=0, le=10)  # most proposed consortia per call


class MembersFile(ConfigModel):
    members: list[Member] = []
    matching: MatchingSettings = MatchingSettings()

    @field_validator("members")
    @classmethod
    def _unique(cls, members: list[Member]) -> list[Member]:
        return unique_ids(members)
