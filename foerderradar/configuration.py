"""Loads and validates the admin-edited YAML in config/ (settings, sources, keywords, lists, members).

Every file is checked on load with pydantic (``extra="forbid"``); a typo or a wrong type becomes a
``ConfigError`` naming the file, the key path and what was expected, and nothing runs.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from foerderradar.config_checks import (
    ADDRESS,
    check_address,
    check_cron,
    check_env_name,
    check_link_url,
    check_non_negative_values,
    check_terms,
    check_timezone,
    check_web_url,
    describe_errors,
)
from foerderradar.models import APPLICANTS

CONFIG_ENV = "FOERDERRADAR_CONFIG"
FILES = ("settings.yaml", "sources.yaml", "keywords.yaml", "lists.yaml")
OPTIONAL_FILES = ("members.yaml",)  # a network without member profiles gets no matching
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class ConfigError(Exception):
    """A config file is missing, unreadable or invalid: one line per problem (``problems``) for the admin."""

    def __init__(self, message: str | list[str]) -> None:
        self.problems = [message] if isinstance(message, str) else list(message)
        super().__init__("\n".join(self.problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- settings.yaml -------------------------------------------------------------------------


class SmtpSettings(_Model):
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str = "FOERDERRADAR_SMTP_PASSWORD"
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    retry_delay: float = Field(5.0, ge=0)  # alerts: first backoff in seconds, doubled per attempt

    _env = field_validator("password_env")(check_env_name)


class MailSettings(_Model):
    transport: Literal["outbox", "smtp"] = "outbox"
    sender: str = "Förderradar <foerderradar@localhost>"
    outbox: str = "outbox"
    admin_address: str | None = None
    unsubscribe_url: str | None = None
    smtp: SmtpSettings | None = None
    # alerts (issue 5): the digest's closing-soon window and the admin notice
    closing_soon_days: int = Field(14, ge=0, le=365)
    closing_soon_days_by_kind: dict[Literal["single", "skizze", "antrag", "stichtag", "other"], int] = {}
    review_wait_days: int = Field(7, ge=1)
    max_entries: int = Field(40, ge=1)

    _addresses = field_validator("sender", "admin_address")(check_address)
    _link = field_validator("unsubscribe_url")(check_link_url)
    _days = field_validator("closing_soon_days_by_kind")(check_non_negative_values)

    @model_validator(mode="after")
    def _smtp_needs_host(self) -> MailSettings:
        if self.transport == "smtp" and self.smtp is None:
            raise ValueError("transport 'smtp' needs an 'smtp:' block with at least 'host'")
        return self


class ScheduleSettings(_Model):
    crawl: str = "0 6 * * *"
    digest: str = "0 7 * * mon"
    # scheduler daemon (`foerderradar schedule`, jobs.py)
    pending: str = "30 7 * * *"
    health: str = "0 8 * * mon"
    backup: str = "0 3 * * sun"
    backup_keep: int = Field(8, ge=1)
    backup_dir: str | None = None
    log_file: str | None = None
    misfire_grace_time: int = Field(43200, ge=1)

    _cron = field_validator("crawl", "digest", "pending", "health", "backup")(check_cron)


class ReviewUser(_Model):
    name: str = Field(pattern=ID_PATTERN)
    password_env: str

    _env = field_validator("password_env")(check_env_name)


class ReviewWebSettings(_Model):
    port: int = Field(8001, ge=1, le=65535)
    users: list[ReviewUser] = [ReviewUser(name="koordination", password_env="FOERDERRADAR_REVIEW_PASSWORD")]
    allow_sql: bool = False
    login_failures: int = Field(5, ge=1)
    lockout_minutes: float = Field(15, gt=0)


class ReviewSettings(_Model):
    relevance_threshold: float = Field(0.5, ge=0, le=1)
    lower_threshold: float = Field(0.35, ge=0, le=1)
    upper_threshold: float = Field(0.65, ge=0, le=1)
    reason_codes: list[str] = [
        "nicht KI",
        "nicht KMU-fähig",
        "Frist zu knapp",
        "bereits bekannt",
        "kein Förderaufruf",
        "passt",
    ]
    new_source_days: int = Field(14, ge=0)
    web: ReviewWebSettings = ReviewWebSettings()

    @model_validator(mode="after")
    def _ordered(self) -> ReviewSettings:
        if self.lower_threshold > self.upper_threshold:
            raise ValueError("lower_threshold must not be above upper_threshold")
        if not self.lower_threshold <= self.relevance_threshold <= self.upper_threshold:
            raise ValueError(
                f"relevance_threshold {self.relevance_threshold} must lie between lower_threshold "
                f"{self.lower_threshold} and upper_threshold {self.upper_threshold}, or the calls "
                "just below it would never reach the review queue"
            )
        return self


class CrawlSettings(_Model):
    download_delay: float = Field(2.0, ge=0)
    concurrent_requests_per_domain: int = Field(1, ge=1)
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(2, ge=0)
    max_response_bytes: int = Field(20_000_000, gt=0)
    obey_robots_txt: bool = True
    max_pages: int = Field(20, ge=1)
    autothrottle: bool = True
    max_pdf_bytes: int = Field(10_000_000, gt=0)
    unhealthy_after: int = Field(2, ge=1)
    low_yield_ratio: float = Field(0.5, ge=0, le=1)
    progress_every: float = Field(30.0, ge=0)  # seconds between "still crawling" lines; 0: none


class Settings(_Model):
    database: str = "data/foerderradar.db"
    timezone: str = "Europe/Berlin"
    user_agent: str = "Foerderradar/0.1 (+mailto:foerderradar@localhost)"
    review_csv: str = "review.csv"
    mail: MailSettings = MailSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    review: ReviewSettings = ReviewSettings()
    crawl: CrawlSettings = CrawlSettings()

    _timezone = field_validator("timezone")(check_timezone)

    @field_validator("user_agent")
    @classmethod
    def _contact(cls, value: str) -> str:
        if not re.search(r"(mailto:|https?://|@)", value):
            raise ValueError("must name a contact (an e-mail address or a URL) for site operators")
        return value


# --- sources.yaml --------------------------------------------------------------------------


class Selectors(_Model):
    """Overrides of the generic reader, one per field (CSS, or XPath starting with ``/`` or ``(``)."""

    item: str | None = Field(None, description="the links to detail pages on a list page")
    next_page: str | None = None
    title: str | None = None
    text: str | None = None
    published: str | None = None
    funder: str | None = None
    pdf: str | None = None


class SediaOptions(_Model):
    """Filters of the EU Funding & Tenders search (kind ``eu-sedia``); codes as the API names them."""

    programmes: list[str] = ["43108390", "43152860"]  # Horizon Europe, Digital Europe
    types: list[str] = ["1", "2", "8"]  # grant topics and cascade calls
    statuses: list[str] = ["31094501", "31094502"]  # forthcoming, open
    page_size: int = Field(100, ge=1, le=100)
    text: str = "***"


# an allow_private entry: host or IPv4 with an optional port, [IPv6]:port, a bare IPv6, or a network
_ALLOWED_HOST = re.compile(
    r"^(?:[A-Za-z0-9.-]+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?|[0-9A-Fa-f:.]+(?:/\d{1,3})?)$"
)


def _is_network(entry: str) -> bool:
    """False for an entry that looks like a network (with "/") but is none, like 10.0.0.0/99."""
    if "/" not in entry:
        return True
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True


class Source(_Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    kind: Literal["feed", "html", "fdb", "fdb-export", "eu-sedia"]
    url: str
    enabled: bool = True
    funder: str | None = None
    language: Literal["de", "en"] | None = None
    delay: float | None = Field(None, ge=0)
    max_pages: int | None = Field(None, ge=1)
    selectors: Selectors | None = None
    follow_links: bool = False  # feed: also read each entry's page (main content, guideline PDFs)
    verified: bool = True
    checked: list[str] = []  # the facts the entry was checked against (saved pages, public code, docs)
    schedule: str | None = None  # cron for this source's crawl; None: settings schedule.crawl
    max_bytes: int | None = Field(None, gt=0)
    sedia: SediaOptions | None = None
    # private, loopback and link-local addresses are refused unless allowed: true, or a list of
    # hosts / host:port / networks (crawler/addresses.py checks the resolved address)
    allow_private: bool | list[str] = False

    _cron = field_validator("schedule")(check_cron)
    _url = field_validator("url")(check_web_url)

    @field_validator("allow_private")
    @classmethod
    def _allowed_hosts(cls, value: bool | list[str]) -> bool | list[str]:
        for entry in value if isinstance(value, list) else []:
            if not _ALLOWED_HOST.match(entry.strip()) or not _is_network(entry.strip()):
                raise ValueError(
                    f"'{entry}' is not a host, host:port, address or network (e.g. intranet.example:8080, "
                    "10.1.0.0/16)"
                )
        return value


class SourcesFile(_Model):
    sources: list[Source]

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources: list[Source]) -> list[Source]:
        return _unique_ids(sources)


# --- keywords.yaml -------------------------------------------------------------------------


class Topic(_Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    name_en: str | None = None  # the topic's name in English lists' digests (default: ``name``)
    weight: float = Field(1.0, gt=0)
    terms: list[str] = Field(min_length=1)

    _terms = field_validator("terms")(check_terms)


class Exclusion(_Model):
    id: str = Field(pattern=ID_PATTERN)
    weight: float = Field(1.0, gt=0)
    terms: list[str] = Field(min_length=1)

    _terms = field_validator("terms")(check_terms)


class KeywordsFile(_Model):
    topics: list[Topic] = Field(min_length=1)
    exclusions: list[Exclusion] = []

    @field_validator("topics")
    @classmethod
    def _unique(cls, topics: list[Topic]) -> list[Topic]:
        return _unique_ids(topics)


# --- lists.yaml ----------------------------------------------------------------------------


class IncludeExclude(_Model):
    """Words matched case-insensitively in a call's region (Fördergebiet) or funder."""

    include: list[str] = []
    exclude: list[str] = []


class MailingList(_Model):
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


class ListsFile(_Model):
    lists: list[MailingList]

    @field_validator("lists")
    @classmethod
    def _unique(cls, lists: list[MailingList]) -> list[MailingList]:
        return _unique_ids(lists)


# --- members.yaml --------------------------------------------------------------------------

EMAIL_PATTERN = r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$"
SME_MAX_EMPLOYEES = 250  # EU SME definition: fewer than 250 employees


class Contact(_Model):
    """The member's contact person for funding matters (invented in the shipped example)."""

    name: str
    email: str = Field(pattern=EMAIL_PATTERN)
    phone: str | None = None
    address: str | None = None


class Member(_Model):
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


class MatchingSettings(_Model):
    min_fit: float = Field(0.35, ge=0, le=1)  # lowest fit shown as "Passt zu" and used in consortia
    show: int = Field(3, ge=1, le=20)  # most members named per digest entry
    consortium_size: int = Field(3, ge=2, le=8)  # most members in one proposed consortium
    proposals: int = Field(3, ge=0, le=10)  # most proposed consortia per call


class MembersFile(_Model):
    members: list[Member] = []
    matching: MatchingSettings = MatchingSettings()

    @field_validator("members")
    @classmethod
    def _unique(cls, members: list[Member]) -> list[Member]:
        return _unique_ids(members)


def _unique_ids(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"id '{item.id}' is used twice")
        seen.add(item.id)
    return items


# --- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The whole validated configuration, with paths resolved against the project folder."""

    directory: Path
    settings: Settings
    sources: tuple[Source, ...]
    keywords: KeywordsFile
    lists: tuple[MailingList, ...]
    members: tuple[Member, ...] = ()
    matching: MatchingSettings = MatchingSettings()

    @property
    def base(self) -> Path:
        """Relative paths in settings.yaml are relative to the folder that holds config/."""
        return self.directory.parent

    def path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base / p

    @property
    def database_path(self) -> Path:
        return self.path(self.settings.database)

    @property
    def outbox_path(self) -> Path:
        return self.path(self.settings.mail.outbox)

    @property
    def keywords_version(self) -> str:
        """Changes whenever keywords or thresholds change, so stale classifications are re-tagged."""
        payload = json.dumps(
            [self.keywords.model_dump(), self.settings.review.relevance_threshold], sort_keys=True
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources)
        raise ConfigError(f"sources.yaml: no source with id '{source_id}' (known: {known})")

    def mailing_list(self, list_id: str) -> MailingList:
        for mailing_list in self.lists:
            if mailing_list.id == list_id:
                return mailing_list
        known = ", ".join(m.id for m in self.lists)
        raise ConfigError(f"lists.yaml: no mailing list with id '{list_id}' (known: {known})")

    def member(self, member_id: str) -> Member:
        for member in self.members:
            if member.id == member_id:
                return member
        known = ", ".join(m.id for m in self.members) or "none"
        raise ConfigError(f"members.yaml: no member with id '{member_id}' (known: {known})")


def config_dir(explicit: str | Path | None = None) -> Path:
    """The config folder: ``--config``, else ``$FOERDERRADAR_CONFIG``, else ``./config``."""
    return Path(explicit or os.environ.get(CONFIG_ENV) or "config").resolve()


def load_config(directory: str | Path | None = None) -> Config:
    """Every file validated; all problems of all files in one ConfigError, one line each."""
    folder = config_dir(directory)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: config folder not found (use --config DIR or ${CONFIG_ENV})")
    problems: list[str] = []
    settings = _load(folder, "settings.yaml", Settings, problems)
    sources = _load(folder, "sources.yaml", SourcesFile, problems)
    keywords = _load(folder, "keywords.yaml", KeywordsFile, problems)
    lists = _load(folder, "lists.yaml", ListsFile, problems)
    members = MembersFile()
    if (folder / "members.yaml").is_file():  # optional: without it there is no matching
        members = _load(folder, "members.yaml", MembersFile, problems) or MembersFile()
    if keywords is not None and lists is not None:
        problems += _unknown_topics(folder / "lists.yaml", keywords, lists)
        problems += _member_references(folder, members, keywords, lists)
    if problems:
        raise ConfigError(problems)
    return Config(
        folder,
        settings,
        tuple(sources.sources),
        keywords,
        tuple(lists.lists),
        tuple(members.members),
        members.matching,
    )


def _member_references(
    folder: Path, members: MembersFile, keywords: KeywordsFile, lists: ListsFile
) -> list[str]:
    """Members refer to topics and lists by id, and a personal list to a member: every id must exist."""
    topic_ids, list_ids = {t.id for t in keywords.topics}, {m.id for m in lists.lists}
    member_ids = {m.id for m in members.members}
    problems = []
    for index, member in enumerate(members.members, 1):
        for key, known, values in (("topics", topic_ids, member.topics), ("lists", list_ids, member.lists)):
            what = "topics in keywords.yaml" if key == "topics" else "lists in lists.yaml"
            problems += [
                f"{folder / 'members.yaml'}: members[{index}] (id {member.id}).{key}: unknown {key[:-1]} "
                f"'{value}' ({what}: {', '.join(sorted(known)) or 'none'})"
                for value in values
                if value not in known
            ]
    for index, mailing_list in enumerate(lists.lists, 1):
        if mailing_list.member is not None and mailing_list.member not in member_ids:
            problems.append(
                f"{folder / 'lists.yaml'}: lists[{index}] (id {mailing_list.id}).member: unknown member "
                f"'{mailing_list.member}' (members in members.yaml: {', '.join(sorted(member_ids)) or 'none'})"
            )
    return problems


def _unknown_topics(path: Path, keywords: KeywordsFile, lists: ListsFile) -> list[str]:
    topic_ids = {t.id for t in keywords.topics}
    known = ", ".join(sorted(topic_ids))
    return [
        f"{path}: lists[{index}] (id {mailing_list.id}).topics: unknown topic '{topic}' "
        f"(topics in keywords.yaml: {known})"
        for index, mailing_list in enumerate(lists.lists, 1)
        for topic in mailing_list.topics
        if topic not in topic_ids
    ]


def _load(folder: Path, name: str, model: type[_Model], problems: list[str]) -> Any:
    """The validated file, or None with its problems appended (so every file's errors are listed)."""
    path = folder / name
    if not path.is_file():
        problems.append(f"{path}: file not found; every config folder needs {', '.join(FILES)}")
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problems.append(f"{path}: {where}not valid YAML ({getattr(exc, 'problem', exc)})")
        return None
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8 text")
        return None
    except OSError as exc:
        problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
        return None
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems += [f"{path}: {line}" for line in describe_errors(exc, model, data)]
        return None
