"""The Neo4j engine: a copy of the truth held in a Bolt server (Neo4j 5, or FalkorDB as memoryhub.graph.bolt_server
starts it), loaded by rebuild, kept in sync by upsert and remove, and queried in openCypher, read-only.

The model, the same on both servers:
  (:Node {key, kind, name, label, aliases, properties, mentions, community, community_label})
  (:Node)-[:REL {id, relation, weight, evidence, valid_from, valid_to}]->(:Node)
One label and one relationship type, the relation as a property: both servers index it (Node.key, REL.id), MERGE
needs one type to find an edge by id, and a closed fact keeps its row with valid_to set (null: it holds now), so a
Cypher reader filters `WHERE r.valid_to IS NULL` for what is true today. `properties` is JSON text (neither server
stores a map in a property); aliases and evidence are lists of strings (any other list goes in `<name>_json` as JSON
text); times are ISO 8601 text. snapshot() turns all of it back into exactly the dicts that went in.

What FalkorDB 4.16's Bolt and Cypher lack against Neo4j 5, and what this module does about it:
- Query parameters are spliced into the query text by the server, unescaped, into a 4096-byte stack buffer: a
  string holding a quote breaks the query, a float keeps six decimals, a large batch overflows the buffer. So no
  parameters are ever sent: values are written as Cypher literals here (only \\ and ' escaped; FalkorDB does not
  read \\uXXXX escapes, so every other character goes as it is; NUL cannot be stored).
- Transactions are not implemented: BEGIN, COMMIT and ROLLBACK answer success and do nothing; a read transaction
  writes as readily as a write one. The write refusal below (before anything runs) is all that keeps a FalkorDB
  copy read-only; on Neo4j the read transaction refuses writes too. A rebuild is visible while it runs.
- The database cannot be chosen: the graph is named after the first key of RUN's extra map ("db", or "mode" in a
  read session), and is "falkordb" inside an explicit transaction. So every call here runs in an explicit
  transaction, and `database` is refused on FalkorDB.
- Errors carry no message or code (every one is Neo.DatabaseError.General.UnknownError): a refused query can only
  be reported as refused.
- No per-query time limit: tx_timeout is ignored, so the limit is kept here (the caller stops waiting; the server's
  TIMEOUT_DEFAULT ends the query). Neo4j gets the limit as the transaction's timeout as well.
- shortestPath is directed only, and neither has a weighted path in plain Cypher (Neo4j 5 needs GDS or APOC):
  paths are searched here from both ends, one Cypher round trip per level (memoryhub.graph.paths, as the SQL
  engine does), so both servers give the SQL engine's answers.
- `CREATE INDEX ... IF NOT EXISTS` and `CREATE CONSTRAINT` are not Cypher in FalkorDB: indexes are created when
  db.indexes() lacks them, and keys stay unique by MERGE alone. EXPLAIN runs the query instead of planning it.
- Ordering by an unprojected path expression (ORDER BY length(p)) fails; map-valued properties are refused.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

import neo4j
from neo4j.exceptions import DatabaseError, Neo4jError

from memoryhub.graph.cypher import check_read_only, cypher_literal, edge_from, edge_row, node_from, node_row, plain
from memoryhub.graph.engine import (
    MAX_HOPS,
    NEIGHBOUR_LIMIT,
    GraphQueryError,
    GraphQueryTimeout,
    QueryLimits,
    stats_of,
)
from memoryhub.graph.paths import SearchTooLarge, cheapest_path, shortest_path

BATCH = 500  # rows per UNWIND: a few hundred KB of query text
EXPAND_CHUNK = 2000  # node keys per path-search round trip
CLEAR_CHUNK = 10_000  # nodes deleted per transaction, so that clearing a large copy never holds it all at once
NEO4J_GRACE_S = 0.5  # Neo4j ends a query at its own limit: wait this much longer for its answer
FALKORDB, NEO4J = "falkordb", "neo4j"


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Neo4jGraphEngine:
    name = "neo4j"

    def __init__(self, url: str, user: str | None = None, password: str | None = None, database: str | None = None):
        parts = urlsplit(url)
        if parts.username is not None:  # bolt://user:password@host:port, as bolt_server gives it
            user = user or unquote(parts.username)
            password = password or unquote(parts.password or "")
            url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        self.url, self.database = url, database
        auth = (user, password or "") if user else None
        self._driver = neo4j.GraphDatabase.driver(url, auth=auth, connection_timeout=10)
        self._server: str | None = None
        self._indexed = False
        self._lock = threading.Lock()

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jGraphEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- talking to the server ----------------------------------------------------------------------------------
    def _session(self, mode=neo4j.WRITE_ACCESS, **config) -> neo4j.Session:
        return self._driver.session(database=self.database, default_access_mode=mode, **config)

    def _run(self, text: str, *, write: bool = False) -> list[list]:
        """Every call in an explicit transaction: only there does FalkorDB find the graph (see above)."""
        self.server()
        with self._session(neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS) as session:
            work = session.execute_write if write else session.execute_read
            return work(lambda tx: [record.values() for record in tx.run(text)])

    def server(self) -> str:
        """'neo4j' or 'falkordb': FalkorDB introduces itself as Neo4j/5.13.0 but has no dbms.components()."""
        if self._server is None:
            with self._lock, self._session(neo4j.READ_ACCESS) as session:
                if self._server is None:
                    try:
                        session.execute_read(lambda tx: tx.run("CALL dbms.components() YIELD name RETURN name").data())
                        self._server = NEO4J
                    except DatabaseError:
                        self._server = FALKORDB
        if self._server == FALKORDB and self.database:
            raise ValueError("FalkorDB's Bolt cannot choose a database: leave database unset")
        return self._server

    def _ensure_indexes(self) -> None:
        if self._indexed:
            return
        if self.server() == NEO4J:
            self._run(
                "CREATE CONSTRAINT autodidact_node_key IF NOT EXISTS FOR (n:Node) REQUIRE n.key IS UNIQUE", write=True
            )
            self._run("CREATE INDEX autodidact_rel_id IF NOT EXISTS FOR ()-[r:REL]-() ON (r.id)", write=True)
        else:
            have = {(row[0], tuple(row[1])) for row in self._run("CALL db.indexes() YIELD label, properties")}
            if ("Node", ("key",)) not in have:
                self._run("CREATE INDEX FOR (n:Node) ON (n.key)", write=True)
            if ("REL", ("id",)) not in have:
                self._run("CREATE INDEX FOR ()-[r:REL]-() ON (r.id)", write=True)
        self._indexed = True

    # --- keeping the copy -----------------------------------------------------------------------------------------
    def _write_nodes(self, nodes: list[dict]) -> int:
        written = 0
        for chunk in _chunks([node_row(node) for node in nodes], BATCH):
            rows = self._run(
                f"UNWIND {cypher_literal(chunk)} AS row MERGE (n:Node {{key: row.key}}) SET n = row RETURN count(n)",
                write=True,
            )
            written += rows[0][0]
        return written

    def _write_edges(self, edges: list[dict], *, fresh: bool) -> int:
        written = 0
        rows = [{"id": e["id"], "source": e["source"], "target": e["target"], "props": edge_row(e)} for e in edges]
        for chunk in _chunks(rows, BATCH):
            batch = cypher_literal(chunk)
            if not fresh:
                # An edge whose ends changed (a merge moved it) leaves its old ends first. No labels on a and b: with
                # them FalkorDB scans every node, per row, before it uses the REL.id index.
                self._run(
                    f"UNWIND {batch} AS row MATCH (a)-[old:REL {{id: row.id}}]->(b) "
                    "WHERE a.key <> row.source OR b.key <> row.target DELETE old",
                    write=True,
                )
            put = "CREATE (s)-[r:REL]->(t)" if fresh else "MERGE (s)-[r:REL {id: row.id}]->(t)"
            found = self._run(
                f"UNWIND {batch} AS row MATCH (s:Node {{key: row.source}}), (t:Node {{key: row.target}}) "
                f"{put} SET r = row.props RETURN count(r)",
                write=True,
            )
            written += found[0][0]
        return written

    def rebuild(self, nodes: Iterable[dict], edges: Iterable[dict]) -> dict:
        started = time.monotonic()
        nodes, edges = list(nodes), list(edges)
        self._ensure_indexes()
        while self._run(f"MATCH (n:Node) WITH n LIMIT {CLEAR_CHUNK} DETACH DELETE n RETURN count(*)", write=True)[0][0]:
            pass
        node_count = self._write_nodes(nodes)
        edge_count = self._write_edges(edges, fresh=True)
        return {
            "nodes": node_count,
            "edges": edge_count,
            "skipped_edges": len(edges) - edge_count,  # an end not among the nodes
            "seconds": round(time.monotonic() - started, 3),
        }

    def upsert(self, nodes: Iterable[dict], edges: Iterable[dict]) -> dict:
        self._ensure_indexes()
        return {"nodes": self._write_nodes(list(nodes)), "edges": self._write_edges(list(edges), fresh=False)}

    def remove(self, node_keys: Iterable[str], edge_ids: Iterable[int]) -> None:
        for chunk in _chunks(list(edge_ids), BATCH):
            self._run(f"UNWIND {cypher_literal(chunk)} AS id MATCH ()-[r:REL {{id: id}}]->() DELETE r", write=True)
        for chunk in _chunks(list(node_keys), BATCH):
            self._run(f"UNWIND {cypher_literal(chunk)} AS k MATCH (n:Node {{key: k}}) DETACH DELETE n", write=True)

    def snapshot(self) -> tuple[list[dict], list[dict]]:
        nodes = [node_from(dict(row[0])) for row in self._run("MATCH (n:Node) RETURN n")]
        edges = [
            edge_from(dict(row[2]), row[0], row[1])
            for row in self._run("MATCH (a:Node)-[r:REL]->(b:Node) RETURN a.key, b.key, r")
        ]
        return sorted(nodes, key=lambda node: node["key"]), sorted(edges, key=lambda edge: edge["id"])

    # --- lookups --------------------------------------------------------------------------------------------------
    def node(self, key: str) -> dict | None:
        rows = self._run(f"MATCH (n:Node {{key: {cypher_literal(key)}}}) RETURN n LIMIT 1")
        return node_from(dict(rows[0][0])) if rows else None

    def neighbours(
        self, key: str, *, relation: str | None = None, direction: str = "both", limit: int = NEIGHBOUR_LIMIT
    ) -> list[dict]:
        pattern = {"out": "(n)-[r:REL]->(m:Node)", "in": "(n)<-[r:REL]-(m:Node)"}.get(direction, "(n)-[r:REL]-(m:Node)")
        where = "r.valid_to IS NULL" + (f" AND r.relation = {cypher_literal(relation)}" if relation else "")
        rows = self._run(
            f"MATCH (n:Node {{key: {cypher_literal(key)}}}) MATCH {pattern} WHERE {where} "
            f"RETURN m, r, startNode(r) = n AS out ORDER BY r.weight DESC, r.id LIMIT {max(0, int(limit))}"
        )
        found = []
        for other, rel, out in rows:
            other_node = node_from(dict(other))
            ends = (key, other_node["key"]) if out else (other_node["key"], key)
            found.append({"node": other_node, "edge": edge_from(dict(rel), *ends), "direction": "out" if out else "in"})
        return found

    # --- paths ----------------------------------------------------------------------------------------------------
    def _expand(self, keys: list[str]) -> dict[str, list[tuple[str, float]]]:
        found: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for chunk in _chunks(keys, EXPAND_CHUNK):
            for key, other, weight in self._run(
                f"UNWIND {cypher_literal(chunk)} AS k MATCH (n:Node {{key: k}})-[r:REL]-(m:Node) "
                "WHERE r.valid_to IS NULL RETURN k, m.key, r.weight"
            ):
                found[key].append((other, weight))
        return found

    def path(self, from_key: str, to_key: str, *, weighted: bool = False, max_hops: int = MAX_HOPS) -> dict:
        answer: dict = {"from": from_key, "to": to_key, "weighted": weighted}
        for key in (from_key, to_key):
            if self.node(key) is None:
                return {**answer, "found": False, "message": f"no node {key!r}"}
        try:
            if weighted:
                result = cheapest_path(self._expand, from_key, to_key, max_hops=max_hops)
                keys, cost = result if result else (None, None)
            else:
                keys, cost = shortest_path(self._expand, from_key, to_key, max_hops=max_hops), None
        except SearchTooLarge as error:
            return {**answer, "found": False, "message": str(error)}
        if keys is None:
            return {**answer, "found": False, "message": f"no path within {max_hops} hops"}
        return {**answer, **self._path_body(keys), "found": True, **({"cost": cost} if weighted else {})}

    def _path_body(self, keys: list[str]) -> dict:
        found = self._run(f"UNWIND {cypher_literal(keys)} AS k MATCH (n:Node {{key: k}}) RETURN n")
        nodes = {props["key"]: node_from(props) for props in (dict(row[0]) for row in found)}
        pairs = [[a, b] for a, b in zip(keys, keys[1:])]
        best: dict[tuple[str, str], tuple] = {}
        rows = self._run(
            f"UNWIND {cypher_literal(pairs)} AS pair MATCH (a:Node {{key: pair[0]}})-[r:REL]-(b:Node {{key: pair[1]}}) "
            "WHERE r.valid_to IS NULL RETURN pair[0], pair[1], startNode(r).key, endNode(r).key, r"
        )
        for a, b, source, target, rel in rows:
            props = dict(rel)
            rank = (-props["weight"], props["id"])  # the heaviest edge joining two steps, as the SQL engine takes
            if (a, b) not in best or rank < best[(a, b)][0]:
                best[(a, b)] = (rank, edge_from(props, source, target))
        edges = [best[(a, b)][1] for a, b in pairs]
        cost = sum(1.0 / max(edge["weight"], 1e-9) for edge in edges)
        return {
            "length": len(keys) - 1,
            "cost": round(cost, 6),
            "path": list(keys),
            "nodes": [nodes[key] for key in keys],
            "edges": edges,
        }

    # --- openCypher -----------------------------------------------------------------------------------------------
    def query(self, query, *, limits: QueryLimits) -> dict:
        """openCypher, read-only, at most limits.rows rows, within limits.time_ms. The query runs on a thread of its
        own so that the wait can end at the limit even where the server cannot be told it (FalkorDB)."""
        if not isinstance(query, str) or not query.strip():
            raise GraphQueryError("query", "the query is openCypher text")
        check_read_only(query)
        server = self.server()
        box: dict = {}
        done = threading.Event()

        def work() -> None:
            try:
                self._read_rows(query, limits, box, done)
            except BaseException as error:  # handed to the caller's thread
                box.setdefault("error", error)
            finally:
                done.set()

        started = time.monotonic()
        threading.Thread(target=work, name="cypher-query", daemon=True).start()
        if not done.wait(limits.time_ms / 1000 + (NEO4J_GRACE_S if server == NEO4J else 0.0)):
            raise GraphQueryTimeout(limits.time_ms)  # the thread ends when the server's own limit stops the query
        if "result" in box:
            return box["result"]
        error = box["error"]
        if (
            server == FALKORDB
            and isinstance(error, DatabaseError)
            and time.monotonic() - started >= 0.9 * limits.time_ms / 1000
        ):
            raise GraphQueryTimeout(limits.time_ms)  # an error as late as the limit: the server's own timeout
        raise self._query_error(error, limits)

    def _read_rows(self, text: str, limits: QueryLimits, box: dict, done: threading.Event) -> None:
        with self._session(neo4j.READ_ACCESS, fetch_size=limits.rows + 1) as session:
            with session.begin_transaction(timeout=limits.time_ms / 1000) as tx:
                result = tx.run(text)
                columns, truncated = list(result.keys()), False
                rows: list[list] = []
                for record in result:
                    if len(rows) == limits.rows:
                        truncated = True
                        break
                    rows.append([plain(value) for value in record.values()])
                box["result"] = {"columns": columns, "rows": rows, "truncated": truncated}
                done.set()  # the caller has its answer; closing (and discarding what is left) goes on here

    def _query_error(self, error: BaseException, limits: QueryLimits) -> BaseException:
        if isinstance(error, GraphQueryError):
            return error
        if not isinstance(error, Neo4jError):
            return error  # the server is down or the connection broke: a failure, not the query's fault
        code = error.code or ""
        if "TimedOut" in code or code.endswith("Transaction.Terminated"):
            return GraphQueryTimeout(limits.time_ms)
        if code.endswith("AccessMode") or "ReadOnly" in code:
            return GraphQueryError("query", f"queries are read-only here: {error.message}", "write_refused")
        if self._server == FALKORDB and isinstance(error, DatabaseError):
            return GraphQueryError(
                "query",
                "FalkorDB refused the query without a reason (its Bolt sends none): check the syntax, and that "
                "FalkorDB supports what it uses",
            )
        if code.startswith("Neo.ClientError"):
            return GraphQueryError("query", error.message or code)
        return error

    # --- figures --------------------------------------------------------------------------------------------------
    def stats(self) -> dict:
        kinds = dict(sorted((kind, n) for kind, n in self._run("MATCH (n:Node) RETURN n.kind, count(*)")))
        relations = dict(
            sorted(self._run("MATCH (:Node)-[r:REL]->(:Node) WHERE r.valid_to IS NULL RETURN r.relation, count(*)"))
        )
        return stats_of(kinds, relations)
