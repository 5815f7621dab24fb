"""The hobby engine's tasks: assignments on their machine's hobbies queue, the scheduler's tick, recovery and
consensus fan-out. Thin: the logic is in the services."""

from __future__ import annotations

from workers.base import autodidact_task
from workers.queues import QueueRole


@autodidact_task(
    name="hobbies.tasks.assignment_run_task",
    role=QueueRole.HOBBIES,
    ignore_result=True,  # the database is the truth
)
def assignment_run_task(assignment_id: int) -> str | None:
    """Idempotent: claimed with a conditional update, so a redelivered message does nothing; sent to a queue
    chosen when the assignment was made (its sub-agent's machine, or this one as the fallback)."""
    from hobbies.assignments import assignment_execute  # cycle: hobbies.assignments sends this module's tasks

    done = assignment_execute(assignment_pk=assignment_id)
    return done.status if done else None


@autodidact_task(name="hobbies.tasks.scheduler_tick_task", role=QueueRole.CONTROL)
def scheduler_tick_task() -> list[str]:
    # cycle: hobbies.scheduling reaches this module through hobbies.assignments
    from hobbies.scheduling import scheduler_tick

    return [a.assignment_id for a in scheduler_tick()]


@autodidact_task(name="hobbies.tasks.assignments_resume_task", role=QueueRole.CONTROL)
def assignments_resume_task() -> list[int]:
    from hobbies.assignments import assignments_resume  # cycle: hobbies.assignments sends this module's tasks

    return assignments_resume()


@autodidact_task(name="hobbies.tasks.consensus_answer_task", role=QueueRole.HOBBIES)
def consensus_answer_task(run_id: int, subagent_pk: int) -> int:
    """One sub-agent's answers to a consensus run's items; the last to finish compares them."""
    from hobbies.distribution import consensus_answer  # cycle: hobbies.distribution sends this module's tasks

    return consensus_answer(run_id=run_id, subagent_pk=subagent_pk)
