"""Operators' corrections to the knowledge graph: merging two nodes that are one concept, splitting a merge that
joined two different things, and the candidate pairs worth a look.

A merge keeps the merged node (it points at the survivor, so its key still resolves and the builder's new facts
for it land on the survivor: graph_store.nodes_upsert) and records in its GraphChange everything it did to edges
and aliases, so that a split can put back exactly what was there before."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import Conflict, Invalid, NotFound
from memoryhub import embedder
from memoryhub.graph.names import duplicate_candidates
from memoryhub.models import GraphChange, GraphEdge, GraphNode
from memoryhub.services.graph_build import mentions_count
from memoryhub.services.graph_store import EVIDENCE_KEEP, merged_once

# Only concepts merge: every other node stands for one of the product's rows (a document, a skill, ...), and the
# builder re-reading a merged row would replace the survivor's edges with that row's (Facts.replaces).
MERGEABLE_KINDS = frozenset({"concept"})
EMBEDDING_MIN = 0.9  # cosine of two labels' MiniLM vectors above which they are worth an operator's look
EMBEDDING_BLOCK = 1024  # rows of the similarity matrix computed at once: memory stays at block x nodes floats
EMBEDDING_NEIGHBOURS = 10  # at most this many pairs per node where a whole cluster is alike (its pairs grow as n^2)
EMBEDDING_NODES_MAX = 20_000  # the most mentioned nodes compared by vector (all pairs grow as the square)


def _locked(*pks: int) -> dict[int, GraphNode]:
    # Both rows locked in one order (by pk): two merges of the same pair the other way round never deadlock.
    return {node.pk: node for node in GraphNode.objects.select_for_update().filter(pk__in=sorted(pks)).order_by("pk")}


def _ends(edge: GraphEdge, pk: int) -> tuple[str, int]:
    """Which end of the edge is the node `pk` ("source" or "target"), and the node at the other end."""
    return ("source", edge.target_id) if edge.source_id == pk else ("target", edge.source_id)


@transaction.atomic
def node_merge(*, into: GraphNode, merged: GraphNode, actor: str) -> GraphChange:
    """Fold `merged` into `into`: its edges move over (parallel current edges are folded into one), its label and
    aliases become `into`'s aliases, and it points at `into` from now on. Returns the recorded change."""
    if into.pk == merged.pk:
        raise Invalid({"merged": [f"{into.key} cannot be merged into itself"]})
    nodes = _locked(into.pk, merged.pk)
    if into.pk not in nodes or merged.pk not in nodes:
        raise NotFound("One of the nodes to merge no longer exists.")
    into, merged = nodes[into.pk], nodes[merged.pk]
    for node in (merged, into):
        if node.kind not in MERGEABLE_KINDS:
            raise Invalid({"merged": [f"only concepts merge: {node.key} is a {node.kind}, one of the product's rows"]})
    if merged.merged_into_id:
        raise Conflict(f"{merged.key} is already merged into {merged.merged_into}.", code="already_merged")
    if into.merged_into_id:
        raise Conflict(
            f"{into.key} was itself merged into {into.merged_into}: merge into that one.", code="merged_target"
        )
    now = timezone.now()
    details: dict = {"edges_moved": [], "moved_ends": {}, "edges_folded": {}, "folds": {}, "edges_closed": []}
    survivors = {}  # into's current edges, by (its end, the other end, relation)
    for edge in GraphEdge.objects.select_for_update().filter(Q(source=into) | Q(target=into), valid_to__isnull=True):
        end, other = _ends(edge, into.pk)
        survivors[(end, other, edge.relation)] = edge
    moved, closed, folded_into = [], [], {}
    for edge in GraphEdge.objects.select_for_update().filter(Q(source=merged) | Q(target=merged)).order_by("pk"):
        end, other = _ends(edge, merged.pk)
        if other == merged.pk:
            continue  # a self-loop of its own (the store writes none): left as it is
        if other == into.pk:
            if edge.valid_to is None:  # an edge between the two would become a self-loop
                edge.valid_to, edge.updated_at = now, now
                closed.append(edge)
                details["edges_closed"].append(edge.pk)
            continue
        survivor = survivors.get((end, other, edge.relation)) if edge.valid_to is None else None
        if survivor is not None:
            before, weight_before = list(survivor.evidence or []), survivor.weight
            added = [one for one in edge.evidence or [] if one not in before]
            survivor.weight += edge.weight
            survivor.evidence = (before + added)[-EVIDENCE_KEEP:]
            survivor.updated_at = now
            folded_into[survivor.pk] = survivor
            edge.valid_to, edge.updated_at = now, now
            closed.append(edge)
            details["edges_folded"][str(edge.pk)] = survivor.pk
            details["folds"][str(edge.pk)] = {
                "weight": edge.weight,
                "weight_before": weight_before,
                "weight_after": survivor.weight,
                "evidence_before": before,
                "evidence_added": added,
            }
            continue
        setattr(edge, f"{end}_id", into.pk)
        edge.updated_at = now
        moved.append(edge)
        details["edges_moved"].append(edge.pk)
        details["moved_ends"][str(edge.pk)] = end
    GraphEdge.objects.bulk_update(closed, ["valid_to", "updated_at"])
    GraphEdge.objects.bulk_update(list(folded_into.values()), ["weight", "evidence", "updated_at"])
    GraphEdge.objects.bulk_update(moved, ["source", "target", "updated_at"])
    aliases = merged_once(into.aliases, [merged.label, *(merged.aliases or [])])
    details["aliases_added"] = [alias for alias in aliases if alias not in (into.aliases or [])]
    into.aliases, into.updated_at = aliases, now
    into.save(update_fields=["aliases", "updated_at"])
    merged.merged_into, merged.updated_at = into, now
    merged.save(update_fields=["merged_into", "updated_at"])
    mentions_count([into.pk, merged.pk])
    return GraphChange.objects.create(
        action=GraphChange.Action.MERGE, node=into, other=merged, actor=actor[:150], details=details
    )


def _touched(change: GraphChange) -> set[int]:
    details = change.details or {}
    folded = details.get("edges_folded") or {}
    return {
        *details.get("edges_moved", []),
        *details.get("edges_closed", []),
        *(int(pk) for pk in folded),
        *folded.values(),
    }


def _split_of(change: GraphChange) -> GraphChange | None:
    return GraphChange.objects.filter(action=GraphChange.Action.SPLIT, details__merge=change.pk).first()


def _split_refusal(change: GraphChange, into: GraphNode, merged: GraphNode) -> str | None:
    """Why this merge cannot be undone now, or None."""
    done = _split_of(change)
    if done is not None:
        return f"this merge was already split (change #{done.pk}, by {done.actor or 'someone'})"
    if merged.merged_into_id != into.pk:
        return f"{merged.key} no longer points at {into.key}"
    if into.merged_into_id:
        return f"{into.key} has since been merged into {into.merged_into}: split that merge first"
    # A later merge that folded into, moved or closed an edge this split must put back would be silently
    # undone with it: the later one goes first.
    mine = _touched(change)
    later = GraphChange.objects.filter(action=GraphChange.Action.MERGE, pk__gt=change.pk).order_by("-pk")
    for other in later:
        if _touched(other) & mine and _split_of(other) is None:
            return f"the later merge #{other.pk} ({other}) changed the same edges: split it first"
    return None


@transaction.atomic
def node_split(*, change: GraphChange, actor: str) -> GraphChange:
    """Undo a recorded merge: the merged node is live again with the edges it had, folded edges are reopened and
    the survivor's weight and evidence go back, and the aliases the merge added leave the survivor."""
    if change.action != GraphChange.Action.MERGE:
        raise Invalid({"change": [f"change #{change.pk} is a {change.action}: only a merge can be split"]})
    if change.other_id is None:
        raise Conflict(f"change #{change.pk}: the merged node no longer exists.", code="split_impossible")
    nodes = _locked(change.node_id, change.other_id)
    into, merged = nodes[change.node_id], nodes[change.other_id]
    refusal = _split_refusal(change, into, merged)
    if refusal:
        raise Conflict(f"Cannot split change #{change.pk}: {refusal}.", code="split_impossible")
    details, now = change.details or {}, timezone.now()
    edges = GraphEdge.objects.select_for_update().in_bulk(_touched(change))
    moved_back, reopened, gone = [], [], []
    for pk in details.get("edges_moved", []):
        edge = edges.get(pk)
        end = details.get("moved_ends", {}).get(str(pk))
        if edge is None:
            gone.append(pk)  # its other end was deleted since (a document forgotten): nothing to put back
            continue
        if end not in ("source", "target") or getattr(edge, f"{end}_id") != into.pk:
            raise Conflict(f"Cannot split change #{change.pk}: edge {pk} no longer ends at {into.key}.")
        setattr(edge, f"{end}_id", merged.pk)
        moved_back.append(edge)
    survivors = []
    for moved_pk, survivor_pk in (details.get("edges_folded") or {}).items():
        edge, survivor, fold = edges.get(int(moved_pk)), edges.get(survivor_pk), details["folds"][moved_pk]
        if edge is not None:
            reopened.append(edge)
        if survivor is not None:
            # Untouched since the merge: its exact weight back (a subtraction of floats may be off in the last bit).
            unchanged = survivor.weight == fold["weight_after"]
            survivor.weight = fold["weight_before"] if unchanged else max(0.0, survivor.weight - fold["weight"])
            later = [one for one in survivor.evidence or [] if one not in fold["evidence_before"]]
            kept = fold["evidence_before"] + [one for one in later if one not in fold["evidence_added"]]
            survivor.evidence = kept[-EVIDENCE_KEEP:]
            survivor.updated_at = now
            survivors.append(survivor)
    reopened += [edges[pk] for pk in details.get("edges_closed", []) if pk in edges]
    for edge in [*moved_back, *reopened]:
        edge.updated_at = now
    for edge in reopened:
        edge.valid_to = None
    try:
        with transaction.atomic():  # a savepoint: a refused write leaves the rest of the transaction usable
            GraphEdge.objects.bulk_update(survivors, ["weight", "evidence", "updated_at"])
            GraphEdge.objects.bulk_update(moved_back, ["source", "target", "updated_at"])
            GraphEdge.objects.bulk_update(reopened, ["valid_to", "updated_at"])
    except IntegrityError as error:
        raise Conflict(
            f"Cannot split change #{change.pk}: {merged.key} gained a current edge the split would duplicate."
        ) from error
    added = set(details.get("aliases_added", []))
    removed = [alias for alias in into.aliases or [] if alias in added]
    into.aliases = [alias for alias in into.aliases or [] if alias not in added]
    into.updated_at = merged.updated_at = now
    into.save(update_fields=["aliases", "updated_at"])
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    mentions_count([into.pk, merged.pk])
    return GraphChange.objects.create(
        action=GraphChange.Action.SPLIT,
        node=into,
        other=merged,
        actor=actor[:150],
        details={
            "merge": change.pk,
            "edges_moved_back": [edge.pk for edge in moved_back],
            "edges_reopened": [edge.pk for edge in reopened],
            "edges_gone": gone,
            "aliases_removed": removed,
        },
    )


def _embedding_pairs(nodes: Sequence[tuple[int, bytes | memoryview | None]]) -> dict[tuple[int, int], float]:
    """{(pk_a, pk_b): cosine} of vectors at or above EMBEDDING_MIN, pk_a < pk_b. The vectors are L2-normalised,
    so the cosine is a dot product; the matrix is walked in row blocks to bound its memory."""
    if len(nodes) < 2:
        return {}
    pks = np.array([pk for pk, _ in nodes])
    matrix = np.stack([embedder.from_bytes(bytes(raw or b"")) for _, raw in nodes]).astype(np.float32)
    found = {}
    for start in range(0, len(nodes), EMBEDDING_BLOCK):
        block = matrix[start : start + EMBEDDING_BLOCK] @ matrix.T
        hits = block >= EMBEDDING_MIN
        if hits.sum() > len(block) * EMBEDDING_NEIGHBOURS:  # a dense cluster: each row keeps its nearest only
            nearest = np.partition(block, -EMBEDDING_NEIGHBOURS, axis=1)[:, [-EMBEDDING_NEIGHBOURS]]
            hits &= block >= nearest
        rows, cols = np.nonzero(hits)
        for row, col in zip(rows + start, cols, strict=True):
            if pks[row] < pks[col]:
                found[(int(pks[row]), int(pks[col]))] = round(float(block[row - start, col]), 4)
    return found


def duplicate_candidates_find(*, kind: str = "concept", limit: int = 100) -> list[dict]:
    """Pairs of live nodes that are probably one concept, best first: {"into", "merged" (the more mentioned node
    first, the one to keep), "minhash": name ratio, "embedding": cosine}, with whichever figures found the pair.
    Pairs an operator split apart are not proposed again."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise Invalid({"limit": ["limit is a whole number, 1 or more"]})
    live = GraphNode.objects.filter(kind=kind, merged_into__isnull=True)
    names = dict(live.values_list("key", "name"))
    pk_of = dict(live.values_list("key", "pk"))
    pairs: dict[tuple[int, int], dict] = {}
    for key_a, key_b, ratio in duplicate_candidates(names):
        a, b = sorted((pk_of[key_a], pk_of[key_b]))
        pairs[(a, b)] = {"minhash": ratio}
    vectors = list(
        live.filter(vector__isnull=False).order_by("-mentions", "pk").values_list("pk", "vector")[:EMBEDDING_NODES_MAX]
    )
    for pair, cosine in _embedding_pairs(vectors).items():
        pairs.setdefault(pair, {})["embedding"] = cosine
    split = GraphChange.objects.filter(action=GraphChange.Action.SPLIT).values_list("node_id", "other_id")
    for a, b in split:
        if a is not None and b is not None:
            pairs.pop((min(a, b), max(a, b)), None)
    # Two kinds of evidence beat one: the figures add up.
    ranked = sorted(pairs.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:limit]
    nodes = GraphNode.objects.defer("vector", "signature").in_bulk({pk for pair, _ in ranked for pk in pair})
    out = []
    for (a, b), figures in ranked:
        into, merged = sorted((nodes[a], nodes[b]), key=lambda node: (-node.mentions, node.pk))
        out.append({"into": into, "merged": merged, **figures})
    return out
