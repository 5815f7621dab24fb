"""The knowledge graph as REST resources: /api/v1/graph/ and the originals' /hobby/graph routes, one set of views.
Viewers read (the query is a POST that only reads); operators also rebuild, recompute communities, resync."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Invalid, query_int, validated
from memoryhub.api import graph_responses as out
from memoryhub.graph.engine import MAX_HOPS
from memoryhub.services import graph_communities, graph_queries
from memoryhub.services.graph_build import graph_update_soon


class GraphView(APIView):
    role_scope = "general"
    checks_parameters = True


def _flag(request, name: str) -> bool:
    raw = request.query_params.get(name, "0").lower()
    if raw not in {"0", "1", "true", "false", "yes", "no"}:
        raise Invalid({name: [f"{name} is true or false"]})
    return raw in {"1", "true", "yes"}


KIND = OpenApiParameter("kind", str, description="only nodes of this kind (concept, skill, document, ...)")


class GraphWholeView(GraphView):
    @extend_schema(
        parameters=[KIND, OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: out.GraphWholeSerializer},
        tags=["graph"],
    )
    def get(self, request):
        """The graph: its figures and a page of nodes (most mentioned first) with the edges between them."""
        view = graph_queries.graph_view(
            limit=query_int(request, "limit", 500, 1, graph_queries.VIEW_LIMIT_MAX),
            offset=query_int(request, "offset", 0, 0),
            kind=request.query_params.get("kind") or None,
        )
        return Response({"stats": graph_queries.graph_engine().stats(), **view})


class GraphStatsView(GraphView):
    @extend_schema(responses={200: out.GraphStatsSerializer}, tags=["graph"])
    def get(self, request):
        return Response(graph_queries.graph_engine().stats())


class ConceptView(GraphView):
    @extend_schema(
        parameters=[OpenApiParameter("limit", int)], responses={200: out.ConceptDetailSerializer}, tags=["graph"]
    )
    def get(self, request, concept):
        """A concept (or any node: a key, a name in any surface form) with its neighbours by relation, the
        evidence they rest on, its insights and its closed (historical) facts. Unknown: 404."""
        return Response(graph_queries.concept_detail(concept=concept, limit=query_int(request, "limit", 50, 1, 200)))


class PathView(GraphView):
    finds_by_query = True  # an unknown concept in from or to is a 404

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True),
            OpenApiParameter("to", str, required=True),
            OpenApiParameter("weighted", bool),
            OpenApiParameter("max_hops", int),
        ],
        responses={200: out.GraphPathSerializer},
        tags=["graph"],
    )
    def get(self, request):
        """A learning path between two concepts: fewest hops, or least cost (1/weight) with weighted=1.
        Unconnected: 200 with found false. Unknown concept: 404."""
        source = request.query_params.get("from") or request.query_params.get("start_id")
        target = request.query_params.get("to") or request.query_params.get("end_id")
        missing = {name: [f"name the path's {name} concept"] for name, value in (("from", source), ("to", target))}
        missing = {name: why for name, why in missing.items() if not (source if name == "from" else target)}
        if missing:
            raise Invalid(missing)
        return Response(
            graph_queries.path_find(
                source=source,
                target=target,
                weighted=_flag(request, "weighted"),
                max_hops=query_int(request, "max_hops", MAX_HOPS, 1, MAX_HOPS),
            )
        )


class QuerySerializer(serializers.Serializer):
    query = serializers.JSONField(required=False, help_text="The SQL engine's JSON query: {match, traverse, where}")
    cypher = serializers.CharField(required=False, trim_whitespace=False, help_text="openCypher (Neo4j engine)")
    row_limit = serializers.IntegerField(required=False, help_text="1 to 1000 (default 100)")
    time_limit_ms = serializers.IntegerField(required=False, help_text="1 to 10000 (default 2000)")

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError({key: ["unknown field"] for key in sorted(unknown)})
        return attrs


class GraphQueryView(GraphView):
    read_methods = ("POST",)  # it only reads: viewers may query too

    @extend_schema(request=QuerySerializer, responses={200: out.GraphQueryResultSerializer}, tags=["graph"])
    def post(self, request):
        """A read-only query within row and time limits. A write, or a limit out of range, is a 400 naming it."""
        data = validated(QuerySerializer, request.data)
        return Response(
            graph_queries.graph_query(
                query=data.get("query"),
                cypher=data.get("cypher"),
                row_limit=data.get("row_limit"),
                time_limit_ms=data.get("time_limit_ms"),
            )
        )


class VisualizeView(GraphView):
    @extend_schema(
        parameters=[KIND, OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: out.GraphViewSerializer},
        tags=["graph"],
    )
    def get(self, request):
        """What the explorer draws: nodes (key, label, kind, community, size) and the edges between them."""
        return Response(
            graph_queries.graph_view(
                limit=query_int(request, "limit", 2000, 1, graph_queries.VIEW_LIMIT_MAX),
                offset=query_int(request, "offset", 0, 0),
                kind=request.query_params.get("kind") or None,
            )
        )


class SearchView(GraphView):
    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True), KIND, OpenApiParameter("limit", int)],
        responses={200: out.GraphSearchSerializer},
        tags=["graph"],
    )
    def get(self, request):
        text = request.query_params.get("q") or request.query_params.get("query") or ""
        nodes = graph_queries.nodes_search(
            text=text,
            kind=request.query_params.get("kind") or request.query_params.get("node_type") or None,
            limit=query_int(request, "limit", 20, 1, graph_queries.SEARCH_LIMIT_MAX),
        )
        return Response({"nodes": nodes, "count": len(nodes)})


class SimilarView(GraphView):
    finds_by_query = True

    @extend_schema(
        parameters=[OpenApiParameter("concept", str, required=True), OpenApiParameter("limit", int)],
        responses={200: out.GraphSimilarSerializer},
        tags=["graph"],
    )
    def get(self, request):
        concept = request.query_params.get("concept")
        if not concept:
            raise Invalid({"concept": ["name the concept"]})
        similar = graph_queries.similar_concepts(concept=concept, limit=query_int(request, "limit", 10, 1, 50))
        return Response({"concept": concept, "similar": similar})


class CommunitiesView(GraphView):
    @extend_schema(responses={200: out.CommunityListSerializer}, tags=["graph"])
    def get(self, request):
        return Response({"communities": graph_communities.communities_list()})

    @extend_schema(request=None, responses={200: out.CommunitiesComputedSerializer}, tags=["graph"])
    def post(self, request):
        """Operators: compute the communities now (Leiden), rather than at the next hourly run."""
        return Response(graph_communities.communities_compute())


class BuildView(GraphView):
    @extend_schema(request=None, responses={202: out.GraphBuildSerializer}, tags=["graph"])
    def post(self, request):
        """Operators: have the memory worker catch the graph up with every source now."""
        graph_update_soon()
        return Response({"status": "queued", "message": "the memory worker folds in what is new"}, status=202)
