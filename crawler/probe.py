"""``source test`` and ``source probe``: parse one saved response without the network, as a crawl would.

Both yield the same JSON-ready records: ``{"item": {...}}`` per call (as the pipeline would store
it), ``{"follow": url}`` per link the spider would request, then ``{"dropped": …}``, ``{"error": …}``,
``{"note": …}`` and ``{"blocked": …}`` for what the run record would show. ``usable`` says whether
anything came out that a crawl could use (a call with title and text, or a link to follow).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.spiders import spider_class
from foerderradar.configuration import Source

KINDS = ("list", "detail")


def probe_source(url: str, body: bytes = b"") -> Source:
    """A throw-away source for a saved file that has no config entry: kind ``feed`` for an RSS or
    Atom feed, else ``html`` (the generic reader alone)."""
    host = urlsplit(url).netloc or "probe"
    head = body[:1000].lstrip().lower()
    kind = "feed" if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head else "html"
    return Source(id="probe", name=f"probe of {host}", kind=kind, url=url)


def test_source(
    source: Source, path: Path, url: str | None = None, as_: str | None = None
) -> Iterator[dict[str, Any]]:
    """Parse one saved response with the source's parser; ``as_`` forces ``list`` or ``detail``."""
    from scrapy.http import Request
    from scrapy.responsetypes import responsetypes

    from crawler.pipelines import normalise_call, problem
    from foerderradar.models import Call

    spider = spider_class(source.kind)(source=source)
    body = Path(path).read_bytes()
    where = url or source.url
    response_class = responsetypes.from_args(url=where, body=body, filename=str(path))
    # saved_file lets a kind read linked files beside the saved one (an unpacked export)
    response = response_class(url=where, body=body, request=Request(where, meta={"saved_file": str(path)}))
    reason = spider.is_blocked(response)
    if reason:
        yield {"blocked": reason, "url": where}
        return
    for output in spider.parse_saved(response, as_=as_) or ():
        if isinstance(output, Request):
            pending = output.meta.get("pending_call")
            if isinstance(pending, Call):
                yield _item_record(normalise_call(pending), problem)
            yield {"follow": output.url}
        elif isinstance(output, Call):
            yield _item_record(normalise_call(output), problem)
    for note in spider.run.error_messages:
        yield {note.get("level", "error"): note["message"], "url": note["url"]}


def _item_record(call: Any, problem: Any) -> dict[str, Any]:
    why = problem(call)
    return {"dropped": why, "item": asdict(call)} if why else {"item": asdict(call)}


def usable(records: list[dict[str, Any]]) -> bool:
    """Whether a crawl could use what came out: a stored call (title and text) or a link to follow."""
    for record in records:
        if "follow" in record:
            return True
        item = record.get("item")
        if item and "dropped" not in record and item.get("title") and item.get("text"):
            return True
    return False
