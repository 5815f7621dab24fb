"""Input checks and output shapes of the memory hub, shared by /api/v1/memory and the legacy routes.

Output shapes are the originals' (MemoryHub, part 2a.8 of the reference): the legacy routes promise them,
and the v1 resources use the same ones so that one client can read both.
"""

from __future__ import annotations

from rest_framework import serializers

from core.errors import StrictSerializer
from memoryhub.services.embeddings import SEARCH_LIMIT_MAX
from memoryhub.services.kv import MAX_EXPIRE_SECONDS


def document_shape(document) -> dict:
    return {
        "namespace": document.namespace,
        "doc_id": document.doc_id,
        "title": document.title,
        "content": document.content,
        "metadata": document.metadata,
        "created_at": document.created_at.isoformat(),
        "updated_at": document.updated_at.isoformat(),
    }


def embedding_shape(embedding, similarity: float | None = None) -> dict:
    shape = {
        "id": embedding.embedding_id,
        "namespace": embedding.namespace,
        "content": embedding.content,
        "doc_id": embedding.doc_id or None,
        "category": embedding.category or None,
        "metadata": embedding.metadata,
        "created_at": embedding.created_at.isoformat(),
    }
    if similarity is not None:
        shape["similarity"] = round(float(similarity), 6)
    return shape


def session_shape(session) -> dict:
    return {
        "namespace": session.namespace,
        "session_id": session.session_id,
        "user_id": session.user_id,
        "data": session.data,
        "expires_at": session.expires_at.isoformat(),
        "created_at": session.created_at.isoformat(),
        "updated_at": session.updated_at.isoformat(),
    }


def batch_shape(batch) -> dict:
    return {
        "id": batch.pk,
        "namespace": batch.namespace,
        "items": len(batch.items),
        "status": batch.status,
        "added": batch.added,
        "duplicates": batch.duplicates,
        "error": batch.error,
        "created_at": batch.created_at.isoformat(),
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
    }


class KeyValueSerializer(StrictSerializer):
    key = serializers.CharField(max_length=512)
    value = serializers.JSONField(allow_null=True, help_text="any JSON value, null included")
    namespace = serializers.CharField(default="memory_client")
    expire = serializers.IntegerField(
        min_value=1,
        max_value=MAX_EXPIRE_SECONDS,
        required=False,
        allow_null=True,
        help_text="seconds until the key expires",
    )


class KeyValuePutSerializer(StrictSerializer):
    value = serializers.JSONField(allow_null=True, help_text="any JSON value, null included")
    expire = serializers.IntegerField(min_value=1, max_value=MAX_EXPIRE_SECONDS, required=False, allow_null=True)


class DocumentSerializer(StrictSerializer):
    doc_id = serializers.CharField(max_length=255)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    content = serializers.CharField(trim_whitespace=False)
    namespace = serializers.CharField(default="knowledge_base")
    metadata = serializers.DictField(required=False, default=dict)


class DocumentPutSerializer(StrictSerializer):
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    content = serializers.CharField(trim_whitespace=False)
    metadata = serializers.DictField(required=False, default=dict)


class EmbeddingItemSerializer(StrictSerializer):
    content = serializers.CharField(trim_whitespace=False)
    doc_id = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=255)
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    metadata = serializers.DictField(required=False, default=dict)


class EmbeddingSerializer(EmbeddingItemSerializer):
    namespace = serializers.CharField(default="unified_memory_reasoning")


class EmbeddingBatchSerializer(StrictSerializer):
    namespace = serializers.CharField(default="unified_memory_reasoning")
    items = EmbeddingItemSerializer(many=True, allow_empty=False)


class SearchSerializer(StrictSerializer):
    query = serializers.CharField(trim_whitespace=False)
    namespace = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    limit = serializers.IntegerField(min_value=1, max_value=SEARCH_LIMIT_MAX, default=10)
    min_similarity = serializers.FloatField(min_value=-1, max_value=1, required=False, allow_null=True)


class SessionSerializer(StrictSerializer):
    session_id = serializers.CharField(max_length=255)
    user_id = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class: no clash with Serializer.data
    namespace = serializers.CharField(default="session_memory")
    expires_hours = serializers.FloatField(required=False, default=24)


class SessionUpdateSerializer(StrictSerializer):
    data = serializers.DictField(required=False)  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class: no clash with Serializer.data
    expires_hours = serializers.FloatField(required=False)


class ContextSerializer(StrictSerializer):
    agent = serializers.CharField(max_length=255)
    query = serializers.CharField(trim_whitespace=False)
    budget_tokens = serializers.IntegerField(required=False, default=512)
    namespace = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    graph = serializers.BooleanField(
        required=False, default=False, help_text="Add documents linked to the best matches through shared concepts"
    )


class IndexRebuildSerializer(StrictSerializer):
    namespace = serializers.CharField(required=False, allow_blank=True, help_text="default: every namespace")
