"""A small HTTP server on 127.0.0.1 that serves the bundled sample funding sources.

Used by ``foerderradar demo`` and by the tests. It answers conditional requests (ETag and
Last-Modified → 304) like a real CMS, and logs every request so tests can count them.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import shutil
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SITE_DIR = Path(__file__).parent / "site"
CONFIG_TEMPLATE_DIR = Path(__file__).parent / "config"
PLACEHOLDER = "{base_url}"
FIXED_MTIME = 1_795_000_000.0  # Last-Modified of every sample file, so runs are reproducible

mimetypes.add_type("application/rss+xml", ".rss")
mimetypes.add_type("application/atom+xml", ".atom")


@dataclass
class Logged:
    method: str
    path: str
    status: int
    bytes: int
    headers: dict[str, str]


@dataclass
class SampleSite:
    """Serve ``root`` on a free loopback port; use as a context manager.

    ``overrides`` maps a path to (status, body) for tests that need a broken or changed page, or to
    (status, body, headers) when the answer needs headers too (a redirect's ``Location``).
    """

    root: Path = SITE_DIR
    overrides: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> SampleSite:
        site = self

        class Handler(_Handler):
            owner = site

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def count(self, status: int | None = None, prefix: str = "/") -> int:
        return sum(
            1 for e in self.log if e.path.startswith(prefix) and (status is None or e.status == status)
        )


class _Handler(BaseHTTPRequestHandler):
    owner: SampleSite
    server_version = "SampleSite/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — silence stderr
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._serve(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(with_body=False)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._serve(with_body=True)

    def _serve(self, with_body: bool) -> None:
        path = self.path.split("#", 1)[0]
        if path in self.owner.overrides:
            status, body, *extra = self.owner.overrides[path]
            headers = dict(extra[0]) if extra else {}
            return self._send(status, body, "text/html; charset=utf-8", headers, with_body)
        file = self._resolve(path)
        if file is None:
            return self._send(404, b"<h1>404 Not Found</h1>", "text/html; charset=utf-8", {}, with_body)
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(FIXED_MTIME, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "no-cache"}
        if self._not_modified(etag, modified):
            return self._send(304, b"", None, headers, with_body=False)
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith(("xml", "json")):
            ctype += "; charset=utf-8"
        self._send(200, body, ctype, headers, with_body)

    def _resolve(self, path: str) -> Path | None:
        clean = path.split("?", 1)[0].lstrip("/") or "index.html"
        query = path.split("?", 1)[1] if "?" in path else ""
        candidates = [clean]
        if query:  # list pages with ?page=2 are stored as name--page=2.html
            stem, dot, ext = clean.rpartition(".")
            candidates.insert(0, f"{stem}--{query.replace('&', '--')}.{ext}" if dot else clean)
        root = self.owner.root.resolve()
        for candidate in candidates:
            file = (root / candidate).resolve()
            if file.is_file() and root in file.parents:
                return file
            if file.is_dir() and (file / "index.html").is_file():
                return file / "index.html"
        return None

    def _not_modified(self, etag: str, modified: str) -> bool:
        if_none = self.headers.get("If-None-Match")
        if if_none is not None:
            return etag in [t.strip() for t in if_none.split(",")]
        return self.headers.get("If-Modified-Since") == modified

    def _send(
        self, status: int, body: bytes, ctype: str | None, headers: dict[str, str], with_body: bool
    ) -> None:
        self.owner.log.append(
            Logged(self.command, self.path, status, len(body) if with_body else 0, dict(self.headers))
        )
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body and body:
            self.wfile.write(body)


def write_demo_config(out_dir: Path, base_url: str, template: Path = CONFIG_TEMPLATE_DIR) -> Path:
    """Copy the demo config into ``out_dir/config`` with the sample site's address filled in.

    Paths in the demo settings are relative, so the database, outbox and CSV land in ``out_dir``.
    """
    target = out_dir / "config"
    target.mkdir(parents=True, exist_ok=True)
    for file in sorted(template.glob("*.yaml")):
        text = file.read_text(encoding="utf-8").replace(PLACEHOLDER, base_url)
        (target / file.name).write_text(text, encoding="utf-8")
    for extra in sorted(template.iterdir()):
        if extra.is_dir():
            shutil.copytree(extra, target / extra.name, dirs_exist_ok=True)
    return target
