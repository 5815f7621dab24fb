"""Dataset builds asked for over the API: built once by the worker, failing plainly on too little data, sent again
when their message was lost or their worker died, and never run inside a request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.heavy import HeavyWorkInRequest, answering
from learning.loop import dataset_builds
from learning.models import DatasetBuild, TrainingDataset
from learning.tasks import dataset_build_task
from tests.learning.lora_factories import dirs_empty, lora_dirs, practised  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dirs(lora_dirs):
    return lora_dirs


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(dataset_build_task, "apply_async", lambda kwargs, queue: messages.append(kwargs["build_pk"]))
    return messages


def test_too_little_data_fails_the_build_saying_so_and_writes_nothing(settings):
    practised(3)
    build = DatasetBuild.objects.create(params={"days_back": 7, "min_examples": 10})
    failed = dataset_builds.build_execute(build_pk=build.pk)
    assert failed.status == "failed" and "Only 3 training examples" in failed.error and failed.lease_until is None
    assert failed.dataset is None and not TrainingDataset.objects.exists() and dirs_empty(settings)


def test_a_build_held_by_a_live_worker_is_not_taken_and_a_dead_ones_is():
    practised(12)
    build = DatasetBuild.objects.create(
        params={}, status="building", lease_until=timezone.now() + timedelta(minutes=5), attempts=1
    )
    assert dataset_builds.build_execute(build_pk=build.pk) is None  # a redelivered message while it builds
    DatasetBuild.objects.filter(pk=build.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    done = dataset_builds.build_execute(build_pk=build.pk)
    assert done.status == "completed" and done.attempts == 2 and TrainingDataset.objects.count() == 1


def test_the_sweep_sends_lost_and_dead_builds_again(sent):
    long_ago = timezone.now() - timedelta(hours=1)
    lost = DatasetBuild.objects.create(params={})
    DatasetBuild.objects.filter(pk=lost.pk).update(created_at=long_ago)
    dead = DatasetBuild.objects.create(params={}, status="building", lease_until=timezone.now() - timedelta(seconds=1))
    fresh = DatasetBuild.objects.create(params={})  # its message may still be on its way
    live = DatasetBuild.objects.create(params={}, status="building", lease_until=timezone.now() + timedelta(minutes=5))
    assert sorted(dataset_builds.builds_resume()) == sorted([lost.pk, dead.pk]) == sorted(sent)
    assert fresh.pk not in sent and live.pk not in sent
    assert dataset_builds.builds_resume() == []  # just sent: not again before RESEND_AFTER


def test_a_build_never_runs_inside_a_request():
    build = DatasetBuild.objects.create(params={})
    with answering("/api/v1/learning/datasets/"), pytest.raises(HeavyWorkInRequest, match="build_execute"):
        dataset_builds.build_execute(build_pk=build.pk)
    assert DatasetBuild.objects.get(pk=build.pk).status == "pending"
