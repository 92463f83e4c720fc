"""Item pipelines: normalise → validate (``DropItem``) → store; the store step also writes the run record."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler import parsing
from crawler.spiders import SourceSpider
from foerderradar.models import Call
from foerderradar.store import utcnow
from foerderradar.text import normalise, one_line

MAX_TEXT_CHARS = 500_000
MAX_TITLE_CHARS = 500


def normalise_call(call: Call) -> Call:
    """Clean whitespace, keep dates ISO, cap sizes; pure, so ``source test`` shows the same."""
    published = call.published
    if published and not _is_iso(published):
        published = parsing.parse_date(published)
    return replace(
        call,
        url=call.url.strip(),
        title=one_line(call.title)[:MAX_TITLE_CHARS],
        text=normalise(call.text)[:MAX_TEXT_CHARS],
        published=published,
        funder=one_line(call.funder) or None,
        fields={k: one_line(v) for k, v in call.fields.items() if one_line(v)},
    )


def _is_iso(value: str) -> bool:
    return len(value) == 10 and value[4] == "-" and value[7] == "-"


def problem(call: Call) -> str | None:
    """Why a call cannot be stored, or None."""
    if not call.title:
        return "no title"
    if not call.url.startswith(("http://", "https://")):
        return f"no usable URL ({call.url!r})"
    if not call.text and not call.fields:
        return "no text"
    return None


class NormalisePipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        return normalise_call(item) if isinstance(item, Call) else item


class ValidatePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Call):
            raise DropItem(f"not a funding call: {type(item).__name__}")
        why = problem(item)
        if why:
            source = self.crawler.spider
            if isinstance(source, SourceSpider):
                source.run.dropped += 1
                source.run.note(item.url, f"dropped: {why}")
            raise DropItem(why)
        return item


class StorePipeline:
    """Upsert each call (new / changed / unchanged) and keep the source's ``crawl_runs`` row.

    The row is written when the spider opens (``running``) and finished when it closes, so a crawl
    killed half-way leaves a row that says so. A database that cannot be written (a full disk) stops
    the whole crawl with one message instead of one traceback per call.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.database = crawler.settings.get("FOERDERRADAR_DATABASE")
        self.store: Any = None
        self.started = utcnow()
        self.row_id: int | None = None
        self.failure: str | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        from foerderradar.store import Store

        self.store = Store(self.database)
        self.started = utcnow()
        source = self.crawler.spider
        if isinstance(source, SourceSpider):
            try:
                self.row_id = self.store.start_crawl_run(
                    source.run_id, source.source.id, self.started, os.getpid()
                )
            except sqlite3.Error as exc:
                self.store_failed(exc)

    def process_item(self, item: Call, spider: Any = None) -> Call:
        if self.failure:
            raise DropItem(self.failure)  # logged at INFO only: the one message has been given
        source = self.crawler.spider
        try:
            outcome = self.store.save_call(item)
        except sqlite3.Error as exc:
            raise DropItem(self.store_failed(exc)) from None
        if isinstance(source, SourceSpider):
            source.run.items += 1
            setattr(source.run, outcome, getattr(source.run, outcome) + 1)
        return item

    def store_failed(self, exc: sqlite3.Error) -> str:
        """Stop this crawl (and, through ``STORE_FAILED``, the process's others); the one message."""
        failure = self.failure = store_failure_message(self.database, exc)
        self.crawler.stats.set_value(STORE_FAILED, failure)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=STORE_FAILED))
        return failure

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        source = self.crawler.spider
        try:
            if isinstance(source, SourceSpider) and self.row_id is not None:
                record = run_record(source, self.started, utcnow())
                record["status"] = "finished" if reason == "finished" else "interrupted"
                if reason != "finished":
                    record["errors"] += 1
                    record["error_messages"] = [
                        *record["error_messages"],
                        _stopped_note(reason, self.failure),
                    ]
                self.store.finish_crawl_run(self.row_id, record)
        except sqlite3.Error:
            pass  # the disk is full: the row stays "running" and the next crawl marks it interrupted
        finally:
            if self.store is not None:
                self.store.close()


STORE_FAILED = "store_failed"  # the close reason and the stats key that carries the message


def store_failure_message(database: str, exc: sqlite3.Error) -> str:
    """One line for a database that cannot be written, naming the file and the way out."""
    if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in str(exc).lower():
        return (
            f"{database}: the disk is full ({exc}); the crawl stopped, calls stored so far are kept. "
            "Free some space and run the crawl again."
        )
    return f"{database}: the database cannot be written ({exc}); the crawl stopped, stored calls are kept."


def _stopped_note(reason: str, failure: str | None) -> dict[str, str]:
    why = failure or (
        "the crawl was stopped (the process was told to end)" if reason == "shutdown" else reason
    )
    return {"url": "", "message": f"interrupted: {why}", "level": "error"}


def run_record(spider: SourceSpider, started: str, finished: str) -> dict[str, Any]:
    run = spider.run
    return {
        "run_id": spider.run_id,
        "source_id": spider.source.id,
        "started": started,
        "finished": finished,
        "requests": run.requests,
        "responses": dict(sorted(run.responses.items())),
        "bytes": run.bytes,
        "items": run.items,
        "new": run.new,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "dropped": run.dropped,
        "errors": run.errors,
        "blocked": run.blocked,
        "error_messages": run.error_messages,
    }
