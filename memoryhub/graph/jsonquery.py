"""The SQL engine's query language: a structured JSON query, read-only by construction (it has no verb that
writes), checked here before anything runs.

    {"match": {"kind": "skill", "key": "...", "name": "...", "name_contains": "...", "community": 3},
     "traverse": [{"relation": "about", "direction": "in", "kind": "insight"}, ...],   # at most 3 steps
     "where": {"min_weight": 0.5}}

Rows are the paths matched: [start node, node after step 1, ...]. A body naming a write ("create", "delete", ...)
is refused as a write; any other unknown key is refused by name."""

from __future__ import annotations

from memoryhub.graph.engine import GraphQueryError

WRITE_WORDS = {"create", "merge", "set", "delete", "remove", "update", "insert", "drop", "detach", "upsert"}
MATCH_KEYS = {"kind", "key", "name", "name_contains", "community"}
STEP_KEYS = {"relation", "direction", "kind"}
WHERE_KEYS = {"min_weight"}
TOP_KEYS = {"match", "traverse", "where"}
MAX_STEPS = 3
DIRECTIONS = ("out", "in", "both")


def _strings(where: str, body: dict, allowed: set[str]) -> None:
    if not isinstance(body, dict):
        raise GraphQueryError(where, f"{where} is an object")
    for key, value in body.items():
        if key.lower() in WRITE_WORDS:
            raise GraphQueryError(where, f"queries are read-only: {key!r} would write", "write_refused")
        if key not in allowed:
            raise GraphQueryError(f"{where}.{key}", f"unknown key {key!r}; known: {', '.join(sorted(allowed))}")
        if key in ("community",):
            if isinstance(value, bool) or not isinstance(value, int):
                raise GraphQueryError(f"{where}.{key}", f"{key} is an integer")
        elif key == "min_weight":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise GraphQueryError(f"{where}.{key}", f"{key} is a number")
        elif not isinstance(value, str) or not value or len(value) > 400 or "\x00" in value:
            raise GraphQueryError(f"{where}.{key}", f"{key} is non-empty text of at most 400 characters")


def json_query_check(query) -> dict:
    """The query, checked: GraphQueryError names what is wrong."""
    if not isinstance(query, dict):
        raise GraphQueryError("query", "the SQL engine's query is a JSON object: {match, traverse?, where?}")
    _strings("query", {key: "x" for key in query if key not in TOP_KEYS} or {}, TOP_KEYS)
    match = query.get("match")
    if not isinstance(match, dict) or not match:
        raise GraphQueryError("query.match", "match names at least one of " + ", ".join(sorted(MATCH_KEYS)))
    _strings("query.match", match, MATCH_KEYS)
    steps = query.get("traverse", [])
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        raise GraphQueryError("query.traverse", f"traverse is a list of at most {MAX_STEPS} steps")
    for index, step in enumerate(steps):
        _strings(f"query.traverse[{index}]", step, STEP_KEYS)
        if step.get("direction", "both") not in DIRECTIONS:
            raise GraphQueryError(f"query.traverse[{index}].direction", "direction is out, in or both")
    _strings("query.where", query.get("where", {}), WHERE_KEYS)
    return query
