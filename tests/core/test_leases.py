"""The guarantees of core.leases, checked on every kind of work that uses it: a claim is one statement, one run at a
time holds the work, a dead run's work is taken over once its lease runs out, only the holder renews or finishes,
and a transient error hands the work straight to the retry."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.leases import Lease, LeaseLost
from hobbies.assignments import ASSIGNMENT_LEASE
from hobbies.models import Assignment, SubAgent
from learning.feedback.reward_models import REWARD_MODEL_LEASE
from learning.loop.dataset_builds import BUILD
from learning.loop.jobs import JOB_LEASE
from learning.models import DatasetBuild, RewardModel, TrainingJob
from memoryhub.models import IngestBatch
from memoryhub.services.embeddings import INGEST_BATCH_LEASE
from models_suite.models import ModelArtifact

pytestmark = pytest.mark.django_db


def assignment() -> Assignment:
    agent = SubAgent.objects.create(subagent_id=f"sa-{secrets.token_hex(3)}", capabilities=["*"], machine="m1")
    return Assignment.objects.create(
        assignment_id=secrets.token_hex(6), subagent=agent, hobby_type="SKILL_PRACTICE", duration_minutes=1
    )


def training_job() -> TrainingJob:
    base = ModelArtifact.objects.create(
        name=f"m-{secrets.token_hex(3)}", kind="remote", base_url="http://127.0.0.1:9/v1", remote_model="m"
    )
    return TrainingJob.objects.create(job_id=f"job_{secrets.token_hex(4)}", base_model=base, config={})


def reward_model() -> RewardModel:
    return RewardModel.objects.create(name="leases", version=RewardModel.objects.count() + 1, source="feedback")


def dataset_build() -> DatasetBuild:
    return DatasetBuild.objects.create(params={"days_back": 7, "skill": "addition"})


def ingest_batch() -> IngestBatch:
    return IngestBatch.objects.create(namespace="leases", items=[{"content": "x"}])


KINDS = {
    "assignment": (ASSIGNMENT_LEASE, assignment),
    "training job": (JOB_LEASE, training_job),
    "reward model": (REWARD_MODEL_LEASE, reward_model),
    "dataset build": (BUILD, dataset_build),
    "ingest batch": (INGEST_BATCH_LEASE, ingest_batch),
}


@pytest.fixture(params=list(KINDS))
def kind(request) -> tuple[Lease, object]:
    return KINDS[request.param]


def expire(lease: Lease, pk) -> None:
    """What a worker's death looks like from outside: its lease ends without being renewed."""
    lease.model.objects.filter(pk=pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def test_a_claim_is_one_statement_and_a_second_claim_finds_nothing(kind):
    lease, make = kind
    row = make()
    with CaptureQueriesContext(connection) as queries:
        first = lease.claim(row.pk)
    assert len(queries) == 1 and "RETURNING" in queries[0]["sql"]
    assert first is not None and first.attempts == 1 and not first.resumed
    assert lease.claim(row.pk) is None  # a redelivered message, a second worker
    row.refresh_from_db()
    assert row.status == lease.taken and row.claim == first.token and row.lease_until > timezone.now()


def test_a_dead_runs_work_is_taken_over_and_the_dead_run_can_neither_renew_nor_finish(kind):
    lease, make = kind
    row = make()
    dead = lease.claim(row.pk)
    expire(lease, row.pk)
    taker = lease.claim(row.pk)
    assert taker is not None and taker.attempts == 2 and taker.resumed and taker.token != dead.token
    with pytest.raises(LeaseLost):
        lease.renew(dead)
    with pytest.raises(LeaseLost):
        lease.check(dead)
    assert not lease.finish(dead, lease.held[0])
    assert lease.renew(taker)
    assert lease.finish(taker, "failed")
    assert not lease.finish(taker, "failed")  # finished once
    row.refresh_from_db()
    assert row.status == "failed" and row.lease_until is None


def test_a_live_lease_is_not_taken_and_renewing_pushes_it_out(kind):
    lease, make = kind
    row = make()
    held = lease.claim(row.pk)
    lease.model.objects.filter(pk=row.pk).update(lease_until=timezone.now() + timedelta(seconds=5))
    assert lease.claim(row.pk) is None
    assert lease.renew(held)
    row.refresh_from_db()
    assert row.lease_until > timezone.now() + lease.length() - timedelta(minutes=1)


def test_a_released_lease_is_taken_at_once_by_the_retry(kind):
    lease, make = kind
    row = make()
    first = lease.claim(row.pk)
    lease.release(first)
    retry = lease.claim(row.pk)
    assert retry is not None and retry.attempts == 2


def test_the_sweep_sees_expired_leases_only(kind):
    lease, make = kind
    live, dead, pending = make(), make(), make()
    lease.claim(live.pk)
    lease.claim(dead.pk)
    expire(lease, dead.pk)
    assert list(lease.model.objects.filter(lease.expired()).values_list("pk", flat=True)) == [dead.pk]
    assert pending.pk not in lease.model.objects.filter(lease.expired()).values_list("pk", flat=True)


def test_fields_of_the_first_claim_survive_a_takeover_and_returned_columns_are_read_as_the_orm_would():
    row = dataset_build()
    started = timezone.now() - timedelta(hours=1)
    first = BUILD.claim(row.pk, first={"finished_at": started}, returning=["params", "finished_at"])
    assert first.values == {"params": {"days_back": 7, "skill": "addition"}, "finished_at": started}
    expire(BUILD, row.pk)
    taker = BUILD.claim(row.pk, first={"finished_at": timezone.now()}, returning=["finished_at"])
    assert taker.values["finished_at"] == started  # the takeover keeps what the first run set


def test_an_assignment_cancelled_under_its_run_still_renews_until_the_run_sees_it():
    row = assignment()
    held = ASSIGNMENT_LEASE.claim(row.pk)
    Assignment.objects.filter(pk=row.pk).update(status=Assignment.Status.CANCELLED)
    assert ASSIGNMENT_LEASE.renew(held)  # the sweep must not finish it under a live run
    assert ASSIGNMENT_LEASE.check(held) == Assignment.Status.CANCELLED


def test_a_training_job_cancelled_under_its_run_stops_renewing_but_stays_its_runs():
    job = training_job()
    held = JOB_LEASE.claim(job.pk)
    TrainingJob.objects.filter(pk=job.pk).update(status=TrainingJob.Status.CANCELLED)
    assert not JOB_LEASE.renew(held)  # no LeaseLost: it is still this run's, and it stops at its next step
    assert JOB_LEASE.check(held) == TrainingJob.Status.CANCELLED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
def test_claims_do_not_wait_for_the_disk_and_leave_an_outer_transactions_commit_alone(transactional_db):
    from django.db import transaction

    from core.leases import cheap_to_lose

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with cheap_to_lose():
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"  # SET LOCAL: that transaction only
    with transaction.atomic():
        with cheap_to_lose():
            assert synchronous_commit() == "on"  # someone else's transaction keeps its durable commit


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
def test_a_claim_outside_a_transaction_is_one_round_trip_and_committed(transactional_db):
    """SET LOCAL and the claim travel in one message, as one implicit transaction: no BEGIN, no COMMIT, and the
    claim is visible at once to another connection."""
    from django.db import connections

    pending = assignment()
    with CaptureQueriesContext(connection) as sent:
        held = ASSIGNMENT_LEASE.claim(pending.pk)
    assert held is not None and held.attempts == 1
    assert [q["sql"].split(";")[0] for q in sent.captured_queries] == ["SET LOCAL synchronous_commit TO OFF"]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT claim FROM hobbies_assignment WHERE id = %s", [pending.pk])
            assert cursor.fetchone()[0] == held.token
    finally:
        other.close()


def fields_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("with_model", [True, False], ids=["with a model", "without a model (left join)"])
def test_claim_read_gives_the_claimed_row_and_its_related_rows_as_the_orm_reads_them_in_one_statement(with_model):
    row = assignment()
    if with_model:
        model = ModelArtifact.objects.create(
            name=f"m-{secrets.token_hex(3)}", kind="remote", base_url="http://127.0.0.1:9/v1", remote_model="m"
        )
        SubAgent.objects.filter(pk=row.subagent_id).update(model=model, metadata={"k": [1, 2]})
    started = timezone.now() - timedelta(minutes=3)
    with CaptureQueriesContext(connection) as queries:
        claim, claimed = ASSIGNMENT_LEASE.claim_read(
            row.pk, related="subagent__model", first={"started_at": started, "items_per_suite": 4}
        )
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)  # SQLite: the claim, then the read
    read = Assignment.objects.select_related("subagent__model").get(pk=row.pk)
    assert fields_of(claimed) == fields_of(read)  # JSON, times and all: converted as the ORM converts them
    assert claimed.status == "running" and claimed.claim == claim.token and claim.attempts == 1
    with CaptureQueriesContext(connection) as queries:
        subagent, model = claimed.subagent, claimed.subagent.model
    assert not queries  # attached, as select_related attaches them
    assert fields_of(subagent) == fields_of(read.subagent)
    assert (model and fields_of(model)) == (read.subagent.model and fields_of(read.subagent.model))
    assert ASSIGNMENT_LEASE.claim_read(row.pk, related="subagent__model") is None  # held: nothing to claim


def test_the_claim_takes_exactly_the_rows_that_lease_claimable_selects(kind):
    """The claim is SQL text written once (core.claim_sql); Lease.claimable() is its condition as the ORM writes
    it. Rows in every state a lease can be in: the claim takes those the condition selects, and no other, and
    writes a lease of the lease's length on the database's clock."""
    lease, make = kind
    now, minute = timezone.now(), timedelta(minutes=1)
    states = {
        "never started": (lease.fresh[0], None),
        "never started, leased": (lease.fresh[0], now + minute),
        "never started, lease over": (lease.fresh[0], now - minute),
        "held": (lease.held[0], now + minute),
        "held, lease over": (lease.held[0], now - minute),
        "held without a lease": (lease.held[0], None),
        "finished": ("failed", None),
    }
    rows = {}
    for state, (status, lease_until) in states.items():
        rows[state] = make().pk
        lease.model.objects.filter(pk=rows[state]).update(status=status, lease_until=lease_until)
    selected = {state: lease.model.objects.filter(lease.claimable(), pk=pk).exists() for state, pk in rows.items()}
    claimed = {state: lease.claim(pk) is not None for state, pk in rows.items()}
    assert (
        claimed
        == selected
        == {
            "never started": True,
            "never started, leased": False,
            "never started, lease over": True,
            "held": False,
            "held, lease over": True,
            "held without a lease": False,
            "finished": False,
        }
    )
    written = lease.model.objects.get(pk=rows["never started"]).lease_until
    assert abs(written - (timezone.now() + lease.length())) < minute
