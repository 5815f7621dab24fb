"""The memory hub as REST resources under /api/v1/memory/. Sub-agents (role agent) and operators write;
viewers read. The legacy routes (memoryhub.api.legacy) are other paths onto these same views."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import query_int, validated
from core.pagination import CheckedLimitOffsetPagination
from memoryhub.api import responses as out
from memoryhub.api import serializers as s
from memoryhub.models import IngestBatch
from memoryhub.services import context, documents, embeddings, indexes, kv, sessions
from memoryhub.services.namespaces import namespace_check, nul_free


class MemoryView(APIView):
    role_scope = "agent"
    checks_parameters = True  # path and query too: NUL characters, malformed or unknown namespaces are 400s

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL cannot store NUL characters: refused here as 400s, for paths and queries too.
        for name, value in [*kwargs.items(), *request.query_params.items()]:
            nul_free(value, name)
        if request.method in {"POST", "PUT", "PATCH"}:
            nul_free(request.data, "body")


class BoundedPagination(CheckedLimitOffsetPagination):
    """limit 1 to 100 (default 50), offset 0 or more; anything else is a 400, not silently replaced."""

    max_limit = 100


# --- key-value -------------------------------------------------------------------------------------------------
class KeyValueListView(MemoryView):
    @extend_schema(responses={200: out.KeyListSerializer}, tags=["memory"])
    def get(self, request, namespace):
        pattern = request.query_params.get("pattern") or "*"
        limit = query_int(request, "limit", 100, 1, 100)
        keys = kv.kv_list(namespace=namespace, pattern=pattern, limit=limit)
        return Response(
            {"namespace": kv.namespace_resolve(namespace).name, "pattern": pattern, "keys": keys, "count": len(keys)}
        )


class KeyValueSetView(MemoryView):
    """POST /kv (legacy): {key, value, namespace="memory_client", expire?}."""

    @extend_schema(request=s.KeyValueSerializer, responses={201: out.KeyStoredSerializer}, tags=["memory"])
    def post(self, request):
        data = validated(s.KeyValueSerializer, request.data)
        stored = kv.kv_set(
            namespace=data["namespace"], key=data["key"], value=data["value"], expire_seconds=data.get("expire")
        )
        return Response({"success": True, **stored}, status=status.HTTP_201_CREATED)


class KeyValueView(MemoryView):
    @extend_schema(responses={200: out.KeyValueOutSerializer}, tags=["memory"])
    def get(self, request, namespace, key):
        return Response(kv.kv_get(namespace=namespace, key=key))

    @extend_schema(request=s.KeyValuePutSerializer, responses={200: out.KeyStoredSerializer}, tags=["memory"])
    def put(self, request, namespace, key):
        data = validated(s.KeyValuePutSerializer, request.data)
        stored = kv.kv_set(namespace=namespace, key=key, value=data["value"], expire_seconds=data.get("expire"))
        return Response({"success": True, **stored})

    @extend_schema(responses={200: out.KeyDeletedSerializer}, tags=["memory"])
    def delete(self, request, namespace, key):
        deleted = kv.kv_delete(namespace=namespace, key=key)
        return Response({"deleted": deleted, "key": key, "namespace": kv.namespace_resolve(namespace).name})


# --- documents -------------------------------------------------------------------------------------------------
class DocumentListView(MemoryView):
    """GET lists documents (?namespace, ?q for text search), paginated; POST creates or replaces one."""

    @extend_schema(responses={200: out.MemoryDocumentPageSerializer}, tags=["memory"])
    def get(self, request, namespace=None):
        namespace = namespace or request.query_params.get("namespace") or None
        text = request.query_params.get("q")
        found = (
            documents.documents_search(text=text, namespace=namespace)
            if text is not None
            else documents.documents_in(namespace=namespace)
        )
        paginator = BoundedPagination()
        page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response([s.document_shape(d) for d in page])

    @extend_schema(
        request=s.DocumentSerializer,
        responses={
            201: OpenApiResponse(out.MemoryDocumentSerializer, description="Created"),
            200: OpenApiResponse(
                out.MemoryDocumentSerializer, description="Replaced: the namespace held a document with this doc_id"
            ),
        },
        tags=["memory"],
    )
    def post(self, request, namespace=None):
        data = validated(s.DocumentSerializer, request.data)
        if namespace is not None:  # POST /doc/{ns}: the path names the namespace
            if "namespace" in request.data and request.data["namespace"] != namespace:
                raise exceptions.ValidationError(
                    {"namespace": [f"the path says {namespace!r}, the body {request.data['namespace']!r}"]}
                )
            data["namespace"] = namespace
        document, created = documents.document_put(**data)
        return Response(s.document_shape(document), status=201 if created else 200)


class DocumentView(MemoryView):
    @extend_schema(responses={200: out.MemoryDocumentSerializer}, tags=["memory"])
    def get(self, request, namespace, doc_id):
        return Response(s.document_shape(documents.document_get(namespace=namespace, doc_id=doc_id)))

    @extend_schema(
        request=s.DocumentPutSerializer,
        responses={
            200: OpenApiResponse(out.MemoryDocumentSerializer, description="Replaced"),
            201: OpenApiResponse(out.MemoryDocumentSerializer, description="Created: there was no such document"),
        },
        tags=["memory"],
    )
    def put(self, request, namespace, doc_id):
        data = validated(s.DocumentPutSerializer, request.data)
        document, created = documents.document_put(namespace=namespace, doc_id=doc_id, **data)
        return Response(s.document_shape(document), status=201 if created else 200)

    @extend_schema(responses={204: None}, tags=["memory"])
    def delete(self, request, namespace, doc_id):
        documents.document_delete(namespace=namespace, doc_id=doc_id)
        return Response(status=204)


# --- embeddings ------------------------------------------------------------------------------------------------
class EmbeddingCreateView(MemoryView):
    """POST one text to embed: {content, namespace, doc_id?, category?, metadata}."""

    @extend_schema(
        request=s.EmbeddingSerializer,
        responses={
            201: OpenApiResponse(out.MemoryEmbeddingStoredSerializer, description="Embedded and stored"),
            200: OpenApiResponse(
                out.MemoryEmbeddingStoredSerializer,
                description="Already stored: the namespace holds this content (created is false)",
            ),
        },
        tags=["memory"],
    )
    def post(self, request):
        data = validated(s.EmbeddingSerializer, request.data)
        namespace = namespace_check(data.pop("namespace"))
        [(row, created)] = embeddings.embeddings_add(namespace=namespace, items=[data])
        return Response({**s.embedding_shape(row), "created": created}, status=201 if created else 200)


class EmbeddingBulkView(MemoryView):
    """POST up to 1,000 texts: stored at once (202), embedded by a memory worker; GET .../batches/<id> follows."""

    @extend_schema(request=s.EmbeddingBatchSerializer, responses={202: out.IngestBatchOutSerializer}, tags=["memory"])
    def post(self, request):
        data = validated(s.EmbeddingBatchSerializer, request.data)
        batch = embeddings.ingest_batch_create(namespace=namespace_check(data["namespace"]), items=data["items"])
        return Response(s.batch_shape(batch), status=status.HTTP_202_ACCEPTED)


class IngestBatchView(MemoryView):
    @extend_schema(responses={200: out.IngestBatchOutSerializer}, tags=["memory"])
    def get(self, request, batch_id):
        batch = IngestBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise exceptions.NotFound(f"No ingest batch {batch_id}.")
        return Response(s.batch_shape(batch))


class EmbeddingSearchView(MemoryView):
    read_methods = ("POST",)  # a search only reads: viewers may search

    @extend_schema(request=s.SearchSerializer, responses={200: out.EmbeddingSearchResultSerializer}, tags=["memory"])
    def post(self, request):
        data = validated(s.SearchSerializer, request.data)
        namespace = data.get("namespace") or None
        hits = embeddings.embeddings_search(
            query=data["query"], namespace=namespace, limit=data["limit"], min_similarity=data.get("min_similarity")
        )
        results = [s.embedding_shape(row, similarity) for row, similarity in hits]
        return Response({"query": data["query"], "namespace": namespace, "results": results, "count": len(results)})


class EmbeddingStatsView(MemoryView):
    @extend_schema(responses={200: out.EmbeddingStatsSerializer}, tags=["memory"])
    def get(self, request):
        return Response(embeddings.embeddings_stats())


class IndexRebuildView(APIView):
    """Operators: rebuild a namespace's index (or every namespace's) from the database, now."""

    @extend_schema(request=s.IndexRebuildSerializer, responses={200: out.IndexRebuiltSerializer}, tags=["memory"])
    def post(self, request):
        data = validated(s.IndexRebuildSerializer, request.data)
        chosen = (
            [namespace_check(data["namespace"])] if data.get("namespace") else embeddings.namespaces_with_embeddings()
        )
        return Response({"rebuilt": {name: indexes.index_rebuild(namespace=name) for name in chosen}})


class EmbeddingView(MemoryView):
    @extend_schema(responses={200: out.MemoryEmbeddingSerializer}, tags=["memory"])
    def get(self, request, embedding_id):
        return Response(s.embedding_shape(embeddings.embedding_get(embedding_id=embedding_id)))

    @extend_schema(responses={204: None}, tags=["memory"])
    def delete(self, request, embedding_id):
        embeddings.embedding_delete(embedding_id=embedding_id)
        return Response(status=204)


# --- sessions and context --------------------------------------------------------------------------------------
class SessionCreateView(MemoryView):
    @extend_schema(
        request=s.SessionSerializer,
        responses={
            201: OpenApiResponse(out.MemorySessionSerializer, description="Created"),
            200: OpenApiResponse(
                out.MemorySessionSerializer, description="Replaced: the namespace held a session with this session_id"
            ),
        },
        tags=["memory"],
    )
    def post(self, request):
        data = validated(s.SessionSerializer, request.data)
        session, created = sessions.session_put(**data)
        return Response(s.session_shape(session), status=201 if created else 200)


class SessionView(MemoryView):
    @extend_schema(responses={200: out.MemorySessionSerializer}, tags=["memory"])
    def get(self, request, namespace, session_id):
        return Response(s.session_shape(sessions.session_get(namespace=namespace, session_id=session_id)))

    @extend_schema(request=s.SessionUpdateSerializer, responses={200: out.MemorySessionSerializer}, tags=["memory"])
    def patch(self, request, namespace, session_id):
        data = validated(s.SessionUpdateSerializer, request.data)
        return Response(s.session_shape(sessions.session_update(namespace=namespace, session_id=session_id, **data)))

    @extend_schema(responses={204: None}, tags=["memory"])
    def delete(self, request, namespace, session_id):
        sessions.session_delete(namespace=namespace, session_id=session_id)
        return Response(status=204)


class ContextView(MemoryView):
    read_methods = ("POST",)  # it only reads (session entries, a search): viewers may build one too

    @extend_schema(request=s.ContextSerializer, responses={200: out.MemoryContextSerializer}, tags=["memory"])
    def post(self, request):
        data = validated(s.ContextSerializer, request.data)
        return Response(
            context.context_build(
                agent=data["agent"],
                query=data["query"],
                budget_tokens=data["budget_tokens"],
                namespace=data.get("namespace") or None,
                graph=data["graph"],
            )
        )
