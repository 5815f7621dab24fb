"""Bulk loads survive a crash: a memory worker killed in the middle of a batch loses no acknowledged
document; the batch is sent again, finishes once, and the index matches the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from memoryhub.models import Embedding, IngestBatch
from memoryhub.services import embeddings
from memoryhub.services.indexes import index_for
from tests.workers.processes import wait_for

pytestmark = pytest.mark.slow


def test_a_killed_worker_loses_no_acknowledged_document(start_worker, personas, index_dir, settings):
    items = [{"content": f"Note {i}: the river {i % 37} floods in season {i % 11}."} for i in range(600)]
    agent = personas["agent"].client()
    accepted = agent.post("/api/v1/memory/embeddings/bulk", {"namespace": "notes", "items": items}, format="json")
    assert accepted.status_code == 202  # acknowledged: from here on, nothing may be lost
    batch_id = accepted.json()["id"]

    worker = start_worker("alpha", roles=["memory"])
    from memoryhub.tasks import ingest_batch_task

    ingest_batch_task.apply_async(kwargs={"batch_id": batch_id}, queue="memory.alpha")
    wait_for(
        lambda: Embedding.objects.filter(namespace="notes").count() >= 100,
        timeout=120,
        what="the first chunks to be stored",
    )
    worker.kill()  # the whole worker, mid-batch, as when a machine dies
    stored_before = Embedding.objects.filter(namespace="notes").count()
    assert stored_before < len(items) and IngestBatch.objects.get(pk=batch_id).status == "running"

    start_worker("beta", roles=["memory"])
    assert embeddings.ingest_batches_resume() == []  # its lease has not expired: the worker might be alive
    IngestBatch.objects.filter(pk=batch_id).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert embeddings.ingest_batches_resume() == [batch_id]
    done = wait_for(
        lambda: IngestBatch.objects.filter(pk=batch_id, status="completed").first(),
        timeout=180,
        what="the batch to finish on the second worker",
    )
    assert done.added == len(items) and done.duplicates == 0  # each counted once, across both runs
    assert Embedding.objects.filter(namespace="notes").count() == len(items)  # each stored once
    index = index_for("notes")  # this process's index is built from the database
    assert len(index) == len(items)
    [(hit, _)] = embeddings.embeddings_search(
        query="Note 5: the river 5 floods in season 5.", namespace="notes", limit=1
    )
    assert hit.content == items[5]["content"]
