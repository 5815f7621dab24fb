"""Communities of the knowledge graph: Leiden (igraph's, modularity, weighted) over the current edges, each
labelled by its most mentioned members. Stored on the nodes (community, community_label) so queries, the explorer
and the Neo4j copy read them; recomputed by graph_communities_task (hourly, and on request)."""

from __future__ import annotations

from collections import defaultdict

import igraph
from django.db import transaction
from django.utils import timezone

from memoryhub.models import GraphEdge, GraphNode

LABEL_MEMBERS = 3
SEED = 7  # Leiden is randomised: a fixed seed gives the same communities for the same graph


def communities_compute(*, resolution: float = 1.0) -> dict:
    """{"communities": n, "nodes": n, "modularity": q}; every live node gets its community and label."""
    nodes = list(GraphNode.objects.filter(merged_into__isnull=True).values_list("pk", "label", "kind", "mentions"))
    if not nodes:
        return {"communities": 0, "nodes": 0, "modularity": None}
    index = {pk: position for position, (pk, *_) in enumerate(nodes)}
    pairs, weights = [], []
    for source, target, weight in GraphEdge.objects.filter(valid_to__isnull=True).values_list(
        "source_id", "target_id", "weight"
    ):
        if source in index and target in index:
            pairs.append((index[source], index[target]))
            weights.append(max(float(weight), 1e-6))
    graph = igraph.Graph(n=len(nodes), edges=pairs, directed=False)
    graph.es["weight"] = weights
    igraph.set_random_number_generator(__import__("random").Random(SEED))
    partition = graph.community_leiden(objective_function="modularity", weights="weight", resolution=resolution)
    members: dict[int, list[int]] = defaultdict(list)
    for position, community in enumerate(partition.membership):
        members[community].append(position)
    labels = {}
    for community, positions in members.items():
        # Named by its most mentioned concepts (or most connected members when it holds no concept).
        ranked = sorted(
            positions, key=lambda p: (nodes[p][2] != "concept", -nodes[p][3], -graph.degree(p), nodes[p][1])
        )
        labels[community] = ", ".join(nodes[p][1] for p in ranked[:LABEL_MEMBERS])[:200]
    with transaction.atomic():
        now, changed = timezone.now(), []
        for row in GraphNode.objects.filter(merged_into__isnull=True).only("pk", "community", "community_label"):
            if row.pk not in index:
                continue  # made since the graph was read: the next run places it
            community = partition.membership[index[row.pk]]
            if (row.community, row.community_label) != (community, labels[community]):
                row.community, row.community_label, row.updated_at = community, labels[community], now
                changed.append(row)  # updated_at: what the Neo4j sync reads
        GraphNode.objects.bulk_update(changed, ["community", "community_label", "updated_at"], batch_size=2000)
    return {
        "communities": len(members),
        "nodes": len(nodes),
        "modularity": round(graph.modularity(partition.membership, weights="weight"), 4),
    }


def communities_list(*, limit: int = 100) -> list[dict]:
    from django.db.models import Count

    rows = (
        GraphNode.objects.filter(merged_into__isnull=True, community__isnull=False)
        .values("community", "community_label")
        .annotate(size=Count("id"))
        .order_by("-size", "community")[:limit]
    )
    return [{"community": row["community"], "label": row["community_label"], "size": row["size"]} for row in rows]
