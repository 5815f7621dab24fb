"""What the knowledge graph's routes answer, documented field by field (the schema describes every body)."""

from __future__ import annotations

from rest_framework import serializers


class _KeywordNames(serializers.Serializer):
    """Fields whose JSON names are Python keywords ("from") are declared with a trailing underscore."""

    def get_fields(self):
        return {name.rstrip("_"): field for name, field in super().get_fields().items()}


class GraphNodeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"<kind>:<name>": concept:acme, skill:addition-2-digit, document:kb/d1')
    kind = serializers.CharField()
    name = serializers.CharField(help_text="The normalised name (concepts), or the row's id")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, taken off the class by DRF's metaclass
    aliases = serializers.ListField(child=serializers.CharField())
    properties = serializers.DictField()
    mentions = serializers.IntegerField(help_text="Documents, memories and insights naming it")
    community = serializers.IntegerField(allow_null=True)
    community_label = serializers.CharField(allow_blank=True)


class GraphEdgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField(help_text="A node key")  # type: ignore[assignment]  # a declared field, taken off the class by DRF's metaclass
    target = serializers.CharField(help_text="A node key")
    relation = serializers.CharField()
    weight = serializers.FloatField()
    evidence = serializers.ListField(child=serializers.CharField(), help_text='The ids it rests on: "insight:12"')
    valid_from = serializers.DateTimeField()
    valid_to = serializers.DateTimeField(allow_null=True, help_text="Null while the fact holds")


class GraphNeighbourSerializer(serializers.Serializer):
    node = GraphNodeSerializer()
    edge = GraphEdgeSerializer()
    direction = serializers.ChoiceField(choices=["out", "in"])


class GraphStatsSerializer(serializers.Serializer):
    nodes = serializers.IntegerField()
    edges = serializers.IntegerField(help_text="Current edges")
    node_kinds = serializers.DictField(child=serializers.IntegerField())
    relations = serializers.DictField(child=serializers.IntegerField())
    average_degree = serializers.FloatField()


class VisualNodeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, taken off the class by DRF's metaclass
    kind = serializers.CharField()
    community = serializers.IntegerField(allow_null=True)
    community_label = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField()
    x = serializers.FloatField(allow_null=True)
    y = serializers.FloatField(allow_null=True)


class VisualEdgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, taken off the class by DRF's metaclass
    target = serializers.CharField()
    relation = serializers.CharField()
    weight = serializers.FloatField()


class GraphViewSerializer(serializers.Serializer):
    nodes = VisualNodeSerializer(many=True)
    edges = VisualEdgeSerializer(many=True)
    truncated = serializers.BooleanField()
    total_nodes = serializers.IntegerField()


class GraphWholeSerializer(GraphViewSerializer):
    stats = GraphStatsSerializer()


class ConceptDetailSerializer(serializers.Serializer):
    node = GraphNodeSerializer()
    neighbours = GraphNeighbourSerializer(many=True)
    by_relation = serializers.DictField(child=serializers.IntegerField())
    evidence = serializers.ListField(child=serializers.CharField())
    insights = GraphNodeSerializer(many=True)
    history = GraphEdgeSerializer(many=True, help_text="Closed facts, newest first")


class GraphPathSerializer(_KeywordNames):
    from_ = serializers.CharField()
    to = serializers.CharField()
    weighted = serializers.BooleanField()
    found = serializers.BooleanField()
    message = serializers.CharField(required=False, help_text="When none was found: why")
    length = serializers.IntegerField(required=False, help_text="Hops")
    cost = serializers.FloatField(required=False, help_text="Sum of 1/weight over the path's edges")
    path = serializers.ListField(child=serializers.CharField(), required=False)
    nodes = GraphNodeSerializer(many=True, required=False)
    edges = GraphEdgeSerializer(many=True, required=False)


class GraphQueryResultSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    truncated = serializers.BooleanField(help_text="More rows matched than row_limit")
    engine = serializers.CharField()
    row_limit = serializers.IntegerField()
    time_limit_ms = serializers.IntegerField()


class GraphSearchSerializer(serializers.Serializer):
    nodes = GraphNodeSerializer(many=True)
    count = serializers.IntegerField()


class SimilarConceptSerializer(serializers.Serializer):
    node = GraphNodeSerializer()
    embedding = serializers.FloatField(required=False, help_text="Cosine of the MiniLM vectors")
    shared_neighbours = serializers.FloatField(required=False, help_text="Jaccard of the neighbour sets")


class GraphSimilarSerializer(serializers.Serializer):
    concept = serializers.CharField()
    similar = SimilarConceptSerializer(many=True)


class CommunitySerializer(serializers.Serializer):
    community = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, taken off the class by DRF's metaclass
    size = serializers.IntegerField()


class CommunityListSerializer(serializers.Serializer):
    communities = CommunitySerializer(many=True)


class CommunitiesComputedSerializer(serializers.Serializer):
    communities = serializers.IntegerField()
    nodes = serializers.IntegerField()
    modularity = serializers.FloatField(allow_null=True)


class GraphBuildSerializer(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField()
