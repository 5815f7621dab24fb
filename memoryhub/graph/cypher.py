"""Cypher as text for the Neo4j engine (memoryhub.graph.neo4j_engine): literals written by us (FalkorDB's Bolt
pastes parameters into the query unescaped, so the engine sends none), the read-only check every query passes
before it runs, and our nodes and edges to and from the copy's properties. Pure: no Django."""

from __future__ import annotations

import json
import math
import re

import neo4j

from memoryhub.graph.engine import GraphQueryError

NODE_FIELDS = ("key", "kind", "name", "label", "aliases", "properties", "mentions", "community", "community_label")

# --- Cypher literals ----------------------------------------------------------------------------------------------
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def cypher_literal(value) -> str:
    """A value as Cypher text both servers read back exactly (floats by their shortest exact repr)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValueError(f"{value} does not fit a 64-bit integer")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no Cypher literal")
        return repr(value).replace("e+", "e")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("FalkorDB cannot store a NUL character")
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_name(key)}: {cypher_literal(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _name(key: str) -> str:
    return key if _NAME.match(key) else "`" + key.replace("`", "``") + "`"


# --- the read-only check --------------------------------------------------------------------------------------------
_TOKENS = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
      |(?P<string>'(?:\\.|[^'\\])*(?:'|\Z)|"(?:\\.|[^"\\])*(?:"|\Z))
      |(?P<quoted>`(?:[^`]|``)*(?:`|\Z))
      |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<other>\S)""",
    re.S | re.X,
)
WRITE_WORDS = {
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH", "LOAD", "INSERT",
    "ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "DEALLOCATE", "REALLOCATE",
}  # fmt: skip
# Administration verbs that are common variable names too (MATCH (start)-->(stop)): writes only with their object.
WRITE_PAIRS = {("DETACH", "DELETE"), ("LOAD", "CSV"), ("START", "DATABASE"), ("STOP", "DATABASE"),
               ("ENABLE", "SERVER"), ("TERMINATE", "TRANSACTION"), ("TERMINATE", "TRANSACTIONS")}  # fmt: skip
# Procedures that only read, on either server; any other CALL is refused (db.createLabel, apoc.*, gds.*.write, ...).
READ_PROCEDURES = re.compile(
    r"(db\.(labels|relationshiptypes|propertykeys|indexes|constraints|schema\.\w+|idx\.(fulltext|vector)\.query\w*)"
    r"|dbms\.(components|procedures|functions)|algo\.\w+)\Z",
    re.I,
)


def check_read_only(text: str) -> None:
    """GraphQueryError('query', ..., 'write_refused') naming the first write in the query. It reads the query as the
    servers' lexer does: comments and string literals hide nothing, and a keyword split by a comment is two words."""
    tokens = [(match.lastgroup, match.group()) for match in _TOKENS.finditer(text) if match.lastgroup != "comment"]
    for index, (kind, value) in enumerate(tokens):
        if kind != "word":
            continue
        previous = tokens[index - 1][1] if index else ""
        if previous in (".", "$", ":"):
            continue  # a property, parameter, label or type named like a keyword
        word = value.upper()
        following = tokens[index + 1][1].upper() if index + 1 < len(tokens) else ""
        if word in WRITE_WORDS or (word, following) in WRITE_PAIRS:
            clause = f"{word} {following}" if (word, following) in WRITE_PAIRS else word
            raise GraphQueryError(
                "query", f"queries are read-only here: {clause} writes and is refused", "write_refused"
            )
        if word == "CALL" and index + 1 < len(tokens) and tokens[index + 1][1] != "{":
            parts, at = [], index + 1
            while at < len(tokens) and tokens[at][0] in ("word", "quoted"):
                parts.append(tokens[at][1].strip("`"))
                if at + 1 < len(tokens) and tokens[at + 1][1] == ".":
                    at += 2
                    continue
                break
            procedure = ".".join(parts)
            if not READ_PROCEDURES.match(procedure):
                raise GraphQueryError(
                    "query", f"queries are read-only here: CALL {procedure or '?'} is not a known read procedure",
                    "write_refused",
                )  # fmt: skip


# --- rows in, dicts out ---------------------------------------------------------------------------------------------
def _list_property(row: dict, name: str, value) -> None:
    value = list(value or [])
    if all(isinstance(item, str) for item in value):
        row[name] = value
    else:  # both servers store only lists of one primitive type
        row[f"{name}_json"] = json.dumps(value)


def _read_list(props: dict, name: str) -> list:
    if f"{name}_json" in props:
        return json.loads(props[f"{name}_json"])
    return list(props.get(name) or [])


def node_row(node: dict) -> dict:
    row = {field: node.get(field) for field in NODE_FIELDS if field not in ("aliases", "properties")}
    row["properties"] = json.dumps(node.get("properties") or {}, ensure_ascii=False)
    _list_property(row, "aliases", node.get("aliases"))
    return {key: value for key, value in row.items() if value is not None}


def node_from(props: dict) -> dict:
    node = {field: props.get(field) for field in NODE_FIELDS}
    node["aliases"] = _read_list(props, "aliases")
    node["properties"] = json.loads(props.get("properties") or "{}")
    return node


def edge_row(edge: dict) -> dict:
    row = {key: edge.get(key) for key in ("id", "relation", "weight", "valid_from", "valid_to")}
    _list_property(row, "evidence", edge.get("evidence"))
    return {key: value for key, value in row.items() if value is not None}


def edge_from(props: dict, source: str | None, target: str | None) -> dict:
    return {
        "id": props.get("id"),
        "source": source,
        "target": target,
        "relation": props.get("relation"),
        "weight": props.get("weight"),
        "evidence": _read_list(props, "evidence"),
        "valid_from": props.get("valid_from"),
        "valid_to": props.get("valid_to"),
    }


def plain(value):
    """A result value as JSON: our nodes and edges in the engines' shapes, other graph values as plain maps."""
    if isinstance(value, neo4j.graph.Node):
        props = dict(value)
        return node_from(props) if "key" in props else {"labels": sorted(value.labels), "properties": props}
    if isinstance(value, neo4j.graph.Relationship):
        props = dict(value)
        if "id" in props and "relation" in props:
            ends = [node.get("key") if node is not None else None for node in value.nodes]
            return edge_from(props, *ends)
        return {"type": value.type, "properties": props}
    if isinstance(value, neo4j.graph.Path):
        return {"nodes": [plain(node) for node in value.nodes], "edges": [plain(rel) for rel in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if hasattr(value, "iso_format"):  # neo4j.time values
        return value.iso_format()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # points, durations, bytes
