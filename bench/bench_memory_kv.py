"""Key-value memories through the service layer (namespace check, JSON, the namespace's database) against
raw redis-py doing the same SET and GET of the same JSON, side by side in one run.
Goal (issue 4): at least 0.80x raw throughput.
"""

import json

from common import Goal, django_on_scratch_database, report, side_by_side

GOALS = (Goal("ratio", at_least=0.80, source="issue 4, item 8: at least 80 % of raw redis-py throughput"),)

django_on_scratch_database()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402

from memoryhub.services import kv  # noqa: E402

VALUE = {"text": "the agent answered 12+30 correctly", "score": 1.0, "tags": ["arithmetic", "practice"]}
raw = redis.Redis.from_url(settings.MEMORY_REDIS_URLS["cache"])
counter = {"n": 0}


def through_service():
    counter["n"] = (counter["n"] + 1) % 1000
    key = f"bench:{counter['n']}"
    kv.kv_set(namespace="memory_client", key=key, value=VALUE)
    kv.kv_get(namespace="memory_client", key=key)


def raw_redis():
    counter["n"] = (counter["n"] + 1) % 1000
    key = f"mc:bench:{counter['n']}"
    raw.set(key, json.dumps(VALUE, separators=(",", ":")))
    json.loads(raw.get(key))


service_seconds, raw_seconds = side_by_side(through_service, raw_redis, rounds=9, per_round=500)
raw.flushdb()
print(f"set+get: service {service_seconds * 1e6:.0f} us, raw redis-py {raw_seconds * 1e6:.0f} us")
report(
    GOALS,
    f"memory_kv ratio (service throughput / raw redis-py throughput): {raw_seconds / service_seconds:.3f}",
    ratio=raw_seconds / service_seconds,
)
