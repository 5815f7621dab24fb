"""Key-value memories in Redis: JSON values under the originals' namespaces, with optional TTLs.

Each namespace has its originals' key prefix ("{prefix}:{key}") and lives in one of three logical Redis
databases (settings.MEMORY_REDIS_URLS): cache, sessions or knowledge. Listing walks keys with SCAN, never
KEYS, so a large namespace never blocks Redis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis
from django.conf import settings

from core.errors import Invalid, TooLarge
from core.redis_clients import client_for

MAX_VALUE_BYTES = 1024 * 1024
MAX_KEY_CHARS = 512
LIST_LIMIT_MAX = 1000
MAX_EXPIRE_SECONDS = 10 * 365 * 24 * 3600  # Redis refuses absurd expiries; ten years is already one


@dataclass(frozen=True)
class Namespace:
    name: str
    prefix: str
    store: str  # cache | sessions | knowledge


NAMESPACES = {
    ns.name: ns
    for ns in [
        Namespace("memory_client", "mc", "cache"),
        Namespace("session_memory", "sm", "sessions"),
        Namespace("knowledge_base", "kb", "knowledge"),
        Namespace("memory_orchestrator", "mo", "knowledge"),
        Namespace("unified_memory_reasoning", "umr", "knowledge"),
        Namespace("context_manager", "cm", "sessions"),
        Namespace("experience_tracker", "et", "knowledge"),
        Namespace("cache_manager", "cache", "cache"),
    ]
}
BY_PREFIX = {ns.prefix: ns for ns in NAMESPACES.values()}


class ValueTooLarge(TooLarge):
    """A value over MAX_VALUE_BYTES as JSON."""


def namespace_resolve(name: str) -> Namespace:
    """A namespace by its name ("memory_client") or its prefix ("mc"); 400 naming the valid ones otherwise."""
    found = NAMESPACES.get(name) or BY_PREFIX.get(name)
    if found is None:
        raise Invalid(
            {
                "namespace": [
                    f"unknown namespace {name!r}; use one of {', '.join(sorted(NAMESPACES))} (or their prefixes "
                    f"{', '.join(sorted(BY_PREFIX))})"
                ]
            }
        )
    return found


def _client(namespace: Namespace) -> redis.Redis:
    return client_for(settings.MEMORY_REDIS_URLS[namespace.store])


def _redis_key(namespace: Namespace, key: str) -> str:
    if not key or len(key) > MAX_KEY_CHARS:
        raise Invalid({"key": [f"a key is 1 to {MAX_KEY_CHARS} characters"]})
    return f"{namespace.prefix}:{key}"


def kv_set(*, namespace: str, key: str, value, expire_seconds: int | None = None) -> dict:
    ns = namespace_resolve(namespace)
    redis_key = _redis_key(ns, key)
    if expire_seconds is not None and not 1 <= expire_seconds <= MAX_EXPIRE_SECONDS:
        raise Invalid({"expire": [f"expire is whole seconds, 1 to {MAX_EXPIRE_SECONDS}"]})
    encoded = json.dumps(value, separators=(",", ":"))
    if len(encoded.encode()) > MAX_VALUE_BYTES:
        raise ValueTooLarge(f"The value is {len(encoded.encode()):,} bytes as JSON; the limit is {MAX_VALUE_BYTES:,}.")
    _client(ns).set(redis_key, encoded, ex=expire_seconds)
    return {"key": key, "namespace": ns.name, "stored": True, "expire": expire_seconds}


def kv_get(*, namespace: str, key: str) -> dict:
    """The originals' shape: {key, value, namespace, exists}; value None when the key is absent."""
    ns = namespace_resolve(namespace)
    raw = _client(ns).get(_redis_key(ns, key))
    return {
        "key": key,
        "value": None if raw is None else json.loads(raw),
        "namespace": ns.name,
        "exists": raw is not None,
    }


def kv_ttl(*, namespace: str, key: str) -> int | None:
    """Seconds left, None for a key without expiry or absent."""
    ns = namespace_resolve(namespace)
    ttl = _client(ns).ttl(_redis_key(ns, key))
    return ttl if ttl >= 0 else None


def kv_delete(*, namespace: str, key: str) -> bool:
    ns = namespace_resolve(namespace)
    return bool(_client(ns).delete(_redis_key(ns, key)))


def kv_list(*, namespace: str, pattern: str = "*", limit: int = LIST_LIMIT_MAX) -> list[str]:
    """Keys of the namespace matching a glob pattern (without the prefix), sorted, at most `limit`."""
    ns = namespace_resolve(namespace)
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise Invalid({"limit": [f"limit is between 1 and {LIST_LIMIT_MAX}"]})
    start = len(ns.prefix) + 1
    keys = set()
    for raw in _client(ns).scan_iter(match=f"{ns.prefix}:{pattern or '*'}", count=500):
        keys.add(raw.decode()[start:])
        if len(keys) >= limit:
            break
    return sorted(keys)
