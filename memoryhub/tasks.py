"""The memory hub's tasks: bulk ingest on the memory queue, the hourly and daily clean-ups, and the knowledge
graph's update, communities and Neo4j copy."""

from memoryhub.services.sessions import sessions_expire
from workers.base import autodidact_task
from workers.queues import QueueRole


@autodidact_task(name="memoryhub.tasks.ingest_batch_task", role=QueueRole.MEMORY)
def ingest_batch_task(batch_id: int) -> dict:
    """Idempotent: a batch redelivered after a crash is embedded again and deduplicated by content."""
    # cycle: memoryhub.services.embeddings imports this module
    from memoryhub.services.embeddings import ingest_batch_run

    batch = ingest_batch_run(batch_id=batch_id)
    return {"batch": batch.pk, "added": batch.added, "duplicates": batch.duplicates}


@autodidact_task(name="memoryhub.tasks.sessions_expire_task", role=QueueRole.CONTROL)
def sessions_expire_task() -> int:
    return sessions_expire()


@autodidact_task(name="memoryhub.tasks.embeddings_compact_task", role=QueueRole.MEMORY)
def embeddings_compact_task() -> int:
    # cycle: memoryhub.services.embeddings imports this module
    from memoryhub.services.embeddings import embeddings_compact

    return embeddings_compact()


@autodidact_task(name="memoryhub.tasks.ingest_batches_resume_task", role=QueueRole.CONTROL)
def ingest_batches_resume_task() -> list[int]:
    # cycle: memoryhub.services.embeddings imports this module
    from memoryhub.services.embeddings import ingest_batches_resume

    return ingest_batches_resume()


@autodidact_task(name="memoryhub.tasks.graph_update_task", role=QueueRole.MEMORY)
def graph_update_task() -> dict:
    """Idempotent: facts already folded in change nothing when folded in again, nor rows pushed to the Neo4j copy
    twice. The copy follows the truth in the same task, so it lags the commits by one update."""
    # cycle: memoryhub.services.graph_build imports this module
    from memoryhub.services.graph_build import graph_update, graph_update_started
    from memoryhub.services.graph_sync import graph_sync

    graph_update_started()
    return {"update": graph_update(), "sync": graph_sync()}


@autodidact_task(name="memoryhub.tasks.graph_communities_task", role=QueueRole.MEMORY)
def graph_communities_task() -> dict:
    from memoryhub.services.graph_communities import communities_compute
    from memoryhub.services.graph_sync import graph_sync

    return {**communities_compute(), "sync": graph_sync()}  # the copy carries the communities too


@autodidact_task(name="memoryhub.tasks.graph_sync_task", role=QueueRole.MEMORY)
def graph_sync_task(full: bool = False) -> dict:
    """Idempotent: upserts by key and id; a full sync rebuilds the copy from the truth."""
    from memoryhub.services.graph_sync import graph_sync

    return graph_sync(full=full)


@autodidact_task(name="memoryhub.tasks.graph_resync_task", role=QueueRole.MEMORY)
def graph_resync_task() -> dict:
    """The daily full resync under a name of its own: beat's default schedules carry no arguments."""
    from memoryhub.services.graph_sync import graph_sync

    return graph_sync(full=True)
