"""One clock for leases: a worker whose own clock is off by an hour neither keeps a lease past its end nor takes a
live one, because leases are written and judged by the database's clock (core.clock). The worker's skew is made
with time-machine, which moves this process's clock and not the database server's."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.clock import db_in, db_now
from memoryhub.models import IngestBatch
from memoryhub.services import embeddings
from memoryhub.tasks import ingest_batch_task

pytestmark = pytest.mark.django_db
SKEW = timedelta(hours=1)


@pytest.fixture
def sent(monkeypatch):
    batches = []
    monkeypatch.setattr(ingest_batch_task, "delay", lambda batch_id: batches.append(batch_id))
    return batches


def batch(**fields) -> IngestBatch:
    return IngestBatch.objects.create(namespace="clock", items=[{"content": "x"}], **fields)


def test_the_database_clock_is_what_leases_are_written_with():
    row = batch()
    IngestBatch.objects.filter(pk=row.pk).update(lease_until=db_in(timedelta(minutes=5)), progressed_at=db_now())
    row.refresh_from_db()
    assert timedelta(minutes=4) < row.lease_until - row.progressed_at <= timedelta(minutes=5)


def test_a_worker_whose_clock_runs_fast_writes_a_lease_that_ends_when_the_database_says():
    row = batch()
    with time_machine.travel(timezone.now() + SKEW, tick=False):
        assert embeddings._claim(row.pk)
    row.refresh_from_db()
    left = row.lease_until - timezone.now()  # judged by a machine whose clock is right
    assert left <= embeddings.INGEST_LEASE and left > embeddings.INGEST_LEASE - timedelta(minutes=1)


def test_a_worker_whose_clock_runs_fast_does_not_take_a_live_lease():
    row = batch(status=IngestBatch.Status.RUNNING, lease_until=timezone.now() + timedelta(minutes=2))
    with time_machine.travel(timezone.now() + SKEW, tick=False):
        assert not embeddings._claim(row.pk)  # its own clock says the lease ran out an hour ago


def test_a_sweeper_whose_clock_runs_slow_still_sees_an_expired_lease(sent):
    dead = batch(status=IngestBatch.Status.RUNNING, lease_until=timezone.now() - timedelta(minutes=1))
    live = batch(status=IngestBatch.Status.RUNNING, lease_until=timezone.now() + timedelta(minutes=2))
    with time_machine.travel(timezone.now() - SKEW, tick=False):
        assert embeddings.ingest_batches_resume() == [dead.pk]
    assert sent == [dead.pk] and live.pk not in sent


def test_the_hobby_sweeper_judges_assignment_leases_by_the_database_clock(personas, flush_redis, monkeypatch):
    from hobbies.assignments import assignments_resume
    from hobbies.models import Assignment
    from hobbies.services import subagent_register

    monkeypatch.setattr("hobbies.assignments.assignment_send", lambda assignment: None)
    subagent_register(subagent_id="clock", capabilities=["*"])
    made = (
        personas["operator"]
        .client()
        .post(
            "/hobby/assign-to-subagent",
            {"subagent_id": "clock", "hobby_type": "SKILL_PRACTICE", "duration_minutes": 5},
            format="json",
        )
    )
    assert made.status_code in (200, 201), made.content
    row = Assignment.objects.get()
    Assignment.objects.filter(pk=row.pk).update(status="running", lease_until=timezone.now() - timedelta(minutes=1))
    with time_machine.travel(timezone.now() - SKEW, tick=False):  # a beat machine an hour behind
        assert assignments_resume() == [row.pk]
