"""Embeddings: stored in the database (the truth), searched through each namespace's index (indexes.py).

Deletes are tombstones (deleted_at) until compaction removes the rows; a search never returns a tombstoned
row, even one another process deleted a moment ago.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from rest_framework import exceptions

from memoryhub import embedder
from memoryhub.models import Embedding, IngestBatch
from memoryhub.services.indexes import index_added, index_for, index_rebuild, index_removed, index_states

SEARCH_LIMIT_MAX = 100
INGEST_BATCH_MAX = 1000
INGEST_CHUNK = 100  # committed one by one: a crash loses at most the chunk in hand, which is redone
INGEST_QUIET = timedelta(minutes=5)  # a batch nobody moved for this long is sent again
TOMBSTONE_KEEP = timedelta(hours=1)  # compaction leaves fresh tombstones for a while: other processes catch up


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def legacy_embedding_id(namespace: str, digest: str) -> str:
    return f"{namespace}:{digest[:16]}"


def _clean_items(items: list[dict]) -> list[dict]:
    if not items:
        raise exceptions.ValidationError({"items": ["give at least one item to embed"]})
    if len(items) > INGEST_BATCH_MAX:
        raise exceptions.ValidationError({"items": [f"at most {INGEST_BATCH_MAX} items per batch"]})
    cleaned = []
    for index, item in enumerate(items):
        content = item.get("content")
        if not isinstance(content, str) or not content.strip():
            raise exceptions.ValidationError({"content": [f"item {index}: content must be non-empty text"]})
        metadata = item.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise exceptions.ValidationError({"metadata": [f"item {index}: metadata must be an object"]})
        cleaned.append({"content": content, "doc_id": str(item.get("doc_id") or ""),
                        "category": str(item.get("category") or ""), "metadata": metadata})
    return cleaned


def embeddings_add(*, namespace: str, items: list[dict]) -> list[tuple[Embedding, bool]]:
    """Embed and store items ({content, doc_id?, category?, metadata?}) in one batch. Content already stored in
    the namespace is not stored twice: its existing row comes back with created=False."""
    items = _clean_items(items)
    digests = [content_hash(item["content"]) for item in items]
    existing = {e.content_hash: e for e in Embedding.objects.filter(namespace=namespace, content_hash__in=digests,
                                                                        deleted_at__isnull=True)}
    fresh: dict[str, dict] = {}
    for item, digest in zip(items, digests):
        if digest not in existing:
            fresh.setdefault(digest, item)
    vectors = embedder.embed([item["content"] for item in fresh.values()])
    rows = [Embedding(embedding_id=legacy_embedding_id(namespace, digest), namespace=namespace, content_hash=digest,
                      vector=embedder.to_bytes(vector), **item)
            for (digest, item), vector in zip(fresh.items(), vectors)]
    with transaction.atomic():
        # A tombstoned twin is revived rather than duplicated: its id stays, its vector is the same text's.
        revived = {e.content_hash: e for e in Embedding.objects.select_for_update().filter(
            namespace=namespace, content_hash__in=list(fresh), deleted_at__isnull=False)}
        for row in rows:
            twin = revived.get(row.content_hash)
            if twin is not None:
                row.pk, row.created_at = twin.pk, twin.created_at
        Embedding.objects.bulk_update([r for r in rows if r.pk], ["content", "doc_id", "category", "metadata",
                                                                    "vector", "deleted_at"])
        # A concurrent writer may store the same text first: its row wins, ours is skipped.
        Embedding.objects.bulk_create([r for r in rows if not r.pk], ignore_conflicts=True)
    # ignore_conflicts leaves primary keys unset on some databases: read back what is now stored.
    stored = {e.content_hash: e for e in Embedding.objects.filter(namespace=namespace, content_hash__in=digests,
                                                                      deleted_at__isnull=True)}
    index_added(namespace, [stored[d] for d in fresh if d in stored])
    outcome, seen = [], set()
    for digest in digests:
        outcome.append((stored[digest], digest in fresh and digest not in seen))
        seen.add(digest)
    return outcome


def embedding_get(*, embedding_id: str) -> Embedding:
    found = Embedding.objects.filter(embedding_id=embedding_id, deleted_at__isnull=True).first()
    if found is None:
        raise exceptions.NotFound(f"No embedding {embedding_id!r}.")
    return found


def embedding_delete(*, embedding_id: str) -> None:
    found = embedding_get(embedding_id=embedding_id)
    Embedding.objects.filter(pk=found.pk).update(deleted_at=timezone.now())
    index_removed(found.namespace, found.pk)


def embeddings_search(*, query: str, namespace: str | None = None, limit: int = 10,
                      min_similarity: float | None = None) -> list[tuple[Embedding, float]]:
    """The stored texts most similar to the query, best first, at least min_similarity (cosine)."""
    if not isinstance(query, str) or not query.strip():
        raise exceptions.ValidationError({"query": ["the query must be non-empty text"]})
    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise exceptions.ValidationError({"limit": [f"limit is between 1 and {SEARCH_LIMIT_MAX}"]})
    if min_similarity is not None and not -1.0 <= min_similarity <= 1.0:
        raise exceptions.ValidationError({"min_similarity": ["min_similarity is a cosine similarity, -1 to 1"]})
    vector = embedder.embed([query])[0]
    namespaces = [namespace] if namespace else namespaces_with_embeddings()
    hits: list[tuple[int, float]] = []
    for name in namespaces:
        hits.extend(index_for(name).search(vector, limit))
    hits = sorted(hits, key=lambda hit: -hit[1])
    if min_similarity is not None:
        hits = [hit for hit in hits if hit[1] >= min_similarity]
    rows = Embedding.objects.in_bulk([key for key, _ in hits[:limit]])
    # A row deleted by another process since the index was read is dropped, not shown.
    return [(rows[key], similarity) for key, similarity in hits[:limit]
            if key in rows and rows[key].deleted_at is None]


def namespaces_with_embeddings() -> list[str]:
    return list(Embedding.objects.filter(deleted_at__isnull=True).values_list("namespace", flat=True)
                .distinct().order_by("namespace"))


def embeddings_stats() -> dict:
    live = Embedding.objects.filter(deleted_at__isnull=True)
    per_namespace = {row["namespace"]: row["count"] for row in
                     live.values("namespace").annotate(count=Count("id")).order_by("namespace")}
    return {"total_embeddings": sum(per_namespace.values()), "namespaces": per_namespace,
            "dimension": embedder.DIMENSIONS, "model": "all-MiniLM-L6-v2",
            "tombstones": Embedding.objects.filter(deleted_at__isnull=False).count(),
            "index": index_states()}


# --- compaction ---------------------------------------------------------------------------------------------
def embeddings_compact(*, older_than: timedelta = TOMBSTONE_KEEP) -> int:
    """Remove tombstoned rows for good, and rebuild the indexes of the namespaces they were in."""
    doomed = Embedding.objects.filter(deleted_at__lt=timezone.now() - older_than)
    namespaces = set(doomed.values_list("namespace", flat=True).distinct())
    removed, _ = doomed.delete()
    for namespace in namespaces:
        index_rebuild(namespace=namespace)
    return removed


# --- bulk loads --------------------------------------------------------------------------------------------------
def ingest_batch_create(*, namespace: str, items: list[dict]) -> IngestBatch:
    """Store a bulk load (acknowledged once this returns) and hand it to the memory worker after commit."""
    batch = IngestBatch.objects.create(namespace=namespace, items=_clean_items(items))
    from memoryhub.tasks import ingest_batch_task

    transaction.on_commit(lambda: ingest_batch_task.delay(batch_id=batch.pk))
    return batch


def ingest_batch_run(*, batch_id: int) -> IngestBatch:
    """Embed a stored batch, chunk by chunk, each chunk committed. Safe to run again (a redelivered or resent
    batch after a crash): what was stored is found again by its content hash, not stored twice."""
    batch = IngestBatch.objects.get(pk=batch_id)
    if batch.status == IngestBatch.Status.COMPLETED:
        return batch
    IngestBatch.objects.filter(pk=batch_id).update(status=IngestBatch.Status.RUNNING, progressed_at=timezone.now())
    for start in range(0, len(batch.items), INGEST_CHUNK):
        embeddings_add(namespace=batch.namespace, items=batch.items[start:start + INGEST_CHUNK])
        IngestBatch.objects.filter(pk=batch_id).update(progressed_at=timezone.now())
    # Counted over the whole batch, so a rerun reports the same totals as a first run would have.
    stored = Embedding.objects.filter(namespace=batch.namespace, deleted_at__isnull=True, content_hash__in={
        content_hash(item["content"]) for item in batch.items}).count()
    IngestBatch.objects.filter(pk=batch_id).update(status=IngestBatch.Status.COMPLETED, added=stored,
                                                   duplicates=len(batch.items) - stored, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def ingest_batches_resume(*, quiet_for: timedelta = INGEST_QUIET) -> list[int]:
    """Send again the batches no worker has moved for a while: their worker died, or their message was lost
    with a machine. Running one twice is harmless. Returns the batch ids sent."""
    from memoryhub.tasks import ingest_batch_task

    cutoff = timezone.now() - quiet_for
    stuck = list(IngestBatch.objects.filter(status__in=[IngestBatch.Status.PENDING, IngestBatch.Status.RUNNING])
                 .filter(Q(progressed_at__lt=cutoff) | Q(progressed_at__isnull=True, created_at__lt=cutoff))
                 .values_list("id", flat=True))
    for batch_id in stuck:
        IngestBatch.objects.filter(pk=batch_id).update(progressed_at=timezone.now())
        ingest_batch_task.delay(batch_id=batch_id)
    return stuck
