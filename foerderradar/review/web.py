"""The coordinator's web view: Datasette over the project's SQLite file, with login-only accept/reject.

Datasette 0.65 lets anyone run a canned write query unless an ``allow`` block says otherwise, so the
whole instance (tables, SQL, queries) is restricted to the configured coordinators, who log in with
datasette-auth-passwords' hashing. Passwords come from environment variables and are hashed at start-up;
the hashes stay in this process's memory, never in a file or the environment. CSRF protection stays on
for every write (``guard.py``); decisions are made on the review page (``page.py``), not by SQL.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from foerderradar.configuration import ReviewSettings
from foerderradar.review.guard import LoginLimiter, PasswordChecker
from foerderradar.review.page import SITE_ATTRIBUTE, Site
from foerderradar.store import Store

HOST = "127.0.0.1"  # the view is for the machine's own user (or an SSH tunnel), never the network
PLUGINS_DIR = Path(__file__).parent / "datasette_plugins"
TEMPLATES_DIR = Path(__file__).parent / "templates"


class ReviewError(Exception):
    """The web view cannot start (no password set, port taken); the message says which."""


def passwords(settings: ReviewSettings, environ: dict[str, str]) -> dict[str, str]:
    """Each coordinator whose password variable is set, with that password."""
    found = {u.name: environ[u.password_env] for u in settings.web.users if environ.get(u.password_env)}
    if not found:
        wanted = ", ".join(f"${u.password_env} for '{u.name}'" for u in settings.web.users)
        raise ReviewError(
            f"review.web.users: no password set; export {wanted or 'a user in settings.yaml'} first"
        )
    return found


def metadata(db_name: str, users: list[str], store: Store, settings: ReviewSettings) -> dict[str, Any]:
    """Datasette metadata: who may see what; raw SQL only where ``review.web.allow_sql`` says so."""
    only_coordinators = {"id": users}
    queries = store.web_queries()
    queries["source_health"]["title"] = "Zustand der Quellen"
    queries["source_health"]["description"] = "Letzter Lauf je Quelle"
    return {
        "title": "Förderradar – Prüfung",
        "allow": only_coordinators,
        "allow_sql": only_coordinators if settings.web.allow_sql else False,
        "databases": {
            db_name: {
                "allow": only_coordinators,
                "queries": queries,
                "tables": {
                    "review_queue": {
                        "description_html": "Markierte Aufrufe ohne Entscheidung; entscheiden auf der "
                        '<a href="/-/review">Prüfliste</a>'
                    },
                    "open_calls": {"description": "Relevante, nicht abgelehnte Aufrufe mit nächster Frist"},
                    "calls": {"fts_table": "calls_fts"},
                },
            }
        },
    }


def build(
    store: Store,
    settings: ReviewSettings,
    environ: dict[str, str] | None = None,
    topic_names: dict[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    today: Callable[[], date] = date.today,
    extensions: list[Any] | None = None,
) -> Any:
    """A Datasette instance over the store's file, for the coordinators whose password is set.

    ``clock`` drives the login lockout and ``today`` the "noch N Tage" of the page (tests pass theirs);
    ``extensions`` add lines to each call's card (see ``page.Site.extensions``).
    """
    from datasette.app import Datasette
    from datasette_auth_passwords.utils import hash_password

    users = passwords(settings, dict(os.environ if environ is None else environ))
    # the hashes live in this process only; the review page's login and the guard check them
    hashes = {name: hash_password(password) for name, password in users.items()}
    meta = metadata(store.path.stem, sorted(users), store, settings)
    datasette = Datasette(
        [str(store.path)], metadata=meta, plugins_dir=str(PLUGINS_DIR), template_dir=str(TEMPLATES_DIR)
    )
    limiter = LoginLimiter(settings.web.login_failures, settings.web.lockout_minutes * 60, clock)
    site = Site(
        db_name=store.path.stem,
        users=tuple(sorted(users)),
        reason_codes=tuple(settings.reason_codes),
        topic_names=dict(topic_names or {}),
        checker=PasswordChecker(lambda: hashes, limiter, clock),
        today=today,
        extensions=list(extensions or []),
    )
    setattr(datasette, SITE_ATTRIBUTE, site)
    return datasette


def serve(
    store: Store, settings: ReviewSettings, port: int, topic_names: dict[str, str] | None = None
) -> None:
    """Run the web view on 127.0.0.1 until interrupted."""
    import uvicorn

    datasette = build(store, settings, topic_names=topic_names)
    check_port(port)
    asyncio.new_event_loop().run_until_complete(datasette.invoke_startup())
    print(f"review web view: http://{HOST}:{port}/-/review (log in at /-/login)", flush=True)
    uvicorn.run(datasette.app(), host=HOST, port=port, log_level="info", access_log=False)


def check_port(port: int) -> None:
    """A taken port is a clear error before anything starts (uvicorn would log it and exit 3)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise ReviewError(
                f"review.web.port: cannot listen on {HOST}:{port} ({exc.strerror}); "
                "stop the other server or choose another port with --port"
            ) from None
