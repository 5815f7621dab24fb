"""Pages for people in a browser, drawn from the memory hub's JSON API: the knowledge-graph explorer.

The page is a shell; its script (memoryhub/static/memoryhub/graph_explorer.js, built from memoryhub/frontend)
reads /api/v1/graph/ with the admin session. Operators and viewers may open it (the default role scope).
"""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import get_script_prefix
from drf_spectacular.utils import extend_schema

from core.api.pages import PageView

GRAPH_API = "api/v1/graph/"  # under the script prefix; the page's script adds visualize, search, concepts/, path
LOAD_LIMIT = 10_000  # nodes the page asks for first: the heaviest, when the graph is bigger
LAYOUT_MS = 4000  # ForceAtlas2 runs in a web worker at most this long after loading...
LAYOUT_ITERATIONS = 300  # ...and at most this many iterations, so that a big graph never keeps the page busy


class GraphPageView(PageView):
    """The knowledge-graph explorer: search, filter by kind, expand neighbours, paths and evidence, in WebGL.

    An API view, so that it checks roles like every other route; a browser that is not logged in is sent to the
    admin login, any other client gets the usual JSON 401.
    """

    @extend_schema(exclude=True)
    def get(self, request):
        context = {
            **admin.site.each_context(request),
            "title": "Knowledge graph",
            "api_base": get_script_prefix() + GRAPH_API,
            "load_limit": LOAD_LIMIT,
            "layout_ms": LAYOUT_MS,
            "layout_iterations": LAYOUT_ITERATIONS,
        }
        return TemplateResponse(request, "memoryhub/graph_page.html", context)
