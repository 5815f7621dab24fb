"""The memory hub's tasks: bulk ingest on the memory queue, and the hourly and daily clean-ups."""

from workers.base import autodidact_task


@autodidact_task(role="memory")
def ingest_batch_task(batch_id: int) -> dict:
    """Idempotent: a batch redelivered after a crash is embedded again and deduplicated by content."""
    from memoryhub.services.embeddings import ingest_batch_run

    batch = ingest_batch_run(batch_id=batch_id)
    return {"batch": batch.pk, "added": batch.added, "duplicates": batch.duplicates}


@autodidact_task(role="control")
def sessions_expire_task() -> int:
    from memoryhub.services.sessions import sessions_expire

    return sessions_expire()


@autodidact_task(role="memory")
def embeddings_compact_task() -> int:
    from memoryhub.services.embeddings import embeddings_compact

    return embeddings_compact()


@autodidact_task(role="control")
def ingest_batches_resume_task() -> list[int]:
    from memoryhub.services.embeddings import ingest_batches_resume

    return ingest_batches_resume()
