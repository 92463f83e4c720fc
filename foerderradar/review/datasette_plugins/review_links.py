"""Datasette plugin for the review web view: accept/reject links in the queue, readable write forms."""

from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

LINKED = {"review_queue", "open_calls"}


@hookimpl
def render_cell(value, column, table, database, datasette):
    if table not in LINKED or column != "id" or not isinstance(value, str):
        return None
    base = datasette.urls.database(database)
    query = urlencode({"call_id": value})
    return Markup(
        f'{escape(value)}<br><a href="{base}/accept_call?{query}">annehmen</a> · '
        f'<a href="{base}/reject_call?{query}">ablehnen</a>'
    )


@hookimpl
def extra_template_vars(template, database, request, datasette):
    """Datasette 0.65 leaves title, description and hide_sql out of a write query's form page: add them."""
    name = (request.url_vars or {}).get("table") if request is not None else None
    if template != "query.html" or not database or not name:
        return None

    async def inner():
        query = await datasette.get_canned_query(database, name, request.actor)
        if not query or not query.get("write"):
            return {}
        return {"metadata": query, "hide_sql": bool(query.get("hide_sql"))}

    return inner
