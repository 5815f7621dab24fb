"""The URLconf as a list of route strings, for tests that check every route, and what those tests share: which
routes are public or for browsers, a path to send for a route, and the methods its view answers."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver, resolve

# Routes for people in a browser: they send anonymous visitors to a login page instead of a 401.
BROWSER_PREFIXES = ("admin/", "api/docs/", "feedback/")  # feedback/: the rating forms (tests/learning)
PUBLIC_ROUTES = {"health", "health/ready"}
DUMMY_BY_CONVERTER = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}
# Methods every view answers without being asked to (metadata; HEAD is GET without the body).
IMPLIED_METHODS = {"HEAD", "OPTIONS"}


def all_routes(patterns=None, prefix: str = ""):
    """Every route of the URLconf as one string ("api/v1/machines/<str:name>/ping"), includes unfolded."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def protected_routes() -> list[str]:
    return [r for r in all_routes() if r not in PUBLIC_ROUTES and not r.startswith(BROWSER_PREFIXES)]


def is_browser_route(route: str) -> bool:
    return route.startswith(BROWSER_PREFIXES)


def _regex_sample(group: re.Match) -> str:
    # (?P<app_label>auth|core|...) -> its first choice; anything else (.*) -> a dummy.
    choices = group.group(1)
    return choices.split("|")[0] if re.fullmatch(r"[\w|-]+", choices) else "x"


def fill(route: str) -> str:
    """A path for the route, with a dummy for each parameter ("1" for an int, "x" for a str): no object has it."""
    route = re.sub(r"\(\?P<\w+>([^()]*)\)", _regex_sample, route).replace("^", "").replace("$", "")  # admin's
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY_BY_CONVERTER.get(m.group(1) or "str", "x"), route)


def view_class(route: str):
    """The class-based view behind the route and its as_view() arguments; (None, {}) for a function view."""
    func = resolve(fill(route)).func
    cls = getattr(func, "cls", None) or getattr(func, "view_class", None)  # DRF's APIView, Django's View
    return cls, dict(getattr(func, "initkwargs", None) or getattr(func, "view_initkwargs", None) or {})


def view_methods(route: str) -> set[str] | None:
    """The methods the route's view answers (HEAD and OPTIONS left out), as_view(http_method_names=...) included;
    None for a function view (admin's pages, the rating form), which declares none."""
    cls, initkwargs = view_class(route)
    if cls is None:
        return None
    names = initkwargs.get("http_method_names", cls.http_method_names)
    return {name.upper() for name in names if hasattr(cls, name)} - IMPLIED_METHODS
