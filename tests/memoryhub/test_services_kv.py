"""Key-value memories in Redis: namespaces and their databases, JSON values, TTLs, SCAN listing, limits."""

import pytest
import redis

from core.errors import Invalid
from memoryhub.services import kv


def test_values_round_trip_as_json_in_the_namespaces_database_under_its_prefix(memory_redis):
    kv.kv_set(namespace="knowledge_base", key="fact:1", value={"text": "water boils", "at": [100, "C"]})
    assert kv.kv_get(namespace="knowledge_base", key="fact:1") == {
        "key": "fact:1",
        "value": {"text": "water boils", "at": [100, "C"]},
        "namespace": "knowledge_base",
        "exists": True,
    }
    # the originals' layout: "{prefix}:{key}" in the knowledge database, not in the cache one
    assert redis.Redis.from_url(memory_redis["knowledge"]).get("kb:fact:1") is not None
    assert redis.Redis.from_url(memory_redis["cache"]).get("kb:fact:1") is None
    assert kv.kv_get(namespace="kb", key="fact:1")["exists"]  # a prefix names its namespace too
    assert kv.kv_get(namespace="knowledge_base", key="nope") == {
        "key": "nope",
        "value": None,
        "namespace": "knowledge_base",
        "exists": False,
    }


def test_three_separate_databases():
    from django.conf import settings

    assert len(set(settings.MEMORY_REDIS_URLS.values())) == 3
    others = {settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND, settings.CACHES["default"]["LOCATION"]}
    assert not others & set(settings.MEMORY_REDIS_URLS.values())


def test_a_ttl_expires_the_key(memory_redis):
    kv.kv_set(namespace="cache_manager", key="soon", value=1, expire_seconds=30)
    assert 0 < kv.kv_ttl(namespace="cache_manager", key="soon") <= 30
    redis.Redis.from_url(memory_redis["cache"]).pexpire("cache:soon", 1)  # let time pass, without waiting
    import time

    time.sleep(0.01)
    assert not kv.kv_get(namespace="cache_manager", key="soon")["exists"]


def test_listing_uses_the_pattern_within_the_namespace_only(memory_redis):
    for key in ("task:1", "task:2", "note:1"):
        kv.kv_set(namespace="memory_client", key=key, value=key)
    kv.kv_set(namespace="session_memory", key="task:9", value=0)
    assert kv.kv_list(namespace="memory_client") == ["note:1", "task:1", "task:2"]
    assert kv.kv_list(namespace="memory_client", pattern="task:*") == ["task:1", "task:2"]
    assert kv.kv_list(namespace="memory_client", pattern="task:*", limit=1) in (["task:1"], ["task:2"])


def test_listing_never_uses_keys(memory_redis, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("KEYS blocks Redis; SCAN must be used")

    monkeypatch.setattr(redis.Redis, "keys", refuse)
    kv.kv_set(namespace="memory_client", key="a", value=1)
    assert kv.kv_list(namespace="memory_client") == ["a"]


def test_delete(memory_redis):
    kv.kv_set(namespace="memory_client", key="a", value=1)
    assert kv.kv_delete(namespace="memory_client", key="a") is True
    assert kv.kv_delete(namespace="memory_client", key="a") is False


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: kv.kv_set(namespace="elsewhere", key="a", value=1), "namespace"),
        (lambda: kv.kv_set(namespace="memory_client", key="", value=1), "key"),
        (lambda: kv.kv_set(namespace="memory_client", key="a", value=1, expire_seconds=0), "expire"),
        (lambda: kv.kv_list(namespace="memory_client", limit=0), "limit"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(memory_redis, call, field):
    with pytest.raises(Invalid) as refused:
        call()
    assert field in refused.value.details
    assert all(redis.Redis.from_url(url).dbsize() == 0 for url in memory_redis.values())


def test_a_value_over_one_mebibyte_is_413_and_not_stored(memory_redis):
    with pytest.raises(kv.ValueTooLarge) as refused:
        kv.kv_set(namespace="memory_client", key="big", value="x" * (1024 * 1024))
    assert refused.value.status == 413
    assert not kv.kv_get(namespace="memory_client", key="big")["exists"]
