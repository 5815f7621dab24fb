"""/api/v1/graph/: the knowledge graph (memoryhub.graph_legacy_urls puts the same views at /hobby/graph)."""

from django.urls import path

from memoryhub.api import graph

app_name = "graph"

urlpatterns = [
    path("", graph.GraphWholeView.as_view(), name="graph"),
    path("stats", graph.GraphStatsView.as_view(), name="stats"),
    path("concepts/<path:concept>", graph.ConceptView.as_view(), name="concept"),
    path("path", graph.PathView.as_view(), name="path"),
    path("query", graph.GraphQueryView.as_view(), name="query"),
    path("visualize", graph.VisualizeView.as_view(), name="visualize"),
    path("search", graph.SearchView.as_view(), name="search"),
    path("similar", graph.SimilarView.as_view(), name="similar"),
    path("communities", graph.CommunitiesView.as_view(), name="communities"),
    path("build", graph.BuildView.as_view(), name="build"),
]
