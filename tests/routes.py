"""The URLconf as a list of route strings, for tests that check every route."""

from django.urls import URLPattern, URLResolver, get_resolver


def all_routes(patterns=None, prefix: str = ""):
    """Every route of the URLconf as one string ("api/v1/machines/<str:name>/ping"), includes unfolded."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)
