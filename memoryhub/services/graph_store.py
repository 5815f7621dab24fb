"""Writes to the knowledge graph's truth (GraphNode, GraphEdge), in bulk, and its export in the engines' shapes.

Everything that adds to the graph goes through nodes_upsert and edges_upsert: one node per key (a concept's key
holds its normalised name), one current edge per (source, target, relation). Both are idempotent, so the
incremental build can fold the same rows in twice (a redelivered task) and change nothing."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from memoryhub.graph.names import signature_bytes
from memoryhub.models import GraphEdge, GraphNode

BATCH = 2000
EVIDENCE_KEEP = 50  # the newest ids an edge keeps as its evidence; its weight still counts every one


def node_dict(node: GraphNode) -> dict:
    return {
        "key": node.key,
        "kind": node.kind,
        "name": node.name,
        "label": node.label,
        "aliases": list(node.aliases or []),
        "properties": dict(node.properties or {}),
        "mentions": node.mentions,
        "community": node.community,
        "community_label": node.community_label,
    }


def edge_dict(edge: GraphEdge, keys: dict[int, str] | None = None) -> dict:
    """keys: {node pk: key}, when the caller has them (saves two joins per edge)."""
    source = keys[edge.source_id] if keys else edge.source.key
    target = keys[edge.target_id] if keys else edge.target.key
    return {
        "id": edge.pk,
        "source": source,
        "target": target,
        "relation": edge.relation,
        "weight": edge.weight,
        "evidence": list(edge.evidence or []),
        "valid_from": edge.valid_from.isoformat(),
        "valid_to": edge.valid_to.isoformat() if edge.valid_to else None,
    }


def merged_once(old: list, new: Iterable[str], limit: int | None = 50) -> list:
    """old, then what new adds, in order, each once; at most `limit` (aliases: the first seen are kept)."""
    seen = list(old or [])
    for alias in new:
        if alias and alias not in seen and (limit is None or len(seen) < limit):
            seen.append(alias)
    return seen


@transaction.atomic
def nodes_upsert(items: list[dict]) -> dict[str, int]:
    """[{key, kind, name, label, aliases?, properties?, mentions?: added count}] -> {key: pk}.

    A node that exists keeps its label; it gains the new aliases, its properties are updated with the new ones,
    and `mentions` adds up. A key that was merged into another node answers with that node's pk."""
    by_key: dict[str, dict] = {}
    for item in items:  # the same key twice in one batch: one row, aliases and mentions combined
        known = by_key.get(item["key"])
        if known is None:
            by_key[item["key"]] = {**item, "aliases": list(item.get("aliases") or [])}
        else:
            known["aliases"] = merged_once(known["aliases"], item.get("aliases") or [])
            known["mentions"] = known.get("mentions", 0) + item.get("mentions", 0)
            known["properties"] = {**known.get("properties", {}), **item.get("properties", {})}
    ids: dict[str, int] = {}
    keys = list(by_key)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        existing = {node.key: node for node in GraphNode.objects.filter(key__in=chunk)}
        fresh = [
            GraphNode(
                key=key,
                kind=by_key[key]["kind"],
                name=by_key[key]["name"][:360],
                label=(by_key[key].get("label") or by_key[key]["name"])[:400],
                aliases=by_key[key]["aliases"],
                properties=by_key[key].get("properties") or {},
                mentions=by_key[key].get("mentions", 0),
                signature=signature_bytes(by_key[key]["name"]) if by_key[key]["kind"] == "concept" else None,
            )
            for key in chunk
            if key not in existing
        ]
        GraphNode.objects.bulk_create(fresh, ignore_conflicts=True)
        changed = []
        for key, node in existing.items():
            item = by_key[key]
            aliases = merged_once(node.aliases, item["aliases"])
            properties = {**(node.properties or {}), **(item.get("properties") or {})}
            if aliases != node.aliases or properties != node.properties or item.get("mentions"):
                node.aliases, node.properties = aliases, properties
                node.mentions += item.get("mentions", 0)
                node.updated_at = timezone.now()
                changed.append(node)
        GraphNode.objects.bulk_update(changed, ["aliases", "properties", "mentions", "updated_at"])
        for pk, key, merged_into in GraphNode.objects.filter(key__in=chunk).values_list("pk", "key", "merged_into"):
            ids[key] = merged_into or pk
    return ids


@transaction.atomic
def edges_upsert(items: list[dict], ids: dict[str, int] | None = None) -> int:
    """[{source, target (keys), relation, weight?, evidence?: [ids], fact?: bool, valid_from?}] -> edges written.

    An edge that holds already gains the new evidence and, unless it is a fact, the new weight is added to its
    weight (co-mentions add up). A fact (fact=True: "this sub-agent's level in this skill is 0.4") with another
    weight than the current one closes the current edge (valid_to=now) and opens a new one: history is kept."""
    if ids is None:
        keys = {item["source"] for item in items} | {item["target"] for item in items}
        ids = {key: pk for key, pk in GraphNode.objects.filter(key__in=keys).values_list("key", "pk")}
    now = timezone.now()
    merged: dict[tuple[int, int, str], dict] = {}
    for item in items:
        source, target = ids[item["source"]], ids[item["target"]]
        if source == target:
            continue  # a merge can fold both ends into one node: no self-loops
        triple = (source, target, item["relation"])
        known = merged.get(triple)
        if known is None or item.get("fact"):
            merged[triple] = {**item, "evidence": list(item.get("evidence") or [])}
        else:
            known["weight"] = known.get("weight", 1.0) + item.get("weight", 1.0)
            known["evidence"] = merged_once(known["evidence"], item.get("evidence") or [], limit=None)
    written = 0
    triples = list(merged)
    for start in range(0, len(triples), BATCH):
        chunk = triples[start : start + BATCH]
        sources = {source for source, _, _ in chunk}
        current = {
            (edge.source_id, edge.target_id, edge.relation): edge
            for edge in GraphEdge.objects.filter(source_id__in=sources, valid_to__isnull=True)
            if (edge.source_id, edge.target_id, edge.relation) in merged
        }
        fresh, changed, closed = [], [], []
        for triple in chunk:
            item, edge = merged[triple], current.get(triple)
            weight = float(item.get("weight", 1.0))
            if edge is not None and item.get("fact") and abs(edge.weight - weight) > 1e-9:
                edge.valid_to, edge.updated_at = item.get("valid_from") or now, now
                closed.append(edge)
                edge = None
            if edge is None:
                fresh.append(
                    GraphEdge(
                        source_id=triple[0],
                        target_id=triple[1],
                        relation=triple[2],
                        weight=weight,
                        evidence=item["evidence"][-EVIDENCE_KEEP:],
                        valid_from=item.get("valid_from") or now,
                    )
                )
                continue
            evidence = merged_once(edge.evidence, item["evidence"], limit=None)  # then the newest kept
            new_evidence = [one for one in item["evidence"] if one not in (edge.evidence or [])]
            if item.get("fact") or not new_evidence:
                continue  # the same fact again, or evidence already counted: idempotent
            edge.weight += weight * len(new_evidence) / max(1, len(item["evidence"]))
            edge.evidence = evidence[-EVIDENCE_KEEP:]
            edge.updated_at = now
            changed.append(edge)
        GraphEdge.objects.bulk_update(closed, ["valid_to", "updated_at"])
        GraphEdge.objects.bulk_create(fresh, ignore_conflicts=True)
        GraphEdge.objects.bulk_update(changed, ["weight", "evidence", "updated_at"])
        written += len(fresh) + len(changed)
    return written


def truth_export() -> tuple[list[dict], list[dict]]:
    """Every live node (not merged away) and every edge between live nodes, sorted: what an engine must hold."""
    keys = dict(GraphNode.objects.filter(merged_into__isnull=True).values_list("pk", "key"))
    nodes = [node_dict(node) for node in GraphNode.objects.filter(merged_into__isnull=True).order_by("key")]
    edges = [
        edge_dict(edge, keys)
        for edge in GraphEdge.objects.filter(
            source__merged_into__isnull=True, target__merged_into__isnull=True
        ).order_by("id")
        # an edge to a node made after the nodes were read (PostgreSQL reads are not one snapshot): the next sync's
        if edge.source_id in keys and edge.target_id in keys
    ]
    return nodes, edges
