"""Embeddings: stored in the database (the truth), searched through each namespace's index (indexes.py).

Every write bumps the namespace's version in the same transaction, so indexes in any process know when they
are behind. Deletes are tombstones (deleted_at) until compaction removes the rows; a search never returns a
tombstoned row, even one another process deleted a moment ago.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from core.clock import db_in
from core.errors import Invalid, NotFound
from core.heavy import worker_only
from core.leases import Claim, Lease, LeaseLost
from memoryhub import embedder
from memoryhub.models import Embedding, IngestBatch
from memoryhub.services.graph_build import graph_nodes_forget, graph_update_soon
from memoryhub.services.indexes import index_changed, index_for, index_rebuild, index_states, namespace_bump
from memoryhub.services.namespaces import namespace_check, nul_free
from memoryhub.tasks import ingest_batch_task

SEARCH_LIMIT_MAX = 100
INGEST_BATCH_MAX = 1000
INGEST_CHUNK = 100  # committed one by one with the batch's progress: a crash loses at most the chunk in hand
INGEST_LEASE = timedelta(minutes=5)  # a batch whose worker has not moved it for this long is sent again
TOMBSTONE_KEEP = timedelta(hours=1)  # compaction leaves fresh tombstones for a while: other processes catch up


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def legacy_embedding_id(namespace: str, digest: str) -> str:
    return f"{namespace}:{digest[:16]}"


def _clean_items(items: list[dict]) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise Invalid({"items": ["give at least one item to embed"]})
    if len(items) > INGEST_BATCH_MAX:
        raise Invalid({"items": [f"at most {INGEST_BATCH_MAX} items per batch"]})
    cleaned = []
    for index, item in enumerate(items):
        content = item.get("content") if isinstance(item, dict) else None
        if not isinstance(content, str) or not content.strip():
            raise Invalid({"content": [f"item {index}: content must be non-empty text"]})
        metadata = item.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise Invalid({"metadata": [f"item {index}: metadata must be an object"]})
        cleaned.append(
            {
                "content": content,
                "doc_id": str(item.get("doc_id") or ""),
                "category": str(item.get("category") or ""),
                "metadata": metadata,
            }
        )
    nul_free(cleaned, "items")
    return cleaned


def embeddings_vectors(*, namespace: str, items: list[dict]) -> dict:
    """The vectors embeddings_add needs for these items (content hash -> vector; content live in the namespace
    needs none), computed ahead: a caller that stores them inside a transaction of its own passes them in, so no
    lock is held while the model runs (on SQLite, a transaction holds the whole database's write lock)."""
    first_item: dict[str, dict] = {}
    for item in _clean_items(items):
        first_item.setdefault(content_hash(item["content"]), item)
    live_before = set(
        Embedding.objects.filter(
            namespace=namespace, content_hash__in=list(first_item), deleted_at__isnull=True
        ).values_list("content_hash", flat=True)
    )
    missing = [digest for digest in first_item if digest not in live_before]
    return dict(zip(missing, embedder.embed([first_item[digest]["content"] for digest in missing])))


def embeddings_add(*, namespace: str, items: list[dict], vectors: dict | None = None) -> list[tuple[Embedding, bool]]:
    """Embed and store items ({content, doc_id?, category?, metadata?}) in one transaction. Content already
    live in the namespace is not stored twice: its row comes back with created=False; a tombstoned twin is
    revived. One (row, created) per item, in order. `vectors`: from embeddings_vectors, computed ahead."""
    namespace_check(namespace)
    items = _clean_items(items)
    digests = [content_hash(item["content"]) for item in items]
    first_item: dict[str, dict] = {}
    for item, digest in zip(items, digests):
        first_item.setdefault(digest, item)
    # Embedded before the transaction, so locks are not held while the model runs.
    vectors = dict(embeddings_vectors(namespace=namespace, items=items) if vectors is None else vectors)
    with transaction.atomic():
        rows = {
            row.content_hash: row
            for row in Embedding.objects.select_for_update().filter(namespace=namespace, content_hash__in=digests)
        }
        created, revived, fresh = set(), [], []
        for digest, item in first_item.items():
            row = rows.get(digest)
            if row is not None and row.deleted_at is None:
                continue
            if digest not in vectors:  # tombstoned since we looked: embed it now, rarely
                vectors[digest] = embedder.embed([item["content"]])[0]
            values = {**item, "vector": embedder.to_bytes(vectors[digest]), "deleted_at": None}
            if row is not None:
                for field, value in values.items():
                    setattr(row, field, value)
                revived.append(row)
            else:
                fresh.append(
                    Embedding(
                        embedding_id=legacy_embedding_id(namespace, digest),
                        namespace=namespace,
                        content_hash=digest,
                        **values,
                    )
                )
            created.add(digest)
        if revived:
            Embedding.objects.bulk_update(
                revived, ["content", "doc_id", "category", "metadata", "vector", "deleted_at"]
            )
        if fresh:
            # A concurrent writer may have stored the same text first: its row wins, ours is skipped.
            Embedding.objects.bulk_create(fresh, ignore_conflicts=True)
        stored = {
            row.content_hash: row
            for row in Embedding.objects.filter(namespace=namespace, content_hash__in=digests, deleted_at__isnull=True)
        }
        version = namespace_bump(namespace) if created else None
    if version is not None:
        # Once committed (a caller's transaction may still roll back): an index must never hold uncommitted rows.
        added = [stored[d] for d in created if d in stored]
        transaction.on_commit(lambda: index_changed(namespace, version, added=added))
        graph_update_soon()  # new memories and documents join the knowledge graph
    outcome, seen = [], set()
    for digest in digests:
        outcome.append((stored[digest], digest in created and digest not in seen))
        seen.add(digest)
    return outcome


def embedding_get(*, embedding_id: str) -> Embedding:
    nul_free(embedding_id, "id")
    found = Embedding.objects.filter(embedding_id=embedding_id, deleted_at__isnull=True).first()
    if found is None:
        raise NotFound(f"No embedding {embedding_id!r}.")
    return found


def embeddings_tombstone(*, namespace: str, rows) -> int:
    """Tombstone these live rows of the namespace (a queryset), counted as one change. Returns how many."""
    with transaction.atomic():
        keys = list(
            rows.filter(namespace=namespace, deleted_at__isnull=True).select_for_update().values_list("id", flat=True)
        )
        if not keys:
            return 0
        Embedding.objects.filter(pk__in=keys).update(deleted_at=timezone.now())
        graph_nodes_forget(
            [
                f"memory:{embedding_id}"
                for embedding_id in Embedding.objects.filter(pk__in=keys, doc_id="").values_list(
                    "embedding_id", flat=True
                )
            ]
        )
        version = namespace_bump(namespace)
        transaction.on_commit(lambda: index_changed(namespace, version, removed=keys))
    return len(keys)


def embedding_delete(*, embedding_id: str) -> None:
    found = embedding_get(embedding_id=embedding_id)
    embeddings_tombstone(namespace=found.namespace, rows=Embedding.objects.filter(pk=found.pk))


def embeddings_search(
    *,
    query: str,
    namespace: str | None = None,
    limit: int = 10,
    min_similarity: float | None = None,
    vector=None,
) -> list[tuple[Embedding, float]]:
    """The stored texts most similar to the query, best first, at least min_similarity (cosine). `vector`: the
    query's embedding, when the caller has it already."""
    if not isinstance(query, str) or not query.strip():
        raise Invalid({"query": ["the query must be non-empty text"]})
    nul_free(query, "query")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise Invalid({"limit": [f"limit is between 1 and {SEARCH_LIMIT_MAX}"]})
    if min_similarity is not None and not -1.0 <= min_similarity <= 1.0:
        raise Invalid({"min_similarity": ["min_similarity is a cosine similarity, -1 to 1"]})
    namespaces = [namespace_check(namespace)] if namespace else namespaces_with_embeddings()
    vector = embedder.embed([query])[0] if vector is None else vector
    # Twice the limit, as the originals fetched: rows another process deleted a moment ago are dropped below.
    hits: list[tuple[int, float]] = []
    for name in namespaces:
        hits.extend(index_for(name).search(vector, 2 * limit))
    hits.sort(key=lambda hit: -hit[1])
    if min_similarity is not None:
        hits = [hit for hit in hits if hit[1] >= min_similarity]
    rows = Embedding.objects.filter(deleted_at__isnull=True).in_bulk([key for key, _ in hits])
    return [(rows[key], similarity) for key, similarity in hits if key in rows][:limit]


def namespaces_with_embeddings() -> list[str]:
    return list(
        Embedding.objects.filter(deleted_at__isnull=True)
        .values_list("namespace", flat=True)
        .distinct()
        .order_by("namespace")
    )


def embeddings_stats() -> dict:
    live = Embedding.objects.filter(deleted_at__isnull=True)
    per_namespace = {
        row["namespace"]: row["count"]
        for row in live.values("namespace").annotate(count=Count("id")).order_by("namespace")
    }
    return {
        "total_embeddings": sum(per_namespace.values()),
        "namespaces": per_namespace,
        "dimension": embedder.DIMENSIONS,
        "model": "all-MiniLM-L6-v2",
        "tombstones": Embedding.objects.filter(deleted_at__isnull=False).count(),
        "index": index_states(),
    }


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
    batch = IngestBatch.objects.create(namespace=namespace_check(namespace), items=_clean_items(items))
    transaction.on_commit(lambda: _send(batch.pk))
    return batch


def _send(batch_id: int) -> None:
    """A broker that cannot take the message now is not the caller's failure: the batch is stored (acknowledged),
    and the resume beat sends it (the claim makes a second message harmless)."""
    try:
        ingest_batch_task.delay(batch_id=batch_id)
    except Exception:  # kombu and redis raise many kinds; every one means "not sent"
        logging.getLogger(__name__).exception(
            "ingest batch %s could not be sent; the resume beat will send it", batch_id
        )


# A batch is held while it embeds; each chunk commits with the batch's progress, and only while this run holds it.
INGEST_BATCH_LEASE = Lease(
    model=IngestBatch,
    fresh=(IngestBatch.Status.PENDING,),
    held=(IngestBatch.Status.RUNNING,),
    taken=IngestBatch.Status.RUNNING,
    duration=INGEST_LEASE,
)


def _claim(batch_id: int) -> Claim | None:
    """Take the batch's lease if nobody holds it: a redelivered message and a resend never run it at once."""
    return INGEST_BATCH_LEASE.claim(batch_id, progressed_at=timezone.now())


@worker_only
def ingest_batch_run(*, batch_id: int) -> IngestBatch:
    """Embed a stored batch chunk by chunk. Each chunk commits together with the batch's progress, and only while
    this run holds the batch, so a rerun after a crash resumes after the last committed chunk and every figure
    counts each item once."""
    claim = _claim(batch_id)
    if claim is None:
        return IngestBatch.objects.get(pk=batch_id)  # finished, failed, or another worker holds it
    batch = IngestBatch.objects.get(pk=batch_id)
    try:
        for chunk in range(batch.chunks_done, -(-len(batch.items) // INGEST_CHUNK)):
            items = batch.items[chunk * INGEST_CHUNK : (chunk + 1) * INGEST_CHUNK]
            vectors = embeddings_vectors(namespace=batch.namespace, items=items)  # outside: no lock while embedding
            with transaction.atomic():
                outcome = embeddings_add(namespace=batch.namespace, items=items, vectors=vectors)
                added = sum(created for _, created in outcome)
                INGEST_BATCH_LEASE.renew(  # raises LeaseLost (the chunk rolls back) when another run took it
                    claim,
                    chunks_done=F("chunks_done") + 1,
                    added=F("added") + added,
                    duplicates=F("duplicates") + len(items) - added,
                    progressed_at=timezone.now(),
                )
    except LeaseLost:
        return IngestBatch.objects.get(pk=batch_id)
    except Invalid as exc:  # stored items that can no longer be embedded: say why, stop
        INGEST_BATCH_LEASE.finish(claim, IngestBatch.Status.FAILED, error=str(exc), finished_at=timezone.now())
        raise
    INGEST_BATCH_LEASE.finish(claim, IngestBatch.Status.COMPLETED, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def ingest_batches_resume() -> list[int]:
    """Send again the batches whose lease has expired (their worker died, or their message was lost with a
    machine) and those never started. Returns the batch ids sent."""
    stuck = list(
        IngestBatch.objects.filter(
            INGEST_BATCH_LEASE.expired()
            | Q(status=IngestBatch.Status.PENDING, lease_until__isnull=True, created_at__lt=db_in(-INGEST_LEASE))
        ).values_list("id", flat=True)
    )
    for batch_id in stuck:
        ingest_batch_task.delay(batch_id=batch_id)
    return stuck
