"""The coordinator's web view: Datasette over the project's SQLite file, with login-only accept/reject.

Datasette 0.65 lets anyone run a canned write query unless an ``allow`` block says otherwise, so the
whole instance (tables, SQL, queries) is restricted to the configured coordinators, who log in with
datasette-auth-passwords. Passwords come from environment variables and are hashed at start-up; only
an environment variable of this process carries the hash, never a file. CSRF protection stays on.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from foerderradar.configuration import ReviewSettings
from foerderradar.store import Store

HOST = "127.0.0.1"  # the view is for the machine's own user (or an SSH tunnel), never the network
PLUGINS_DIR = Path(__file__).parent / "datasette_plugins"
HASH_ENV = "FOERDERRADAR_REVIEW_HASH_{index}"


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
    """Datasette metadata: who may see and write what, the canned queries, the page texts."""
    only_coordinators = {"id": users}
    codes = ", ".join(settings.reason_codes)
    queries = store.web_queries(settings.reason_codes)
    texts = {
        "accept_call": ("Aufruf annehmen", "Kommt in die Digests. Grund optional"),
        "reject_call": ("Aufruf ablehnen", "Kommt nie in einen Digest. Grund erforderlich"),
    }
    for name, (title, what) in texts.items():
        queries[name].update(
            title=title,
            description=f"{what} (einer von: {codes}); Notiz frei. Ihr Name wird mit der Entscheidung gespeichert.",
            allow=only_coordinators,
            on_success_message=f"Gespeichert: {title.split()[-1]}",
            on_success_redirect=f"/{db_name}/review_queue",
            hide_sql=True,
            on_error_message=f"Nicht gespeichert: unbekannte Aufruf-ID oder ungültiger Grund (erlaubt: {codes})",
        )
    queries["source_health"].update(title="Zustand der Quellen", description="Letzter Lauf je Quelle")
    return {
        "title": "Förderradar – Prüfung",
        "allow": only_coordinators,
        "allow_sql": only_coordinators,
        "databases": {
            db_name: {
                "allow": only_coordinators,
                "queries": queries,
                "tables": {
                    "review_queue": {"description": "Markierte Aufrufe ohne Entscheidung, neueste zuerst"},
                    "open_calls": {"description": "Relevante, nicht abgelehnte Aufrufe mit nächster Frist"},
                    "calls": {"fts_table": "calls_fts"},
                },
            }
        },
    }


def build(store: Store, settings: ReviewSettings, environ: dict[str, str] | None = None) -> Any:
    """A Datasette instance over the store's file; sets one hash variable per user in ``environ``."""
    from datasette.app import Datasette
    from datasette_auth_passwords.utils import hash_password

    environ = os.environ if environ is None else environ
    users = passwords(settings, dict(environ))
    auth: dict[str, Any] = {}
    for index, (name, password) in enumerate(sorted(users.items())):
        variable = HASH_ENV.format(index=index)
        environ[variable] = hash_password(password)
        auth[f"{name}_password_hash"] = {"$env": variable}
    meta = metadata(store.path.stem, sorted(users), store, settings)
    meta["plugins"] = {"datasette-auth-passwords": auth}
    return Datasette(
        [str(store.path)],
        metadata=meta,
        plugins_dir=str(PLUGINS_DIR),
    )


def serve(store: Store, settings: ReviewSettings, port: int) -> None:
    """Run the web view on 127.0.0.1 until interrupted."""
    import uvicorn

    datasette = build(store, settings)
    asyncio.new_event_loop().run_until_complete(datasette.invoke_startup())
    print(
        f"review web view: http://{HOST}:{port}/{store.path.stem}/review_queue (log in at /-/login)",
        flush=True,
    )
    uvicorn.run(datasette.app(), host=HOST, port=port, log_level="info", access_log=False)
