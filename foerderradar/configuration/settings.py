"""settings.yaml: database, time zone, mail, schedule, review and crawl settings."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from foerderradar.configuration.base import ID_PATTERN, ConfigModel
from foerderradar.configuration.checks import (
    check_address,
    check_cron,
    check_env_name,
    check_link_url,
    check_non_negative_values,
    check_timezone,
)


class SmtpSettings(ConfigModel):
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str = "FOERDERRADAR_SMTP_PASSWORD"
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    retry_delay: float = Field(5.0, ge=0)  # alerts: first backoff in seconds, doubled per attempt

    _env = field_validator("password_env")(check_env_name)


class MailSettings(ConfigModel):
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


class ScheduleSettings(ConfigModel):
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


class ReviewUser(ConfigModel):
    name: str = Field(pattern=ID_PATTERN)
    password_env: str

    _env = field_validator("password_env")(check_env_name)


class ReviewWebSettings(ConfigModel):
    port: int = Field(8001, ge=1, le=65535)
    users: list[ReviewUser] = [ReviewUser(name="koordination", password_env="FOERDERRADAR_REVIEW_PASSWORD")]
    allow_sql: bool = False
    login_failures: int = Field(5, ge=1)
    lockout_minutes: float = Field(15, gt=0)


class ReviewSettings(ConfigModel):
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


class CrawlSettings(ConfigModel):
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


class Settings(ConfigModel):
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
