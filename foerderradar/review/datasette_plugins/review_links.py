"""Datasette plugin for the tables: calls link to the review page, topics and reasons read as words."""

import json

from datasette import hookimpl
from markupsafe import Markup, escape

from foerderradar.review import page

LINKED = {"review_queue", "open_calls"}


@hookimpl
def render_cell(value, column, table, database, datasette):
    if table not in LINKED or not isinstance(value, str):
        return None
    if column == "id":
        queue = datasette.urls.path(page.QUEUE_PATH)
        return Markup(f'{escape(value)}<br><a href="{queue}">zur Prüfliste</a>')
    if column in ("topics", "why_flagged", "applicants"):
        try:
            items = json.loads(value)
        except ValueError:
            return None
        if not isinstance(items, list):
            return None
        names = page.site_of(datasette).topic_names if column == "topics" else {}
        return Markup("<br>".join(escape(names.get(str(i), str(i))) for i in items))
    return None
