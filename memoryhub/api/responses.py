"""What the memory hub's routes answer, for the schema: output serializers describing the originals' shapes
(memoryhub.api.serializers' *_shape functions and the services' dicts). They document; the views never run them."""

from __future__ import annotations

from rest_framework import serializers


# --- key-value -------------------------------------------------------------------------------------------------
class KeyListSerializer(serializers.Serializer):
    namespace = serializers.CharField()
    pattern = serializers.CharField()
    keys = serializers.ListField(child=serializers.CharField(), help_text="Sorted, without the namespace's prefix")
    count = serializers.IntegerField()


class KeyStoredSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    key = serializers.CharField()
    namespace = serializers.CharField()
    stored = serializers.BooleanField()
    expire = serializers.IntegerField(allow_null=True, help_text="Seconds until it expires; null: never")


class KeyValueOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField(allow_null=True, help_text="The stored JSON value; null when the key is absent")
    namespace = serializers.CharField()
    exists = serializers.BooleanField()


class KeyDeletedSerializer(serializers.Serializer):
    deleted = serializers.BooleanField(help_text="Whether there was such a key")
    key = serializers.CharField()
    namespace = serializers.CharField()


# --- documents -------------------------------------------------------------------------------------------------
class MemoryDocumentSerializer(serializers.Serializer):
    namespace = serializers.CharField()
    doc_id = serializers.CharField()
    title = serializers.CharField()
    content = serializers.CharField()
    metadata = serializers.DictField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MemoryDocumentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MemoryDocumentSerializer(many=True)


# --- embeddings ------------------------------------------------------------------------------------------------
class MemoryEmbeddingSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="'{namespace}:{sha256(content)[:16]}'")
    namespace = serializers.CharField()
    content = serializers.CharField()
    doc_id = serializers.CharField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    metadata = serializers.DictField()
    created_at = serializers.DateTimeField()


class MemoryEmbeddingStoredSerializer(MemoryEmbeddingSerializer):
    created = serializers.BooleanField(help_text="false: the namespace held this content already")


class MemoryEmbeddingHitSerializer(MemoryEmbeddingSerializer):
    similarity = serializers.FloatField(help_text="Cosine similarity to the query")


class EmbeddingSearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    namespace = serializers.CharField(allow_null=True, help_text="null: every namespace")
    results = MemoryEmbeddingHitSerializer(many=True)
    count = serializers.IntegerField()


class IngestBatchOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    namespace = serializers.CharField()
    items = serializers.IntegerField(help_text="How many texts it holds")
    status = serializers.CharField(help_text="pending, running, completed or failed")
    added = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    error = serializers.CharField(help_text="Empty unless it failed")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class IndexStateSerializer(serializers.Serializer):
    vectors = serializers.IntegerField()
    kind = serializers.CharField(help_text="hnsw or exact")
    unsaved_changes = serializers.IntegerField()


class EmbeddingStatsSerializer(serializers.Serializer):
    total_embeddings = serializers.IntegerField()
    namespaces = serializers.DictField(child=serializers.IntegerField(), help_text="Live embeddings per namespace")
    dimension = serializers.IntegerField()
    model = serializers.CharField()
    tombstones = serializers.IntegerField(help_text="Deleted, awaiting compaction")
    index = serializers.DictField(child=IndexStateSerializer(), help_text="Per namespace this process holds")


class IndexRebuiltSerializer(serializers.Serializer):
    rebuilt = serializers.DictField(child=serializers.IntegerField(), help_text="Vectors indexed, per namespace")


# --- sessions and context --------------------------------------------------------------------------------------
class MemorySessionSerializer(serializers.Serializer):
    namespace = serializers.CharField()
    session_id = serializers.CharField()
    user_id = serializers.CharField()
    data = serializers.JSONField(help_text="An object through the API (an operator may store other JSON in admin)")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class: no clash with Serializer.data
    expires_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class GraphLinkSerializer(serializers.Serializer):
    via = serializers.CharField(help_text="The concept's node key that linked it")
    # "from" is a Python keyword: declared in the fields below
    from_ = serializers.CharField(help_text='"query" (it names the question\'s entity), or the document key')

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class ContextSourceSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="session, document or memory")
    namespace = serializers.CharField()
    id = serializers.CharField(help_text="The session, document or embedding")
    tokens = serializers.IntegerField()
    entry = serializers.IntegerField(required=False, help_text="session: the entry's position")
    similarity = serializers.FloatField(required=False, help_text="document, memory: similarity to the query")
    graph = GraphLinkSerializer(required=False, help_text='With "graph": true, how the graph brought it')


class MemoryContextSerializer(serializers.Serializer):
    agent = serializers.CharField()
    query = serializers.CharField()
    budget_tokens = serializers.IntegerField()
    graph = serializers.BooleanField(help_text="Whether the knowledge graph expanded the candidates")
    used_tokens = serializers.IntegerField()
    context = serializers.CharField(help_text="The pieces chosen, separated by blank lines")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class: no clash with Field.context
    sources = ContextSourceSerializer(many=True)
