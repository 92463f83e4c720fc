"""Datasette plugin for the review web view: an accept and a reject link beside each queued call."""

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
