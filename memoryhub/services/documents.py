"""Documents: namespaced texts with a title and metadata, searchable by words and, through their embedding,
by meaning. Full-text search is PostgreSQL's when the database is PostgreSQL, a plain word match on SQLite."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import QuerySet

from core.errors import Invalid, NotFound
from memoryhub.models import Document, Embedding
from memoryhub.services.embeddings import content_hash, embeddings_add, embeddings_tombstone
from memoryhub.services.graph_build import graph_nodes_forget
from memoryhub.services.namespaces import namespace_check, nul_free

DOCUMENT_CATEGORY = "document"


def document_put(
    *, namespace: str, doc_id: str, content: str, title: str = "", metadata: dict | None = None
) -> tuple[Document, bool]:
    """Create or replace a document (the originals' INSERT OR REPLACE) and its embedding, in one transaction:
    a failure leaves neither, and two writers of one document end with one content and one embedding.
    Returns (document, created)."""
    namespace_check(namespace)
    if not isinstance(doc_id, str) or not doc_id.strip() or len(doc_id) > 255:
        raise Invalid({"doc_id": ["doc_id is 1 to 255 characters"]})
    if not isinstance(content, str) or not content.strip():
        raise Invalid({"content": ["content must be non-empty text"]})
    if metadata is not None and not isinstance(metadata, dict):
        raise Invalid({"metadata": ["metadata must be an object"]})
    for field, value in (("doc_id", doc_id), ("title", title), ("content", content), ("metadata", metadata)):
        nul_free(value, field)
    digest = content_hash(content)
    with transaction.atomic():
        document, created = Document.objects.select_for_update().update_or_create(
            namespace=namespace,
            doc_id=doc_id,
            defaults={"title": title or "", "content": content, "metadata": metadata or {}, "content_hash": digest},
        )
        _release_embeddings(namespace, doc_id, keep_hash=digest)
        embeddings_add(
            namespace=namespace,
            items=[
                {
                    "content": content,
                    "doc_id": doc_id,
                    "category": DOCUMENT_CATEGORY,
                    "metadata": {"title": title or ""},
                }
            ],
        )
    return document, created


def _release_embeddings(namespace: str, doc_id: str, *, keep_hash: str | None) -> None:
    """The document no longer stands for these embeddings: each goes to another document with the same content
    (content is stored once per namespace), or is tombstoned when none has it."""
    doomed = []
    for row in (
        Embedding.objects.select_for_update()
        .filter(namespace=namespace, doc_id=doc_id, deleted_at__isnull=True)
        .exclude(content_hash=keep_hash)
    ):
        heir = (
            Document.objects.filter(namespace=namespace, content_hash=row.content_hash)
            .exclude(doc_id=doc_id)
            .order_by("doc_id")
            .values_list("doc_id", flat=True)
            .first()
        )
        if heir:
            Embedding.objects.filter(pk=row.pk).update(doc_id=heir)
        else:
            doomed.append(row.pk)
    if doomed:
        embeddings_tombstone(namespace=namespace, rows=Embedding.objects.filter(pk__in=doomed))


def document_get(*, namespace: str, doc_id: str) -> Document:
    namespace_check(namespace)
    nul_free(doc_id, "doc_id")
    found = Document.objects.filter(namespace=namespace, doc_id=doc_id).first()
    if found is None:
        raise NotFound(f"No document {doc_id!r} in namespace {namespace!r}.")
    return found


def document_delete(*, namespace: str, doc_id: str) -> None:
    with transaction.atomic():
        document = document_get(namespace=namespace, doc_id=doc_id)
        document.delete()
        _release_embeddings(namespace, doc_id, keep_hash=None)
        graph_nodes_forget([f"document:{namespace}/{doc_id}"])


def documents_in(*, namespace: str | None = None) -> QuerySet[Document]:
    if namespace:
        namespace_check(namespace)
    documents = Document.objects.all()
    return documents.filter(namespace=namespace) if namespace else documents


def documents_search(*, text: str, namespace: str | None = None) -> QuerySet[Document]:
    """Documents whose title or content contain every word of `text`, best matches first on PostgreSQL."""
    if not isinstance(text, str) or not text.strip():
        raise Invalid({"q": ["the search text must be non-empty"]})
    nul_free(text, "q")
    documents = documents_in(namespace=namespace)
    if connection.vendor == "postgresql":
        vector = SearchVector("title", weight="A") + SearchVector("content", weight="B")
        query = SearchQuery(text, search_type="websearch")
        # Matched with @@ (ts_rank alone gives non-matching rows a tiny positive rank), then ranked.
        return (
            documents.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "doc_id")
        )
    for word in text.split():
        documents = documents.filter(content__icontains=word) | documents.filter(title__icontains=word)
    return documents.order_by("namespace", "doc_id")
