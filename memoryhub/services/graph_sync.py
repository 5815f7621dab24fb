"""The Neo4j engine's copy of the knowledge graph, kept in step with the truth (GraphNode, GraphEdge).

graph_sync() pushes what changed since the last sync: the nodes and edges whose updated_at is at or after the
cursor GraphCursor("neo4j-sync") (microseconds, as graph_build.changed_since keeps its positions), read again from
OVERLAP_S before it. They are upserted by node key and by edge id, and writing a row twice changes nothing, so a
repeated or redelivered sync is harmless. Hence every writer of the truth must move updated_at along with what it
changes: bulk_update() and QuerySet.update() leave auto_now fields alone.

- A node merged into another leaves the copy (with whatever edges the copy still hangs on it); its edges, moved by
  the merge, come along as updated rows. A node the copy did not hold (new, or split off again by an operator) brings
  every edge of its, the untouched ones too.
- A deleted row leaves nothing to read. After the upserts the copy's node count is compared with the truth's: only
  when the copy holds more are the keys compared, and the extra nodes go with their edges. That is two counts per
  sync, not two lists of 100,000 keys.
- full=True: engine.rebuild(*truth_export()), after which the copy is the truth exactly, whatever an incremental
  sync missed. graph_resync_task runs it daily; the first sync, and a sync that finds the copy empty (a Bolt server
  restarted without its data), run it too.

One sync at a time, across machines (a Redis lock): two rebuilds interleaved would create every edge twice. An
incremental sync that finds one running skips: the running one, or the next, catches up. A full one waits."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.redis_clients import client_for
from memoryhub.models import GraphCursor, GraphEdge, GraphNode
from memoryhub.services.graph_queries import graph_engine
from memoryhub.services.graph_store import edge_dict, node_dict, truth_export

if TYPE_CHECKING:
    from memoryhub.graph.neo4j_engine import Neo4jGraphEngine

CURSOR = "neo4j-sync"
BATCH = 2000  # rows read from the truth and handed to the engine at a time
# A row's updated_at is stamped when it is written, not when its transaction commits, and by the writing machine's
# clock: a row committed late, or stamped by a clock running behind, can carry a time before the cursor. Reading
# the last minute again catches them; the daily full sync catches the rest.
OVERLAP_S = 60
LOCK_KEY = "autodidact:graph:neo4j-sync"
LOCK_S = 3600  # a sync's hold on the lock: a worker dying mid-sync frees it after this
FULL_WAIT_S = 600  # how long a full sync waits for a running one
NODE_FIELDS = (  # what node_dict reads, and merged_into: never the vector and signature blobs
    *("pk", "key", "kind", "name", "label", "aliases", "properties", "mentions"),
    *("community", "community_label", "merged_into"),
)


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _batches(rows: Iterable, size: int = BATCH) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def graph_sync(*, full: bool = False) -> dict:
    """Bring the Neo4j engine's copy up to date with the truth: {"engine", "full", counts..., "seconds"}.
    With the SQL engine there is no copy: a no-op."""
    if settings.GRAPH_ENGINE != "neo4j":
        return {"engine": "sql", "full": full, "nodes": 0, "edges": 0, "message": "the SQL engine reads the truth"}
    engine = cast("Neo4jGraphEngine", graph_engine())  # GRAPH_ENGINE=neo4j: graph_engine() gives this one
    lock = client_for(settings.REDIS_URL).lock(LOCK_KEY, timeout=LOCK_S)
    if not lock.acquire(blocking=full, blocking_timeout=FULL_WAIT_S if full else None):
        return {"engine": "neo4j", "full": full, "skipped": True, "message": "another sync is running"}
    try:
        return _sync_locked(engine, full=full)
    finally:
        if lock.owned():  # held past LOCK_S it may be another's by now: leave that one alone
            lock.release()


def _sync_locked(engine: Neo4jGraphEngine, *, full: bool) -> dict:
    started = time.monotonic()
    position = _micros(timezone.now())  # taken before reading: what changes while we read is read next time
    cursor, created = GraphCursor.objects.get_or_create(source=CURSOR)
    reason = "requested" if full else "first sync" if created or not cursor.position else None
    if reason is None and not _copy_node_count(engine) and GraphNode.objects.filter(merged_into__isnull=True).exists():
        reason = "the copy was empty"  # a Bolt server restarted without its data: increments would never refill it
    if reason is None:
        result = _incremental(engine, since=cursor.position - OVERLAP_S * 1_000_000)
    else:
        with transaction.atomic():  # one snapshot of both tables where the database gives it (SQLite's WAL)
            nodes, edges = truth_export()
        result = {"full": True, "reason": reason, **engine.rebuild(nodes, edges)}
    cursor.position = position
    cursor.save(update_fields=["position", "updated_at"])
    return {"engine": "neo4j", **result, "seconds": round(time.monotonic() - started, 3)}


def _incremental(engine: Neo4jGraphEngine, *, since: int) -> dict:
    moment = datetime.fromtimestamp(max(since, 0) / 1_000_000, tz=UTC)
    counts = {"nodes": 0, "edges": 0, "removed_nodes": 0, "removed_edges": 0, "skipped_edges": 0}
    arrived: list[int] = []  # live nodes the copy did not hold: new ones, and merged ones split off again
    # In updated_at's order, which its index gives: the models' default orders (key, id) would scan the whole table.
    nodes = GraphNode.objects.filter(updated_at__gte=moment).only(*NODE_FIELDS).order_by("updated_at", "pk")
    for batch in _batches(nodes.iterator(chunk_size=BATCH)):
        live = [node for node in batch if node.merged_into_id is None]
        merged = [node.key for node in batch if node.merged_into_id is not None]
        if live:
            held = _copy_holds(engine, [node.key for node in live])
            arrived += [node.pk for node in live if node.key not in held]
            counts["nodes"] += engine.upsert([node_dict(node) for node in live], [])["nodes"]
        if merged:
            engine.remove(merged, [])
            counts["removed_nodes"] += len(merged)
    edges = GraphEdge.objects.filter(updated_at__gte=moment).order_by("updated_at", "pk")
    for batch in _batches(edges.iterator(chunk_size=BATCH)):
        _push_edges(engine, batch, counts)
    for start in range(0, len(arrived), BATCH):
        # A node back from a merge comes back with edges nobody touched (its history with the node it had joined):
        # an arriving node brings every edge of its, not only those changed.
        chunk = arrived[start : start + BATCH]
        older = GraphEdge.objects.filter(Q(source_id__in=chunk) | Q(target_id__in=chunk), updated_at__lt=moment)
        for batch in _batches(older.order_by().iterator(chunk_size=BATCH)):  # unordered: the ends' indexes serve
            _push_edges(engine, batch, counts)
    # Read in this order, a copy holding more nodes than the truth surely holds one the truth has not (a node
    # created meanwhile raises the truth's count, never the copy's alone).
    copy_count = _copy_node_count(engine)
    if copy_count > GraphNode.objects.filter(merged_into__isnull=True).count():
        counts["removed_nodes"] += _remove_extra_nodes(engine)
    return {"full": False, "since": moment.isoformat(), **counts}


def _push_edges(engine: Neo4jGraphEngine, batch: list[GraphEdge], counts: dict[str, int]) -> None:
    """Edges between live nodes are upserted; one with a merged end (a closed fact left on it) or a vanished one
    leaves the copy, as truth_export leaves it out."""
    ends = {pk for edge in batch for pk in (edge.source_id, edge.target_id)}
    found = GraphNode.objects.filter(pk__in=ends).order_by().values_list("pk", "key", "merged_into")
    keys = {pk: key for pk, key, merged_into in found if merged_into is None}
    live = [edge for edge in batch if edge.source_id in keys and edge.target_id in keys]
    gone = [edge.pk for edge in batch if edge.source_id not in keys or edge.target_id not in keys]
    if gone:
        engine.remove([], gone)
        counts["removed_edges"] += len(gone)
    if not live:
        return
    rows = [edge_dict(edge, keys) for edge in live]
    written = engine.upsert([], rows)["edges"]
    if written < len(rows):
        # An end missing from the copy (created after the node pass read, or lost by the server): its nodes first.
        ends_live = GraphNode.objects.filter(pk__in=ends, merged_into__isnull=True).only(*NODE_FIELDS)
        engine.upsert([node_dict(node) for node in ends_live], [])
        written = engine.upsert([], rows)["edges"]
    counts["edges"] += written
    counts["skipped_edges"] += len(rows) - written


# The engine's interface has no count, membership or key listing; its Cypher runner (the same on Neo4j and FalkorDB)
# answers them.
def _copy_node_count(engine: Neo4jGraphEngine) -> int:
    return int(engine._run("MATCH (n:Node) RETURN count(n)")[0][0])


def _copy_holds(engine: Neo4jGraphEngine, keys: list[str]) -> set[str]:
    from memoryhub.graph.cypher import cypher_literal  # the driver loads only where the engine is used

    return {row[0] for row in engine._run(f"UNWIND {cypher_literal(keys)} AS k MATCH (n:Node {{key: k}}) RETURN k")}


def _remove_extra_nodes(engine: Neo4jGraphEngine) -> int:
    """Nodes in the copy that the truth no longer holds live (deleted, or merged by a writer that left updated_at
    alone). The truth's keys are read after the copy's, so a node created meanwhile is in both and stays."""
    held = {row[0] for row in engine._run("MATCH (n:Node) RETURN n.key")}
    live = set(GraphNode.objects.filter(merged_into__isnull=True).values_list("key", flat=True))
    extra = sorted(held - live)
    if extra:
        engine.remove(extra, [])
    return len(extra)
