"""Loads and validates the admin-edited YAML in config/ (settings, sources, keywords, lists, members).

Every file is checked on load with pydantic (``extra="forbid"``); a typo or a wrong type becomes a
``ConfigError`` naming the file, the key path and what was expected, and nothing runs.

This package is the one import place: ``from foerderradar.configuration import Config, Source, …``.
One module per file (``settings.py``, ``sources.py``, ``lists.py`` for keywords and lists,
``members.py``); ``loader.py`` reads the folder, ``base.py`` holds the base model and ``ConfigError``,
``checks.py`` the value checks and the error wording.
"""

from __future__ import annotations

from foerderradar.configuration.base import ID_PATTERN, ConfigError, ConfigModel
from foerderradar.configuration.lists import (
    Exclusion,
    IncludeExclude,
    KeywordsFile,
    ListsFile,
    MailingList,
    Topic,
)
from foerderradar.configuration.loader import (
    CONFIG_ENV,
    FILES,
    OPTIONAL_FILES,
    Config,
    config_dir,
    load_config,
)
from foerderradar.configuration.members import (
    EMAIL_PATTERN,
    SME_MAX_EMPLOYEES,
    Contact,
    MatchingSettings,
    Member,
    MembersFile,
)
from foerderradar.configuration.settings import (
    CrawlSettings,
    MailSettings,
    ReviewSettings,
    ReviewUser,
    ReviewWebSettings,
    ScheduleSettings,
    Settings,
    SmtpSettings,
)
from foerderradar.configuration.sources import SediaOptions, Selectors, Source, SourcesFile

__all__ = [
    "CONFIG_ENV",
    "EMAIL_PATTERN",
    "FILES",
    "ID_PATTERN",
    "OPTIONAL_FILES",
    "SME_MAX_EMPLOYEES",
    "Config",
    "ConfigError",
    "ConfigModel",
    "Contact",
    "CrawlSettings",
    "Exclusion",
    "IncludeExclude",
    "KeywordsFile",
    "ListsFile",
    "MailSettings",
    "MailingList",
    "MatchingSettings",
    "Member",
    "MembersFile",
    "ReviewSettings",
    "ReviewUser",
    "ReviewWebSettings",
    "ScheduleSettings",
    "SediaOptions",
    "Selectors",
    "Settings",
    "SmtpSettings",
    "Source",
    "SourcesFile",
    "Topic",
    "config_dir",
    "load_config",
]
