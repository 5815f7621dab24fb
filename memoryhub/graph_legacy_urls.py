"""The originals' /hobby/graph routes: the seed's five (graph, concepts/{concept}, path?from=&to=, query,
visualize) and the original code's build, stats and search (its path's start_id/end_id work too), on the same
views as /api/v1/graph/."""

from django.urls import path

from memoryhub.api import graph
from memoryhub.pages import GraphPageView

urlpatterns = [
    path("graph", graph.GraphWholeView.as_view(), name="legacy-graph"),
    path("graph/stats", graph.GraphStatsView.as_view(), name="legacy-graph-stats"),
    path("graph/concepts/<path:concept>", graph.ConceptView.as_view(), name="legacy-graph-concept"),
    path("graph/path", graph.PathView.as_view(), name="legacy-graph-path"),
    path("graph/query", graph.GraphQueryView.as_view(), name="legacy-graph-query"),
    path("graph/visualize", graph.VisualizeView.as_view(), name="legacy-graph-visualize"),
    path("graph/search", graph.SearchView.as_view(), name="legacy-graph-search"),
    path("graph/build", graph.BuildView.as_view(), name="legacy-graph-build"),
    path("graph/page", GraphPageView.as_view(), name="graph-page"),  # the explorer, for people
]
