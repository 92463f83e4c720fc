"""Item pipelines: normalise → validate (``DropItem``) → store; the store step also writes the run record."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scrapy.exceptions import DropItem

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
    """Upsert each call (new / changed / unchanged); at close, write the source's crawl_runs row."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.database = crawler.settings.get("FOERDERRADAR_DATABASE")
        self.store: Any = None
        self.started = utcnow()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        from foerderradar.store import Store

        self.store = Store(self.database)
        self.started = utcnow()

    def process_item(self, item: Call, spider: Any = None) -> Call:
        source = self.crawler.spider
        outcome = self.store.save_call(item)
        if isinstance(source, SourceSpider):
            source.run.items += 1
            setattr(source.run, outcome, getattr(source.run, outcome) + 1)
        return item

    def close_spider(self, spider: Any = None) -> None:
        source = self.crawler.spider
        if isinstance(source, SourceSpider):
            self.store.record_crawl_run(run_record(source, self.started, utcnow()))
        self.store.close()


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
