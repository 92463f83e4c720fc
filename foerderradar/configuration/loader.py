"""Loading config/: every file validated, all problems of all files in one ConfigError."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from foerderradar.configuration.base import ConfigError, ConfigModel
from foerderradar.configuration.checks import describe_errors
from foerderradar.configuration.lists import KeywordsFile, ListsFile, MailingList
from foerderradar.configuration.members import MatchingSettings, Member, MembersFile
from foerderradar.configuration.settings import Settings
from foerderradar.configuration.sources import Source, SourcesFile

CONFIG_ENV = "FOERDERRADAR_CONFIG"
FILES = ("settings.yaml", "sources.yaml", "keywords.yaml", "lists.yaml")
OPTIONAL_FILES = ("members.yaml",)  # a network without member profiles gets no matching


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


def _load(folder: Path, name: str, model: type[ConfigModel], problems: list[str]) -> Any:
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
