"""sources.yaml: the crawled sources, their selectors, EU search options and allowed private hosts."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator

from foerderradar.configuration.base import ID_PATTERN, ConfigModel, unique_ids
from foerderradar.configuration.checks import check_cron, check_web_url


class Selectors(ConfigModel):
    """Overrides of the generic reader, one per field (CSS, or XPath starting with ``/`` or ``(``)."""

    item: str | None = Field(None, description="the links to detail pages on a list page")
    next_page: str | None = None
    title: str | None = None
    text: str | None = None
    published: str | None = None
    funder: str | None = None
    pdf: str | None = None


class SediaOptions(ConfigModel):
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


class Source(ConfigModel):
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


class SourcesFile(ConfigModel):
    sources: list[Source]

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources: list[Source]) -> list[Source]:
        return unique_ids(sources)
