"""The knowledge graph, built incrementally from what the product knows.

Each source reads its rows after a cursor (GraphCursor) and turns each into facts: nodes and edges. The memory
hub's own sources are here (documents and memories, with the concepts they mention); hobbies registers its own
(skills, suites, hobby types, sub-agents, activities, insights, failure kinds, levels) from its AppConfig.ready,
since this app sits below it. A batch's facts and the cursor's advance commit together, and writing a fact twice
changes nothing, so a redelivered or repeated update is harmless.

Writes elsewhere call graph_update_soon() after their commit: one graph_update_task on the memory queue
catches up with every source (a Redis key keeps a burst of commits to one task)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from core.redis_clients import client_for
from memoryhub import embedder
from memoryhub.graph.concepts import mentions
from memoryhub.models import Document, Embedding, GraphCursor, GraphEdge, GraphNode
from memoryhub.services.graph_store import edges_upsert, nodes_upsert

log = logging.getLogger(__name__)
BATCH = 500
VECTOR_BATCH = 256
PENDING_KEY = "autodidact:graph:update-pending"
PENDING_SECONDS = 30


@dataclass
class Facts:
    """What one source row says. `replaces`: node keys whose current edges of the listed relations are exactly
    these facts' edges (a document read again drops the concepts it no longer mentions)."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    replaces: dict[str, set[str]] = field(default_factory=dict)


# read(position, limit) -> (facts of the rows after position, the new position); no rows: same position
Reader = Callable[[int, int], tuple[list[Facts], int]]
_SOURCES: dict[str, Reader] = {}


def graph_source_register(name: str, read: Reader) -> None:
    _SOURCES[name] = read


def concept_node(name: str, surface: str, *, entity: bool) -> dict:
    return {
        "key": f"concept:{name}",
        "kind": "concept",
        "name": name,
        "label": surface,
        "aliases": [surface],
        "properties": {"entity": True} if entity else {},
    }


def mention_facts(facts: Facts, node_key: str, text: str, evidence: str) -> None:
    """node -mentions-> every concept the text names (entities weigh 1, keyphrases their relevance)."""
    for mention in mentions(text):
        concept = concept_node(mention.name, mention.surface, entity=mention.entity)
        facts.nodes.append(concept)
        facts.edges.append(
            {
                "source": node_key,
                "target": concept["key"],
                "relation": "mentions",
                "weight": mention.score,
                "evidence": [evidence],
                "fact": True,
            }
        )
    facts.replaces.setdefault(node_key, set()).add("mentions")


# --- the memory hub's own sources -----------------------------------------------------------------------------


def _micros(moment) -> int:
    return int(moment.timestamp() * 1_000_000)


def changed_since(rows, field: str, position: int, limit: int) -> tuple[list, int]:
    """Rows changed at or after the cursor (a position in microseconds of `field`), oldest first, and the new
    position. Rows at the cursor's very instant are read again (folding a fact twice changes nothing): so an
    update landing in the same microsecond as the last read is never skipped."""
    since = datetime.fromtimestamp(position / 1_000_000, tz=UTC)
    found = list(rows.filter(**{f"{field}__gte": since}).order_by(field, "pk")[:limit])
    if not found:
        return [], position
    new_position = _micros(getattr(found[-1], field))
    if new_position == position:
        if len(found) < limit:
            return [], position  # only what was read last time: caught up
        new_position += 1  # a full batch at one instant: step past it rather than loop on it
    return found, new_position


def read_documents(position: int, limit: int) -> tuple[list[Facts], int]:
    """Documents changed since the cursor: a document read again has its concepts replaced."""
    rows, new_position = changed_since(Document.objects.all(), "updated_at", position, limit)
    out = []
    for document in rows:
        key = f"document:{document.namespace}/{document.doc_id}"
        facts = Facts(
            nodes=[
                {
                    "key": key,
                    "kind": "document",
                    "name": f"{document.namespace}/{document.doc_id}",
                    "label": document.title or document.doc_id,
                    "properties": {"namespace": document.namespace, "doc_id": document.doc_id},
                }
            ]
        )
        text = f"{document.title}. {document.content}" if document.title else document.content
        mention_facts(facts, key, text, key)
        out.append(facts)
    return out, new_position


def read_memories(position: int, limit: int) -> tuple[list[Facts], int]:
    """Memories: embedded texts that are no document's (agents' notes, what hobbies kept)."""
    rows = list(Embedding.objects.filter(pk__gt=position, doc_id="", deleted_at__isnull=True).order_by("pk")[:limit])
    out = []
    for row in rows:
        key = f"memory:{row.embedding_id}"
        facts = Facts(
            nodes=[
                {
                    "key": key,
                    "kind": "memory",
                    "name": row.embedding_id,
                    "label": row.content[:80],
                    "properties": {"namespace": row.namespace},
                }
            ]
        )
        mention_facts(facts, key, row.content, key)
        out.append(facts)
    return out, (rows[-1].pk if rows else position)


graph_source_register("documents", read_documents)
graph_source_register("memories", read_memories)


# --- folding facts in -----------------------------------------------------------------------------------------


def facts_apply(batch: list[Facts]) -> int:
    """Write one batch of facts: nodes, edges, the replaced edges closed, concepts' mention counts."""
    ids = nodes_upsert([node for facts in batch for node in facts.nodes])
    edges = [edge for facts in batch for edge in facts.edges]
    written = edges_upsert(edges, ids)
    now = timezone.now()
    touched = {ids[edge["target"]] for edge in edges if edge["relation"] == "mentions"}
    for facts in batch:
        for key, relations in facts.replaces.items():
            keep = {ids[edge["target"]] for edge in facts.edges if edge["source"] == key}
            dropped = GraphEdge.objects.filter(
                source_id=ids[key], relation__in=relations, valid_to__isnull=True
            ).exclude(target_id__in=keep)
            touched.update(dropped.values_list("target_id", flat=True))
            dropped.update(valid_to=now, updated_at=now)  # updated_at: what the Neo4j sync reads
    mentions_count(touched)
    return written


def mentions_count(node_ids) -> None:
    """A concept's `mentions`: the current mentions edges into it, counted (never incremented: idempotent)."""
    counts = dict(
        GraphEdge.objects.filter(target_id__in=node_ids, relation="mentions", valid_to__isnull=True)
        .values_list("target_id")
        .annotate(n=Count("id"))
    )
    now = timezone.now()
    changed = []
    for node in GraphNode.objects.filter(pk__in=node_ids).only("pk", "mentions"):
        if node.mentions != counts.get(node.pk, 0):
            node.mentions, node.updated_at = counts.get(node.pk, 0), now  # updated_at: what the Neo4j sync reads
            changed.append(node)
    GraphNode.objects.bulk_update(changed, ["mentions", "updated_at"], batch_size=1000)


def graph_update(*, limit: int = BATCH, sources: list[str] | None = None, max_batches: int = 10_000) -> dict:
    """Catch up with every source (or those named): {source: rows folded in}."""
    done: dict[str, int] = {}
    for name in sources or list(_SOURCES):
        read, done[name] = _SOURCES[name], 0
        for _ in range(max_batches):
            with transaction.atomic():
                cursor, _ = GraphCursor.objects.get_or_create(source=name)
                cursor = GraphCursor.objects.select_for_update().get(pk=cursor.pk)
                batch, position = read(cursor.position, limit)
                if batch:
                    facts_apply(batch)
                if position == cursor.position:
                    break
                cursor.position = position
                cursor.save(update_fields=["position", "updated_at"])
                done[name] += len(batch)
    graph_vectors_fill()
    return done


def graph_vectors_fill(limit: int = 4096) -> int:
    """MiniLM vectors for concepts that have none yet (similar concepts compare them)."""
    filled = 0
    while filled < limit:
        nodes = list(GraphNode.objects.filter(kind="concept", vector__isnull=True).order_by("pk")[:VECTOR_BATCH])
        if not nodes:
            break
        vectors = embedder.embed([node.label or node.name for node in nodes])
        now = timezone.now()
        for node, vector in zip(nodes, vectors):
            node.vector, node.updated_at = embedder.to_bytes(np.asarray(vector, dtype=np.float32)), now
        GraphNode.objects.bulk_update(nodes, ["vector", "updated_at"])  # updated_at: similar_concepts' cache
        filled += len(nodes)
    return filled


def graph_update_soon() -> None:
    """After the current transaction commits, have the memory worker catch the graph up (one task per burst)."""

    def send() -> None:
        from memoryhub.tasks import graph_update_task  # cycle: tasks import this module

        try:
            if client_for(settings.REDIS_URL).set(PENDING_KEY, 1, nx=True, ex=PENDING_SECONDS):
                graph_update_task.delay()
        except Exception:  # the graph catches up at the next update or beat tick: never fail the write for it
            log.warning("could not queue a graph update", exc_info=True)

    transaction.on_commit(send)


def graph_update_started() -> None:
    """The task clears the burst's key first: a commit after this point queues the next update."""
    try:
        client_for(settings.REDIS_URL).delete(PENDING_KEY)
    except Exception:
        log.warning("could not clear the graph's pending key", exc_info=True)


def graph_nodes_forget(keys: list[str]) -> None:
    """Deleted documents or memories leave the graph: their nodes and edges go (the concepts stay)."""
    node_ids = list(GraphNode.objects.filter(key__in=keys).values_list("pk", flat=True))
    targets = set(GraphEdge.objects.filter(source_id__in=node_ids).values_list("target_id", flat=True))
    GraphNode.objects.filter(pk__in=node_ids).delete()
    mentions_count(targets)
    graph_update_soon()  # a Neo4j copy drops them at the update's sync
