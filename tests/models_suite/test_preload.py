"""Preloading the most used models, from use counts that every process shares."""

import time

import pytest

from models_suite.models import ModelArtifact, Placement
from models_suite.services.preload import model_use_record, models_most_used, models_preload


@pytest.fixture(autouse=True)
def _fresh_counts(flush_redis):
    from django.core.cache import cache

    cache.clear()  # use counts live in the cache database


def local(name, machine="alpha"):
    return ModelArtifact.objects.create(name=name, kind="hf", path=f"/models/{name}", machine=machine)


def test_the_three_most_used_in_the_last_hour_are_chosen(db):
    for name, uses in [("a", 5), ("b", 9), ("c", 1), ("d", 7)]:
        for _ in range(uses):
            model_use_record(name)
    model_use_record("b:some-adapter")  # an adapter's use counts for its base
    assert models_most_used() == ["b", "d", "a"]
    assert models_most_used(now=time.time() + 61 * 60) == []  # an hour later, forgotten


def test_preload_sends_loads_only_for_models_not_resident_where_they_live(db):
    import json

    import redis
    from django.conf import settings

    local("a")
    local("b")
    ModelArtifact.objects.create(name="cloud", kind="remote", base_url="http://x/v1", remote_model="m")
    from django.utils import timezone

    Placement.objects.create(
        machine="alpha", pid=1, name="b", device="cpu", loaded_at=timezone.now(), last_used_at=timezone.now()
    )
    for name in ["a", "b", "cloud"]:
        model_use_record(name)
    assert models_preload() == ["a"]
    [message] = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("models.alpha", 0, -1)
    headers = json.loads(message)["headers"]
    assert headers["task"] == "models_suite.tasks.model_load_task" and "'a'" in headers["kwargsrepr"]


def test_the_preload_schedule_exists(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Preload the most used models")
    assert task.task == "models_suite.tasks.models_preload_task" and task.interval.every == 60
