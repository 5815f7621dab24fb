"""Graph-expanded context: documents linked to the best matches through the concepts they share join the
candidates, each saying which concept brought it (two-hop questions: "where is the company that X works for
based?" needs X's document and the company's, and only the first resembles the question).

The steps, over the truth (GraphNode, GraphEdge):
  1. seeds: the documents that name the question's own entities (through the graph), then the best matches by
     similarity, up to SEEDS;
  2. bridges: for each seed, the other documents naming an entity the seed names and the question does not
     (the hop), ranked by their similarity to the question plus how specific the shared entity is (a name few
     documents share says more than one many do);
  3. order: each seed followed by its best bridges, then the rest by similarity."""

from __future__ import annotations

import math

import numpy as np
from django.db.models import Q

from memoryhub import embedder
from memoryhub.graph.concepts import SUBJECT_SCORE, entities
from memoryhub.models import Embedding, GraphEdge, GraphNode

# Chosen by nested cross-validation on bench/data/twohop_dev/ (bench/tune_graph_context.py): nested estimate
# 0.887 +- 0.040 on its held-out folds; the subject bonus did not help (0), the specificity of the shared name did.
SEEDS = 3
BRIDGES_PER_SEED = 4
MAX_CONCEPT_DOCUMENTS = 50  # an entity that more documents name links nothing in particular
SPECIFICITY_WEIGHT = 1.0
SUBJECT_WEIGHT = 0.0  # a bonus when the bridge document is about the shared name (names it first)


def _document_key(row: Embedding) -> str:
    return f"document:{row.namespace}/{row.doc_id}"


def _documents_naming(concept_ids) -> dict[int, list[tuple[str, float]]]:
    """{concept pk: [(document key, the mention's weight)]} for concepts named by few enough documents."""
    found: dict[int, list[tuple[str, float]]] = {}
    edges = GraphEdge.objects.filter(
        target_id__in=concept_ids, relation="mentions", valid_to__isnull=True, source__kind="document"
    ).values_list("target_id", "source__key", "weight")
    for concept, key, weight in edges:
        found.setdefault(concept, []).append((key, weight))
    return {concept: docs for concept, docs in found.items() if len(docs) <= MAX_CONCEPT_DOCUMENTS}


def _specificity(documents: int) -> float:
    """1 for a name two documents share, falling slowly as more share it."""
    return 1.0 / math.log2(1 + max(documents, 1))


def _rows_for(keys: set[str], namespace: str | None) -> dict[str, Embedding]:
    """The live embedding of each document key ("document:<namespace>/<doc_id>")."""
    wanted = Q()
    for key in keys:
        space, _, doc_id = key.removeprefix("document:").partition("/")
        if namespace is None or space == namespace:
            wanted |= Q(namespace=space, doc_id=doc_id)
    if not wanted:
        return {}
    rows = Embedding.objects.filter(wanted, deleted_at__isnull=True).exclude(doc_id="")
    return {_document_key(row): row for row in rows}


def graph_expand(
    *, query: str, vector: np.ndarray, ranked: list[tuple[Embedding, float]], namespace: str | None
) -> list[tuple[Embedding, float, dict]]:
    """The candidates in their new order: (row, similarity, graph source details or {})."""
    query_concepts = dict(
        GraphNode.objects.filter(key__in=[f"concept:{name}" for name, _ in entities(query)]).values_list("pk", "key")
    )
    named_by_query = _documents_naming(list(query_concepts))

    # Seeds: documents naming the question's entities (the most specific entity first), then the best matches.
    # Of the documents naming one entity, the best match first (its rank among the search's results, if there).
    rank = {_document_key(row): position for position, (row, _) in enumerate(ranked) if row.doc_id}
    seeds: list[tuple[str, dict]] = []
    for concept, docs in sorted(named_by_query.items(), key=lambda item: len(item[1])):
        by_rank = sorted(docs, key=lambda doc: rank.get(doc[0], len(rank)))
        seeds += [(key, {"via": query_concepts[concept], "from": "query"}) for key, _ in by_rank]
    seeds += [(_document_key(row), {}) for row, _ in ranked if row.doc_id]
    unique: dict[str, dict] = {}
    for key, how in seeds:
        unique.setdefault(key, how)
    seeds = list(unique.items())[:SEEDS]

    # Bridges: documents sharing an entity with a seed that the question does not name.
    seed_nodes = dict(GraphNode.objects.filter(key__in=[key for key, _ in seeds]).values_list("key", "pk"))
    named = (
        GraphEdge.objects.filter(
            source_id__in=seed_nodes.values(), relation="mentions", valid_to__isnull=True, target__kind="concept"
        )
        .exclude(target_id__in=query_concepts)
        .filter(target__properties__entity=True)
        .values_list("source_id", "target_id", "target__key")
    )
    by_seed: dict[int, list[tuple[int, str]]] = {}
    for seed, concept, concept_key in named:
        by_seed.setdefault(seed, []).append((concept, concept_key))
    linked = _documents_naming([concept for pairs in by_seed.values() for concept, _ in pairs])

    rows = _rows_for({key for docs in linked.values() for key, _ in docs} | {key for key, _ in seeds}, namespace)
    similarity = {key: float(np.dot(embedder.from_bytes(bytes(row.vector)), vector)) for key, row in rows.items()}

    ordered: list[tuple[Embedding, float, dict]] = []
    placed: set[str] = set()
    for seed_key, how in seeds:
        if seed_key not in rows or seed_key in placed:
            continue
        ordered.append((rows[seed_key], similarity[seed_key], how))
        placed.add(seed_key)
        scored = []
        for concept, concept_key in by_seed.get(seed_nodes.get(seed_key, -1), []):
            docs = linked.get(concept, [])
            for key, weight in docs:
                if key != seed_key and key in rows:
                    score = (
                        similarity[key]
                        + SPECIFICITY_WEIGHT * _specificity(len(docs) - 1)
                        + SUBJECT_WEIGHT * (weight >= SUBJECT_SCORE)
                    )
                    scored.append((score, key, concept_key))
        taken = 0
        for _score, key, concept_key in sorted(scored, reverse=True):
            if key in placed:
                continue
            ordered.append((rows[key], similarity[key], {"via": concept_key, "from": seed_key}))
            placed.add(key)
            taken += 1
            if taken == BRIDGES_PER_SEED:
                break
    for row, sim in ranked:
        key = _document_key(row) if row.doc_id else f"memory:{row.embedding_id}"
        if key not in placed:
            ordered.append((row, sim, {}))
            placed.add(key)
    return ordered


def graph_linked_documents(*, documents: list[tuple[str, str]], limit: int) -> list[tuple[str, str, str]]:
    """Documents the graph connects to these ((namespace, doc_id) pairs) through a name they share, the most
    specific names first: [(namespace, doc_id, concept key)], at most limit, none of those given."""
    given = {f"document:{namespace}/{doc_id}" for namespace, doc_id in documents}
    named = (
        GraphEdge.objects.filter(source__key__in=given, relation="mentions", valid_to__isnull=True)
        .filter(target__properties__entity=True)
        .values_list("target_id", "target__key")
    )
    concept_keys = dict(named)
    found: dict[str, str] = {}
    for concept, docs in sorted(_documents_naming(list(concept_keys)).items(), key=lambda item: len(item[1])):
        for key, _ in docs:
            if key not in given and key not in found and len(found) < limit:
                found[key] = concept_keys[concept]
    out = []
    for key, via in found.items():
        namespace, _, doc_id = key.removeprefix("document:").partition("/")
        out.append((namespace, doc_id, via))
    return out
