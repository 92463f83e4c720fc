"""Datasette plugin for the review page: its routes, the front-door guard, the Basic-auth actor."""

from datasette import hookimpl

from foerderradar.review import guard, page


@hookimpl(tryfirst=True)
def register_routes():
    # tryfirst: these routes come before datasette-auth-passwords' own /-/login and Datasette's index
    return [
        (r"^/$", page.start),
        (r"^/-/login$", page.login),
        (r"^/-/review$", page.queue_page),
        (r"^/-/review/decide$", page.decide),
    ]


@hookimpl
def asgi_wrapper(datasette):
    def guards():
        return page.site_of(datasette).checker

    def wrap(app):
        return guard.wrap(app, guards)

    return wrap


@hookimpl(tryfirst=True)
def actor_from_request(datasette, request):
    return request.scope.get(guard.ACTOR_KEY)


@hookimpl
def menu_links(datasette, actor):
    if page.site_of(datasette).coordinator(actor):
        return [{"href": datasette.urls.path(page.QUEUE_PATH), "label": "Prüfliste"}]
    return None
