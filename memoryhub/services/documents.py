"""Documents: namespaced texts with a title and metadata, searchable by words and, through their embedding,
by meaning. Full-text search is PostgreSQL's when the database is PostgreSQL, a plain word match on SQLite."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import exceptions

from memoryhub.models import Document, Embedding, namespace_validator
from memoryhub.services.embeddings import content_hash, embeddings_add

DOCUMENT_CATEGORY = "document"


def namespace_check(namespace: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        namespace_validator(namespace)
    except ValidationError as exc:
        raise exceptions.ValidationError({"namespace": exc.messages}) from None
    return namespace


def document_put(*, namespace: str, doc_id: str, content: str, title: str = "",
                 metadata: dict | None = None) -> tuple[Document, bool]:
    """Create or replace a document (the originals' INSERT OR REPLACE), and embed its content. Returns
    (document, created)."""
    namespace_check(namespace)
    if not isinstance(doc_id, str) or not doc_id.strip() or len(doc_id) > 255:
        raise exceptions.ValidationError({"doc_id": ["doc_id is 1 to 255 characters"]})
    if not isinstance(content, str) or not content.strip():
        raise exceptions.ValidationError({"content": ["content must be non-empty text"]})
    if metadata is not None and not isinstance(metadata, dict):
        raise exceptions.ValidationError({"metadata": ["metadata must be an object"]})
    digest = content_hash(content)
    with transaction.atomic():
        document, created = Document.objects.select_for_update().update_or_create(
            namespace=namespace, doc_id=doc_id,
            defaults={"title": title or "", "content": content, "metadata": metadata or {}, "content_hash": digest})
        # The previous content's embedding no longer stands for this document.
        Embedding.objects.filter(namespace=namespace, doc_id=doc_id, deleted_at__isnull=True).exclude(
            content_hash=digest).update(deleted_at=timezone.now())
    embeddings_add(namespace=namespace, items=[{"content": content, "doc_id": doc_id, "category": DOCUMENT_CATEGORY,
                                                "metadata": {"title": title or ""}}])
    return document, created


def document_get(*, namespace: str, doc_id: str) -> Document:
    found = Document.objects.filter(namespace=namespace, doc_id=doc_id).first()
    if found is None:
        raise exceptions.NotFound(f"No document {doc_id!r} in namespace {namespace!r}.")
    return found


def document_delete(*, namespace: str, doc_id: str) -> None:
    document = document_get(namespace=namespace, doc_id=doc_id)
    with transaction.atomic():
        Embedding.objects.filter(namespace=namespace, doc_id=doc_id, deleted_at__isnull=True).update(
            deleted_at=timezone.now())
        document.delete()


def documents_in(*, namespace: str | None = None) -> QuerySet[Document]:
    documents = Document.objects.all()
    return documents.filter(namespace=namespace) if namespace else documents


def documents_search(*, text: str, namespace: str | None = None) -> QuerySet[Document]:
    """Documents whose title or content contain every word of `text`, best matches first on PostgreSQL."""
    if not isinstance(text, str) or not text.strip():
        raise exceptions.ValidationError({"q": ["the search text must be non-empty"]})
    documents = documents_in(namespace=namespace)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A") + SearchVector("content", weight="B")
        query = SearchQuery(text, search_type="websearch")
        # Matched with @@ (ts_rank alone gives non-matching rows a tiny positive rank), then ranked.
        return (documents.annotate(search=vector, rank=SearchRank(vector, query)).filter(search=query)
                .order_by("-rank", "doc_id"))
    for word in text.split():
        documents = documents.filter(content__icontains=word) | documents.filter(title__icontains=word)
    return documents.order_by("namespace", "doc_id")
