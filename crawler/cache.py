"""The HTTP cache behind conditional requests: a revalidate-always policy and a one-file-per-page store."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from time import time
from typing import Any

from scrapy import Spider
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Request, Response
from scrapy.utils.response import response_from_dict


class RevalidatePolicy(RFC2616Policy):
    """HTTP cache policy of a monitor: always ask the server, conditionally, and never hide an error.

    Scrapy's RFC2616Policy sends no validators for a response marked ``Cache-Control: no-cache``
    (common on CMS pages), so every run would download everything again; and it answers a 5xx with
    the cached page, which would hide a broken source from the health check.
    """

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        return response.status == 304


class PageCacheStorage:
    """One pickle file per cached page (Scrapy's filesystem storage writes seven files and a folder).

    Files are written to a temporary name and renamed, so a crash never leaves half a page; a file
    that cannot be read counts as not cached, which only costs one full download.
    """

    def __init__(self, settings: Any) -> None:
        self.cachedir = Path(settings["HTTPCACHE_DIR"])
        self._fingerprinter: Any = None
        self.broken = False

    def open_spider(self, spider: Spider) -> None:
        self._fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider: Spider) -> None:
        pass

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        path = self._path(spider, request)
        try:
            data = pickle.loads(path.read_bytes())  # noqa: S301 — our own cache files
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            return None
        request.meta["cache_timestamp"] = data.pop("timestamp", None)
        return response_from_dict(data)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        if self.broken:
            return
        try:
            self._store(spider, request, response)
        except OSError as exc:  # a full disk, a read-only folder: crawl on without the cache, say it once
            self.broken = True
            message = (
                f"the HTTP cache {self.cachedir} cannot be written ({exc.strerror or exc}); crawling on "
                "without it, so the next run downloads these pages in full"
            )
            spider.logger.warning(message)
            run = getattr(spider, "run", None)
            if run is not None:
                run.note(request.url, message)

    def _store(self, spider: Spider, request: Request, response: Response) -> None:
        path = self._path(spider, request)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "url": response.url,
            "status": response.status,
            "headers": dict(response.headers),
            "body": response.body,
            "flags": list(response.flags),
            "timestamp": time(),
        }
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            partial.write_bytes(pickle.dumps(data, protocol=4))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)  # a half-written page never stays behind

    def _path(self, spider: Spider, request: Request) -> Path:
        key = self._fingerprinter.fingerprint(request).hex()
        return self.cachedir / spider.name / key[:2] / f"{key}.pickle"
