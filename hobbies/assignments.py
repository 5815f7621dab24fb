"""Assignments: a sub-agent given a hobby type for a while, executed by a Celery task on its machine.

Lifecycle: pending -> running -> completed | failed | timed_out | cancelled.
- Creating one checks the sub-agent's capacity with its row locked (SELECT ... FOR UPDATE), so parallel
  requests never push it past max_concurrent_assignments.
- It is sent to the `hobbies` queue of the sub-agent's machine; when no live worker consumes that queue, the
  originals' fallback applies: this machine's queue, recorded on the assignment.
- The task claims it with a conditional UPDATE and holds a lease it renews as it goes: a redelivered message
  finds it taken and does nothing; a run whose worker died (lease expired) is taken over and resumed
  (assignments_resume), its attempts kept, so the assignment completes exactly once.
- Cancelling is a conditional UPDATE too; the run sees it before its next batch and stops there.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.clock import db_in, db_now
from core.errors import Conflict, Invalid, NotFound
from core.heavy import worker_only
from core.leases import Claim, Lease, LeaseLost
from hobbies.catalogue import CATALOGUE, PRACTICE_BUILT
from hobbies.exercises import NothingToPractise, source_for
from hobbies.models import Activity, Assignment, HobbyConfig, SubAgent
from hobbies.practice import Practised, items_for_intensity, practise
from hobbies.proficiency import activity_finish
from hobbies.services import hobbies_enabled, hobby_check, hobby_type_enabled, intensity_level
from hobbies.tasks import assignment_run_task
from models_suite.models import ModelArtifact
from models_suite.services.adapter_resolution import champion_path
from workers.base import is_transient
from workers.queues import QueueRole
from workers.selectors import machines_offering
from workers.sending import send_or_leave_for_sweep

LEASE = timedelta(minutes=5)  # renewed after every batch; a batch takes seconds
RESEND_AFTER = timedelta(minutes=1)  # a pending assignment not sent by then had its send fail
DURATION_RANGE = (0.1, 60.0)


def duration_check(value) -> float:
    low, high = DURATION_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise Invalid({"duration_minutes": [f"duration_minutes is a number from {low} to {high}"]})
    return float(value)


def assignment_create(
    *, subagent_id: str, hobby_type: str, duration_minutes: float = 10.0, origin: str = "api"
) -> Assignment:
    """Assign a hobby to a sub-agent and send it to run. 400 on a bad type or duration or a type the sub-agent
    cannot practise, 404 on an unknown sub-agent, 409 when it is at capacity."""
    hobby_type = hobby_check(hobby_type)
    duration = duration_check(duration_minutes)
    if hobby_type not in PRACTICE_BUILT:
        raise Invalid({"hobby_type": [f"{hobby_type} cannot be practised yet"]})
    if not hobbies_enabled():
        raise Conflict("hobbies are switched off (AUTONOMOUS_HOBBY_ENABLED, or the hobby configuration)")
    if not hobby_type_enabled(hobby_type):
        raise Invalid({"hobby_type": [f"{hobby_type} is disabled: enable it first"]})
    live = machines_live()
    with transaction.atomic():
        try:  # get(), not first(): its id is unique, and first() would add an ORDER BY to compose and run
            subagent = SubAgent.objects.select_for_update().get(subagent_id=subagent_id, status=SubAgent.Status.ACTIVE)
        except SubAgent.DoesNotExist:
            raise NotFound(f"No registered sub-agent {subagent_id!r}.") from None
        if not subagent.can_practise(hobby_type):
            raise Invalid(
                {
                    "hobby_type": [
                        f"sub-agent {subagent_id} cannot practise {hobby_type}: its capabilities are {subagent.capabilities}"
                    ]
                }
            )
        # Counted in a statement of its own, after the lock is held: a count inside the locking statement would
        # read the snapshot from before the wait (PostgreSQL re-checks only the locked row), and let a
        # parallel request past the limit (the parallel test caught exactly that).
        active = subagent.assignments.filter(status__in=Assignment.ACTIVE).count()
        if active >= subagent.max_concurrent_assignments:
            raise Conflict(
                f"sub-agent {subagent_id} is at capacity: {active} of "
                f"{subagent.max_concurrent_assignments} assignments active"
            )
        machine, fallback = where_to_run(subagent, live)
        assignment = Assignment.objects.create(
            assignment_id=secrets.token_hex(8),
            subagent=subagent,
            hobby_type=hobby_type,
            duration_minutes=duration,
            seed=secrets.randbits(31),
            origin=origin,
            machine=machine,
            fallback=fallback,
            sent_at=timezone.now(),  # stamped with the row, saving a write per assignment; a failed send clears it
        )
        transaction.on_commit(lambda: assignment_send(assignment, stamped=True))
    return assignment


_live: tuple[float, list[str]] = (0.0, [])
LIVE_FOR_SECONDS = 2.0  # workers beat every 15 s and count as gone after several missed beats


def machines_live() -> list[str]:
    """Machines with a live hobbies worker, read at most every 2 s per process: a burst of assignments does
    not re-read the heartbeats for each one."""
    global _live
    if time.monotonic() - _live[0] > LIVE_FOR_SECONDS:
        _live = (time.monotonic(), machines_offering(QueueRole.HOBBIES))
    return _live[1]


def where_to_run(subagent: SubAgent, live: list[str]) -> tuple[str, bool]:
    """The sub-agent's machine when a live worker consumes its hobbies queue; else, as the originals fell back
    to running locally, this machine, or another with a live hobbies worker if this one has none. Returns the
    machine and whether it fell back. With no live worker anywhere, it waits in this machine's queue."""
    if subagent.machine in live:
        return subagent.machine, False
    if settings.MACHINE_NAME in live or not live:
        return settings.MACHINE_NAME, True
    return live[0], True


def assignment_send(assignment: Assignment, *, stamped: bool = False) -> None:
    """Send its message. A broker that cannot take it now is not the caller's failure: the assignment is stored,
    and the resume beat sends it again (claims make duplicates harmless). stamped: its sent_at was written with
    the row."""
    send_or_leave_for_sweep(
        assignment_run_task,
        row=assignment,
        role=QueueRole.HOBBIES,
        machine=assignment.machine,
        kwargs={"assignment_id": assignment.pk},
        stamped=stamped,
        what=f"assignment {assignment.assignment_id}",
    )


# Pending -> running under a lease; a cancelled assignment's run still renews until it sees the cancel and ends.
ASSIGNMENT_LEASE = Lease(
    model=Assignment,
    fresh=(Assignment.Status.PENDING,),
    held=(Assignment.Status.RUNNING,),
    taken=Assignment.Status.RUNNING,
    renewable=(Assignment.Status.RUNNING, Assignment.Status.CANCELLED),
    duration=LEASE,
)


def _claim(assignment_pk: int) -> tuple[Claim, Assignment] | None:
    """Take a pending assignment (its first run fixes how much it practises), or a running one whose lease expired
    because its worker died (a takeover practises as much as the first run), and read it with its sub-agent and
    model. None: someone else has it, or it is over."""
    claimed = ASSIGNMENT_LEASE.claim_read(
        assignment_pk,
        related="subagent__model",
        first={"started_at": timezone.now(), "items_per_suite": items_for_intensity(intensity_level())},
    )
    if claimed is None:
        return None
    claim, assignment = claimed
    assert isinstance(assignment, Assignment)  # the lease's own model
    return claim, assignment


@worker_only
def assignment_execute(*, assignment_pk: int) -> Assignment | None:
    """Run a claimed assignment's practice and finish it (with the sub-agent's progress) in one transaction.
    Returns None when the assignment was not ours to run. A transient error gives the claim back for the
    retry; any other fails the assignment, saying why, instead of leaving it to be retried forever."""
    claimed = _claim(assignment_pk)
    if claimed is None:
        return None
    claim, assignment = claimed
    try:
        return _run(assignment, claim)
    except LeaseLost:
        return None
    except Exception as exc:
        if is_transient(exc):
            ASSIGNMENT_LEASE.release(claim)
        elif ASSIGNMENT_LEASE.mine(claim).exists():
            _crashed(assignment_pk, f"{type(exc).__name__}: {exc}")
        raise


def _run(assignment: Assignment, claim: Claim) -> Assignment:
    subagent = assignment.subagent

    def should_stop() -> str | None:
        cancelled = ASSIGNMENT_LEASE.check(claim) == Assignment.Status.CANCELLED  # raises LeaseLost
        return Activity.Status.CANCELLED if cancelled else None

    def renew() -> None:
        ASSIGNMENT_LEASE.renew(claim)  # raises LeaseLost
        SubAgent.objects.filter(pk=subagent.pk).update(last_heartbeat_at=timezone.now())

    try:
        artifact = subagent.model or default_model()
    except LookupError as exc:
        return _fail_before_practice(assignment, str(exc))
    per_suite = assignment.items_per_suite
    assert per_suite is not None  # fixed by the claim that let this run start
    practised = practise(
        hobby_type=assignment.hobby_type,
        artifact=artifact,
        adapter=lambda: adapter_for(subagent, artifact, assignment.hobby_type),
        subagent=subagent,
        assignment=assignment,
        should_stop=should_stop,
        time_budget=assignment.duration_minutes * 60,
        on_progress=renew,
        items_per_suite=per_suite,
        probe_per_suite=per_suite,
        resumed=claim.resumed,
    )
    activity_finish(practised, assignment, claim=claim)  # raises LeaseLost if no longer ours
    return assignment


def adapter_for(subagent: SubAgent, artifact, hobby_type: str) -> str:
    """The sub-agent's own adapter if it names one, else the learning loop's champion for this model and hobby
    type (its own, else the all-types one), else none: what was learned is what practises next."""
    return subagent.adapter or champion_path(artifact, hobby_type)


def _fail_before_practice(assignment: Assignment, error: str) -> Assignment:
    Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.RUNNING).update(
        status=Assignment.Status.FAILED,
        error=error,
        completed_at=timezone.now(),
        lease_until=None,
        result={
            "success": False,
            "insights": [],
            "proficiency_gain": None,
            "patterns_discovered": [],
            "confidence": 0.0,
            "reasoning": error,
        },
    )
    assignment.refresh_from_db()
    return assignment


def _crashed(assignment_pk: int, error: str) -> None:
    assignment = Assignment.objects.get(pk=assignment_pk)
    activity = Activity.objects.filter(assignment=assignment).first()
    if activity is None:
        _fail_before_practice(assignment, error)
    else:
        activity_finish(Practised(activity, status=Activity.Status.FAILED, error=error), assignment)


def can_take(subagent: SubAgent, hobby_type: str) -> bool:
    """Capable of the type, and its model can read the type's prompts (a short-context model is never sent
    to read whole documents)."""
    if not subagent.can_practise(hobby_type):
        return False
    try:
        model = subagent.model or default_model()
    except LookupError:
        return True  # the run will say there is no model
    return CATALOGUE[hobby_type].fits(model.context_length)


def practicable(hobby_types) -> list[str]:
    """Those of the types that have something to practise now (documents need a memory hub with documents):
    the scheduler and distribution do not hand out work that can only fail."""
    found = []
    for name in hobby_types:
        try:
            if source_for(name).items("train", per_suite=1, seed=0):
                found.append(name)
        except NothingToPractise:
            pass
    return found


def default_model():
    """The operator's choice (hobby configuration), else the built-in base model."""
    from models_suite.services.builtin import BUILTIN_NAME  # heavy: the built-in model's module loads transformers

    chosen = HobbyConfig.objects.filter(pk=1).values_list("default_model", flat=True).first()
    artifact = (ModelArtifact.objects.filter(pk=chosen).first() if chosen else None) or ModelArtifact.objects.filter(
        name=BUILTIN_NAME, builtin=True
    ).first()
    if artifact is None:
        raise LookupError(
            "no default model: build the built-in one (python manage.py bootstrap_model) or choose "
            "one in the hobby configuration"
        )
    return artifact


def assignment_get(*, assignment_id: str) -> Assignment:
    found = Assignment.objects.select_related("subagent").filter(assignment_id=assignment_id).first()
    if found is None:
        raise NotFound(f"No assignment {assignment_id!r}.")
    return found


def assignments_list(*, status: str | None = None, limit: int = 100):
    if status and status not in Assignment.Status.values:
        raise Invalid(
            {"status": [f"unknown status {status!r}; the statuses are {', '.join(Assignment.Status.values)}"]}
        )
    found = Assignment.objects.select_related("subagent")
    return list((found.filter(status=status) if status else found)[:limit])


def assignment_cancel(*, assignment_id: str) -> Assignment:
    """Stop an assignment: pending ones never start, running ones stop before their next batch. 409 when it
    has finished already."""
    assignment = assignment_get(assignment_id=assignment_id)
    changed = Assignment.objects.filter(pk=assignment.pk, status__in=Assignment.ACTIVE).update(
        status=Assignment.Status.CANCELLED, completed_at=timezone.now()
    )
    if not changed:
        raise Conflict(f"assignment {assignment_id} has already finished ({assignment.status})")
    assignment.refresh_from_db()
    return assignment


def assignments_cancel_running(*, subagent: SubAgent) -> list[str]:
    """A person needs this agent: its running work is cancelled (each once: the update is conditional)."""
    ids = list(subagent.assignments.filter(status__in=Assignment.ACTIVE).values_list("assignment_id", flat=True))
    Assignment.objects.filter(assignment_id__in=ids, status__in=Assignment.ACTIVE).update(
        status=Assignment.Status.CANCELLED, completed_at=timezone.now(), error="interrupted by user interaction"
    )
    return ids


def assignments_resume() -> list[int]:
    """The resume beat's sweep. Sends again the running assignments whose lease expired (their worker died with
    the message unacknowledged) and the pending ones whose message was never sent or was lost (sent more than a
    lease ago), each to where it can run now; finishes as cancelled the activities of cancelled assignments
    whose run died. Returns the ids sent again."""
    stuck = list(
        Assignment.objects.select_related("subagent").filter(
            ASSIGNMENT_LEASE.expired()
            | Q(status=Assignment.Status.PENDING, assigned_at__lt=db_in(-RESEND_AFTER))
            & (Q(sent_at__isnull=True) | Q(sent_at__lt=db_in(-LEASE)))
        )
    )
    live = machines_live()
    for assignment in stuck:
        assignment.machine, assignment.fallback = where_to_run(assignment.subagent, live)
        Assignment.objects.filter(pk=assignment.pk).update(machine=assignment.machine, fallback=assignment.fallback)
        assignment_send(assignment)
    for assignment in Assignment.objects.filter(status=Assignment.Status.CANCELLED, activity__status="running").filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=db_now())
    ):
        activity_finish(
            Practised(assignment.activity, status=Activity.Status.CANCELLED, error="cancelled; its run had stopped"),
            assignment,
        )
    return [a.pk for a in stuck]
