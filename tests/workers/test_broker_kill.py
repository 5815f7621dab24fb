"""A broker that dies loses nothing. With 100 hobby assignments, a bulk memory ingest and a LoRA training job in
flight on real workers, the Redis broker is SIGKILLed and started again on the same port; work acknowledged while
it is down is stored and sent later. The beats' sweeps (the services they call, run here) send again what the
database says is not done, and every piece of work then finishes exactly once: no activity, attempt, document
or adapter twice, none missing.

Two brokers: the embedded Redis as the stack runs it (an append-only file: what was queued mostly survives the
kill, so messages come back *and* are sent again) and one run as this machine runs its own (no persistence:
every queued and unacknowledged message is gone). The database is the truth, claims are conditional updates,
and the sweeps send again: the design under test.
"""

from __future__ import annotations

import secrets
import shutil
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.embedded_redis import EmbeddedRedis
from core.env import redis_url_with_db
from hobbies import assignments as hobby_assignments
from hobbies.assignments import assignment_create, assignments_resume
from hobbies.catalogue import CATALOGUE
from hobbies.models import Activity, Assignment, Attempt, HobbyConfig, HobbyType, HourlyRollup
from hobbies.services import config_snapshot_forget, subagent_register
from learning.loop import jobs
from learning.models import Adapter, TrainingDataset, TrainingJob
from memoryhub.models import Embedding, IngestBatch
from memoryhub.services.embeddings import ingest_batch_create, ingest_batches_resume
from models_suite.models import ModelArtifact
from tests.learning.lora_factories import QUICK, lora_dirs, practised, tiny, tiny_dir  # noqa: F401
from tests.memoryhub.conftest import index_dir  # noqa: F401  (the test's own vector indexes)
from tests.workers.processes import MachineRedis, celery_app_on, wait_for

pytestmark = pytest.mark.slow

ASSIGNMENTS, WHILE_DOWN, DOCUMENTS, SUBAGENTS = 100, 10, 1000, 4  # 1000: the most a batch takes
TRAINING = {**QUICK, "max_steps": 120, "save_steps": 20}


@pytest.fixture
def hobby_world(transactional_db):
    """The hobby types (a transactional test's flush removes them), intensity 0 (an assignment is dispatched,
    claimed and recorded with nothing practised: the dispatch benchmark's no-op kind) and four sub-agents on the
    hobbies machine."""
    HobbyType.objects.bulk_create(
        [HobbyType(name=spec.name, enabled=spec.enabled_by_default) for spec in CATALOGUE.values()],
        ignore_conflicts=True,
    )
    HobbyConfig.objects.update_or_create(pk=1, defaults={"intensity_level": 0.0})
    model = ModelArtifact.objects.create(
        name="never-called", kind="remote", base_url="http://127.0.0.1:9/v1", remote_model="none"
    )
    for i in range(SUBAGENTS):
        subagent_register(
            subagent_id=f"bk-{i}",
            capabilities=["*"],
            model=model,
            machine="bk-hobbies",
            max_concurrent_assignments=ASSIGNMENTS,
        )
    hobby_assignments._live = (0.0, [])
    config_snapshot_forget()
    yield
    hobby_assignments._live = (0.0, [])
    config_snapshot_forget()


@pytest.fixture(params=["embedded", "machine"])
def broker(request, tmp_path):
    """A Redis of the test's own to kill: the embedded one with its append-only file, or one with this machine's
    flags (`--save "" --appendonly no`)."""
    if request.param == "embedded":
        server = EmbeddedRedis(tmp_path / "redis", appendonly=True)
    elif shutil.which("redis-server"):
        server = MachineRedis(tmp_path / "redis")
    else:
        pytest.skip("no redis-server on PATH")
    server.start()
    yield server
    server.stop()


def pretend_the_resend_window_passed() -> None:
    """What the beat would see minutes later: work still waiting for a worker was created and sent long ago.
    Running work keeps its lease (a live run renews it), so nothing alive is taken over; a run that gave its lease
    back (a transient error whose retry could not be sent: the broker was down) was sent long ago too."""
    long_ago = timedelta(hours=1)
    Assignment.objects.filter(status=Assignment.Status.PENDING).update(
        assigned_at=F("assigned_at") - long_ago, sent_at=timezone.now() - long_ago
    )
    TrainingJob.objects.filter(status=TrainingJob.Status.PENDING).update(
        created_at=F("created_at") - long_ago, sent_at=timezone.now() - long_ago
    )
    TrainingJob.objects.filter(status__in=TrainingJob.RUNNING, lease_until__lt=timezone.now()).update(
        sent_at=timezone.now() - long_ago
    )
    IngestBatch.objects.filter(status=IngestBatch.Status.PENDING, lease_until__isnull=True).update(
        created_at=F("created_at") - long_ago
    )


def sweep() -> dict[str, int]:
    """One round of the resume beats, as their tasks run them."""
    return {
        "assignments": len(assignments_resume()),
        "ingest": len(ingest_batches_resume()),
        "training": len(jobs.jobs_resume()),
    }


def test_a_broker_killed_mid_work_loses_nothing_and_duplicates_nothing(
    broker, start_worker, hobby_world, tiny, lora_dirs, index_dir, settings
):
    env = {
        "REDIS_URL": broker.url,
        "CELERY_BROKER_URL": redis_url_with_db(broker.url, "broker"),
        **{name: str(getattr(settings, name)) for name in ("TRAINING_DIR", "ADAPTERS_DIR", "DATASETS_DIR")},
    }
    workers = [
        start_worker(machine, roles=[role], env=env, wait=False)
        for machine, role in (("bk-hobbies", "hobbies"), ("bk-memory", "memory"), ("bk-train", "training"))
    ]
    for worker in workers:
        worker.wait_registered(timeout=120)
    namespace = f"bk-{secrets.token_hex(3)}"
    practised(30)  # graded practice for the training job's dataset (activities without an assignment)
    rollups_before = HourlyRollup.objects.aggregate(n=Sum("activities"))["n"] or 0

    with celery_app_on(broker.url):
        # A first, one-document batch has the memory worker load its embedding model (seconds) while the training
        # job gets going.
        warm = ingest_batch_create(namespace=namespace, items=[{"content": "The river floods in spring."}])
        job = jobs.job_create(model_name="tiny-lora", config=dict(TRAINING))
        wait_for(
            lambda: (
                TrainingJob.objects.get(pk=job.pk).progress.get("step", 0) >= 5
                and IngestBatch.objects.filter(pk=warm.pk, status="completed").exists()
            ),
            timeout=120,
            what="the training job to get going and the memory worker to load its model",
        )
        batch = ingest_batch_create(
            namespace=namespace,
            items=[{"content": f"Note {i}: the river {i % 37} floods in season {i % 11}."} for i in range(DOCUMENTS)],
        )
        wait_for(
            lambda: IngestBatch.objects.get(pk=batch.pk).chunks_done >= 1,
            timeout=60,
            interval=0.05,
            what="the batch's first chunk",
        )
        with transaction.atomic():  # sent together as it commits, so the worker is still at them at the kill
            made = [
                assignment_create(subagent_id=f"bk-{i % SUBAGENTS}", hobby_type="SKILL_PRACTICE", duration_minutes=1).pk
                for i in range(ASSIGNMENTS)
            ]
        wait_for(
            lambda: Assignment.objects.filter(pk__in=made, status="completed").count() >= 10,
            timeout=60,
            interval=0.05,
            what="the first assignments to be done",
        )

        broker.kill()
        killed_at = {
            "assignments done": Assignment.objects.filter(pk__in=made, status="completed").count(),
            "documents stored": Embedding.objects.filter(namespace=namespace).count(),
            "training": "{status} at step {step}".format(
                step=TrainingJob.objects.get(pk=job.pk).progress.get("step", 0),
                status=TrainingJob.objects.get(pk=job.pk).status,
            ),
        }
        # Acknowledged while the broker is down: stored, their send failing quietly, for the sweep to send.
        made += [
            assignment_create(subagent_id=f"bk-{i % SUBAGENTS}", hobby_type="SKILL_PRACTICE", duration_minutes=1).pk
            for i in range(WHILE_DOWN)
        ]
        late = ingest_batch_create(namespace=namespace, items=[{"content": "Stored while the broker was down."}])
        time.sleep(1)
        broker.start()  # same port (and password): the workers and this process reconnect by themselves

        def unfinished() -> bool:
            return (
                Assignment.objects.filter(pk__in=made, status__in=Assignment.ACTIVE).exists()
                or TrainingJob.objects.filter(pk=job.pk, status__in=TrainingJob.ACTIVE).exists()
                or IngestBatch.objects.filter(namespace=namespace, status__in=["pending", "running"]).exists()
            )

        rounds, deadline = [], time.monotonic() + 150
        while unfinished() and time.monotonic() < deadline:
            pretend_the_resend_window_passed()
            rounds.append(sweep())
            time.sleep(3)

    print(
        f"\n{type(broker).__name__}: at the kill {killed_at}; sweeps (sent again) {rounds}; after: "
        f"{Activity.objects.filter(assignment__in=made).count()} activities for {len(made)} assignments, "
        f"{Embedding.objects.filter(namespace=namespace).count()} documents, "
        f"{Adapter.objects.filter(training_job=job).count()} adapter(s), job attempts "
        f"{TrainingJob.objects.get(pk=job.pk).attempts}"
    )
    assignments = Assignment.objects.filter(pk__in=made)
    assert sorted(set(assignments.values_list("status", flat=True))) == ["completed"], list(
        assignments.exclude(status="completed").values_list("assignment_id", "status", "error")
    )
    activities = Activity.objects.filter(assignment__in=made)
    assert activities.count() == ASSIGNMENTS + WHILE_DOWN == activities.filter(status="completed").count()
    assert not Attempt.objects.filter(activity__in=activities).exists()  # intensity 0: nothing practised
    # Each finished once: a second finish would count it twice in the hour's figures (a dry run has no progress).
    assert HourlyRollup.objects.aggregate(n=Sum("activities"))["n"] - rollups_before == ASSIGNMENTS + WHILE_DOWN

    batch.refresh_from_db()
    assert (batch.status, batch.added, batch.duplicates) == ("completed", DOCUMENTS, 0)
    assert [IngestBatch.objects.get(pk=b.pk).status for b in (warm, late)] == ["completed", "completed"]
    assert Embedding.objects.filter(namespace=namespace).count() == DOCUMENTS + 2

    job.refresh_from_db()
    assert job.status == "completed", job.error_message
    assert job.metrics["steps"] == TRAINING["max_steps"]
    assert Adapter.objects.filter(training_job=job).count() == 1 == Adapter.objects.count()
    assert TrainingDataset.objects.count() == 1
