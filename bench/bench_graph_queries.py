"""The knowledge graph's SQL engine on a generated graph of 100,000 nodes and 1,000,000 edges, side by side with
NetworkX holding the same graph in memory; the incremental build's throughput on real insight rows.

Goals (issue 18, item 8): path query p95 <= 20 ms and concept lookup p95 <= 5 ms on the SQL engine (SQLite, and
PostgreSQL with BENCH_DATABASE_URL=postgres://...), side by side with NetworkX; incremental build >= 1,000
insights/s.

The graph: 1,000 communities of 100 concepts; each node has 10 edges, 8 inside its community and 2 to nodes
anywhere, chosen with a Zipf-like bias so that some nodes are hubs (as concepts named by many documents are);
weights from 0.1 to 1. Written straight into the truth's tables (bulk insert), then ANALYZE.
Measured, each query timed alone, alternating engine and NetworkX:
  - path: 300 random pairs, fewest hops (SqlGraphEngine.path / networkx.shortest_path), and 100 least-cost
    (weighted) ones (reported, no goal);
  - concept lookup: 500 random concepts, the node and its 50 heaviest edges with their nodes (what the concept
    route reads through the engine; networkx: the node's data and its sorted adjacency).
The build: 5,000 insights over 200 activities (hobbies' rows, made in bulk), folded in by graph_update.
The last line gives the path query's p95 in ms."""

from __future__ import annotations

import random
import time

from common import Goal, django_on_bench_database, report

GOALS = (
    Goal("build_insights_per_s", at_least=1000, source="issue 18, item 8: incremental build >= 1,000 insights/s"),
    Goal("lookup_p95_ms_networkx", source="issue 18, item 8: side by side with NetworkX (reported)"),
    Goal("lookup_p95_ms", at_most=5, source="issue 18, item 8: concept lookup p95 <= 5 ms"),
    Goal("weighted_path_p95_ms", source="issue 18, item 4 (reported)"),
    Goal("path_p95_ms_networkx", source="issue 18, item 8: side by side with NetworkX (reported)"),
    Goal("path_p95_ms", at_most=20, source="issue 18, item 8: path query p95 <= 20 ms"),
)

NODES, COMMUNITIES, PER_NODE, INSIDE = 100_000, 1_000, 10, 8
PAIRS, WEIGHTED_PAIRS, LOOKUPS = 300, 100, 500
SEED = 18


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def generate(rng: random.Random) -> list[tuple[int, int, float]]:
    size = NODES // COMMUNITIES
    hubs = [int(NODES * rng.random() ** 3) for _ in range(NODES)]  # skewed: low ids are picked far more often
    edges, seen = [], set()
    for node in range(NODES):
        base = (node // size) * size
        made = 0
        while made < PER_NODE:
            other = base + rng.randrange(size) if made < INSIDE else hubs[rng.randrange(NODES)]
            pair = (min(node, other), max(node, other))
            if other == node or pair in seen:
                continue
            seen.add(pair)
            edges.append((node, other, round(rng.uniform(0.1, 1.0), 3)))
            made += 1
    return edges


def store(edges: list[tuple[int, int, float]]) -> dict[int, int]:
    """Nodes and edges straight into the truth's tables; {generated id: node pk}."""
    from django.db import connection
    from django.utils import timezone

    from memoryhub.models import GraphEdge, GraphNode

    GraphNode.objects.bulk_create(
        [
            GraphNode(key=f"concept:gen-{n}", kind="concept", name=f"gen-{n}", label=f"Concept {n}", mentions=n % 7)
            for n in range(NODES)
        ],
        batch_size=5000,
    )
    generated = GraphNode.objects.filter(key__startswith="concept:gen-")
    pks = {int(key[12:]): pk for key, pk in generated.values_list("key", "pk")}
    now = timezone.now()
    table = GraphEdge._meta.db_table
    rows = [(pks[a], pks[b], "related_to", w, "[]", now, now, now) for a, b, w in edges]
    columns = "source_id, target_id, relation, weight, evidence, valid_from, created_at, updated_at"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
        cursor.execute("ANALYZE")
    return pks


def build_throughput() -> float:
    from hobbies.graph_sources import read_catalogue  # noqa: F401  (hobbies registers its sources on setup)
    from hobbies.models import Activity, Insight
    from memoryhub.services.graph_build import graph_update

    skills = ["addition-2-digit", "subtraction-2-digit", "uppercase", "reverse", "sort-digits", "json-field"]
    kinds = ["off_by_small", "wrong_number", "reordered", "success_rate", "extra_text"]
    activities = Activity.objects.bulk_create(
        [Activity(activity_id=f"bench{n}", hobby_type="SKILL_PRACTICE", model_name="bench") for n in range(200)]
    )
    Insight.objects.bulk_create(
        [
            Insight(
                activity=activities[n % 200],
                skill=skills[n % len(skills)],
                kind=kinds[n % len(kinds)],
                text=f"{skills[n % len(skills)]}: {n % 9 + 1} of 10 answers were close but off by at most 10",
                share=(n % 9 + 1) / 10,
            )
            for n in range(5000)
        ],
        batch_size=1000,
    )
    graph_update(sources=["catalogue"])
    started = time.perf_counter()
    folded = graph_update(sources=["insights"])["insights"]
    return folded / (time.perf_counter() - started)


def main() -> None:
    django_on_bench_database()
    import networkx as nx
    from django.db import connection

    from memoryhub.services.graph_sql import SqlGraphEngine

    rng = random.Random(SEED)
    insights_per_s = build_throughput()
    print(f"incremental build: {insights_per_s:,.0f} insights/s")

    started = time.perf_counter()
    edges = generate(rng)
    store(edges)
    print(
        f"{NODES:,} nodes and {len(edges):,} edges stored in {time.perf_counter() - started:.0f} s ({connection.vendor})"
    )
    memory = nx.Graph()
    memory.add_weighted_edges_from(edges)
    for _, _, data in memory.edges(data=True):
        data["cost"] = 1.0 / data["weight"]

    engine = SqlGraphEngine()
    times: dict[str, list[float]] = {name: [] for name in ("path", "path_nx", "weighted", "lookup", "lookup_nx")}
    found = 0
    for turn in range(PAIRS):
        a, b = rng.randrange(NODES), rng.randrange(NODES)
        runs = [
            ("path", lambda a=a, b=b: engine.path(f"concept:gen-{a}", f"concept:gen-{b}")),
            ("path_nx", lambda a=a, b=b: nx.shortest_path(memory, a, b)),
        ]
        for name, run in runs if turn % 2 else reversed(runs):
            started = time.perf_counter()
            answer = run()
            times[name].append((time.perf_counter() - started) * 1000)
            if name == "path":
                found += answer["found"]
                assert not answer["found"] or answer["length"] == nx.shortest_path_length(memory, a, b)
    for _ in range(WEIGHTED_PAIRS):
        a, b = rng.randrange(NODES), rng.randrange(NODES)
        started = time.perf_counter()
        engine.path(f"concept:gen-{a}", f"concept:gen-{b}", weighted=True)
        times["weighted"].append((time.perf_counter() - started) * 1000)
    for turn in range(LOOKUPS):
        n = rng.randrange(NODES)
        runs = [
            ("lookup", lambda n=n: (engine.node(f"concept:gen-{n}"), engine.neighbours(f"concept:gen-{n}", limit=50))),
            (
                "lookup_nx",
                lambda n=n: (memory.nodes[n], sorted(memory[n].items(), key=lambda item: -item[1]["weight"])[:50]),
            ),
        ]
        for name, run in runs if turn % 2 else reversed(runs):
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) * 1000)
    print(f"paths found: {found} of {PAIRS}; p50 path {sorted(times['path'])[PAIRS // 2]:.2f} ms")
    report(
        GOALS,
        f"knowledge graph, {NODES:,} nodes and {len(edges):,} edges on {connection.vendor}: path p95 "
        f"{p95(times['path']):.2f} ms (NetworkX {p95(times['path_nx']):.2f} ms), lookup p95 {p95(times['lookup']):.2f} ms",
        build_insights_per_s=round(insights_per_s, 1),
        lookup_p95_ms_networkx=round(p95(times["lookup_nx"]), 3),
        lookup_p95_ms=round(p95(times["lookup"]), 3),
        weighted_path_p95_ms=round(p95(times["weighted"]), 2),
        path_p95_ms_networkx=round(p95(times["path_nx"]), 3),
        path_p95_ms=round(p95(times["path"]), 2),
    )


if __name__ == "__main__":  # bench_graph_neo4j imports the generated graph from here
    main()
