"""The review page: Datasette routes for the queue, the accept/reject forms and the rate-limited login.

Decisions go through ``Store`` methods run on Datasette's own connections (reads on a read connection,
the write on Datasette's single write thread). Every form carries Datasette's CSRF token; the guard
(``review/guard.py``) makes sure no state-changing request gets past without it.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import sqlite_utils
from datasette.utils.asgi import Response

from foerderradar.review.cards import DECISION_NAMES, card
from foerderradar.review.guard import PasswordChecker, client_of
from foerderradar.store import ReviewPageRow, StoredReview, utcnow
from foerderradar.store.review import ReviewTables

QUEUE_PATH = "/-/review"
DECIDE_PATH = "/-/review/decide"
LOGIN_PATH = "/-/login"
NOTE_LIMIT = 4000  # characters; a note is a remark, not a document
SITE_ATTRIBUTE = "_foerderradar_review"


@dataclass
class Site:
    """What the page needs beyond Datasette: the coordinators, reason codes, topic names, guards."""

    db_name: str
    users: tuple[str, ...]
    reason_codes: tuple[str, ...]
    topic_names: dict[str, str]
    checker: PasswordChecker
    today: Callable[[], date] = date.today
    page_size: int = 50
    extra: dict[str, Any] = field(default_factory=dict)
    # more lines per card (e.g. members' interest): each gets the store and the shown call ids and
    # returns {call_id: [(label, text), …]}; the template shows them in the block "call_extra"
    extensions: list[Callable[[ReviewTables, list[str]], dict[str, list[tuple[str, str]]]]] = field(
        default_factory=list
    )

    def coordinator(self, actor: dict[str, Any] | None) -> str | None:
        name = (actor or {}).get("id")
        return name if name in self.users else None


def site_of(datasette: Any) -> Site:
    return getattr(datasette, SITE_ATTRIBUTE)


def _tables(conn: sqlite3.Connection) -> ReviewTables:
    tables = ReviewTables()
    tables.db = sqlite_utils.Database(conn)
    return tables


async def _read(datasette: Any, site: Site, fn: Callable[[ReviewTables], Any]) -> Any:
    return await datasette.get_database(site.db_name).execute_fn(lambda conn: fn(_tables(conn)))


# --- the queue ---------------------------------------------------------------------------------


async def queue_page(request: Any, datasette: Any) -> Response:
    site = site_of(datasette)
    if not site.coordinator(request.actor):
        return Response.redirect(datasette.urls.path(LOGIN_PATH))
    notice = None
    saved = request.args.get("saved")
    if saved:
        stored = await _read(datasette, site, lambda t: t.review_of(saved))
        if stored and stored.decision:
            notice = (
                f"Gespeichert: „{stored.title}“ {DECISION_NAMES[stored.decision]}"
                + (f" („{stored.reason}“)" if stored.reason else "")
                + f" von {stored.by}."
            )
    return await _render(request, datasette, site, notice=notice, next_id=request.args.get("next"))


async def _render(
    request: Any,
    datasette: Any,
    site: Site,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    next_id: str | None = None,
) -> Response:
    def load(tables: ReviewTables) -> tuple[list[ReviewPageRow], int, list[dict[str, Any]]]:
        rows = tables.review_page_rows(site.page_size)
        ids = [row["id"] for row in rows]
        return rows, len(tables.review_queue_ids()), [ext(tables, ids) for ext in site.extensions]

    rows, total, extras = await _read(datasette, site, load)
    today = site.today()
    cards = [card(row, site.topic_names, today) for row in rows]
    for shown in cards:
        shown["lines"] = [line for extra in extras for line in extra.get(shown["id"], [])]
    typed = typed or {}
    context = {
        "cards": cards,
        "total": total,
        "notice": notice,
        "error": error,
        "typed": typed,
        "typed_shown": bool(error) and typed.get("call_id") not in {c["id"] for c in cards},
        "next_id": next_id or (cards[0]["id"] if cards else None),
        "reason_codes": site.reason_codes,
        "decide_url": datasette.urls.path(DECIDE_PATH),
        "db_url": datasette.urls.database(site.db_name),
        "coordinator": site.coordinator(request.actor),
        **site.extra,
    }
    html = await datasette.render_template("review_page.html", context, request=request)
    return Response.html(html, status=status)


# --- a decision --------------------------------------------------------------------------------


def form_problem(typed: dict[str, str], reason_codes: tuple[str, ...]) -> str | None:
    """What is wrong with a submitted decision form, in words for the page (pure)."""
    if not typed["call_id"]:
        return "Keine Aufruf-ID im Formular: bitte die Knöpfe am Aufruf benutzen."
    if typed["decision"] not in ("accept", "reject"):
        return f"Unbekannte Entscheidung „{typed['decision']}“: annehmen oder ablehnen."
    if len(typed["note"]) > NOTE_LIMIT:
        return f"Die Notiz ist zu lang ({len(typed['note'])} Zeichen, höchstens {NOTE_LIMIT})."
    if typed["decision"] == "accept":
        return "Annehmen braucht keinen Grund; bitte ohne Grund senden." if typed["reason"] else None
    if not typed["reason"]:
        return "Bitte einen Grund für die Ablehnung wählen."
    if typed["reason"] not in reason_codes:
        return f"Unbekannter Grund „{typed['reason']}“; erlaubt: {', '.join(reason_codes)}."
    return None


async def decide(request: Any, datasette: Any) -> Response:
    site = site_of(datasette)
    if request.method != "POST":
        return Response.redirect(datasette.urls.path(QUEUE_PATH))
    name = site.coordinator(request.actor)
    if not name:
        return Response.text("Bitte zuerst anmelden (/-/login).", status=403)
    form = await request.post_vars()
    typed = {key: (form.get(key) or "").strip() for key in ("call_id", "decision", "reason", "note", "seen")}
    problem = form_problem(typed, site.reason_codes)
    if problem:
        return await _render(request, datasette, site, status=400, error=problem, typed=typed)
    ids = await _read(datasette, site, lambda t: t.review_queue_ids())
    decision = {
        "call_id": typed["call_id"],
        "decision": typed["decision"],
        "reason": typed["reason"] or None,
        "note": typed["note"] or None,
        "by": name,
        "at": utcnow(),
    }
    outcome = await datasette.get_database(site.db_name).execute_write_fn(
        lambda conn: _tables(conn).record_decision(decision, typed["seen"] or None)
    )
    if outcome == "unknown":
        error = f"Unbekannte Aufruf-ID „{typed['call_id']}“: nichts gespeichert."
        return await _render(request, datasette, site, status=404, error=error, typed=typed)
    if outcome == "stale":
        return await _stale(request, datasette, site, typed, decision, ids)
    return _saved(datasette, typed["call_id"], ids)


def _saved(datasette: Any, call_id: str, ids: list[str]) -> Response:
    query = {"saved": call_id}
    following = _following(ids, call_id)
    if following:
        query["next"] = following
    return Response.redirect(datasette.urls.path(QUEUE_PATH) + "?" + urlencode(query) + "#weiter")


async def _stale(
    request: Any, datasette: Any, site: Site, typed: dict[str, str], decision: dict[str, Any], ids: list[str]
) -> Response:
    """Decided meanwhile: the same decision sent twice (a double click) is fine, another one is not."""
    stored: StoredReview | None = await _read(datasette, site, lambda t: t.review_of(typed["call_id"]))
    if stored is None:  # the call itself is gone: nothing to compare with
        stored = StoredReview(typed["call_id"], typed["call_id"], None, None, None, None, None)
    if all(getattr(stored, key) == decision[key] for key in ("decision", "reason", "note", "by")):
        return _saved(datasette, typed["call_id"], ids)
    word = DECISION_NAMES.get(stored.decision or "", "entschieden")
    error = (
        f"„{stored.title}“ wurde inzwischen schon {word} "
        f"(von {stored.by or '?'}, {stored.at or '?'}); Ihre Eingabe wurde nicht gespeichert."
    )
    return await _render(request, datasette, site, status=409, error=error, typed=typed)


def _following(ids: list[str], call_id: str) -> str | None:
    """The call the page shows next: the one after the decided call, else the one before it."""
    if call_id not in ids:
        return ids[0] if ids else None
    rest = [i for i in ids if i != call_id]
    position = ids.index(call_id)
    return rest[position] if position < len(rest) else (rest[-1] if rest else None)


# --- login and start page ----------------------------------------------------------------------


async def login(request: Any, datasette: Any) -> Response:
    site = site_of(datasette)
    if request.method != "POST":
        if site.coordinator(request.actor):
            return Response.redirect(datasette.urls.path(QUEUE_PATH))
        return await _login_page(request, datasette, "", None, 200)
    form = await request.post_vars()
    user = (form.get("username") or "").strip()
    password = form.get("password") or ""
    attempt = await site.checker.attempt(user, password, client_of(request.scope))
    if attempt.wait:
        error = (
            "Zu viele Fehlversuche für diesen Namen oder diesen Rechner. "
            f"Anmelden ist in {math.ceil(attempt.wait / 60)} Minuten wieder möglich."
        )
        return await _login_page(request, datasette, user, error, 429)
    if attempt.ok:  # only the configured coordinators have a hash
        response = Response.redirect(datasette.urls.path(QUEUE_PATH))
        response.set_cookie("ds_actor", datasette.sign({"a": {"id": user}}, "actor"))
        return response
    return await _login_page(request, datasette, user, "Name oder Passwort falsch.", 401)


async def _login_page(request: Any, datasette: Any, user: str, error: str | None, status: int) -> Response:
    context = {"username": user, "error": error, "login_url": datasette.urls.path(LOGIN_PATH)}
    html = await datasette.render_template("review_login.html", context, request=request)
    return Response.html(html, status=status)


async def start(request: Any, datasette: Any) -> Response:
    """The start page leads to the queue (after login) or to the login."""
    site = site_of(datasette)
    target = QUEUE_PATH if site.coordinator(request.actor) else LOGIN_PATH
    return Response.redirect(datasette.urls.path(target))
