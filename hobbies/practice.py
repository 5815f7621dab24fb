"""Practice: a model answers a hobby type's items, every attempt is graded and stored, a held-out probe measures
where it stands, and what the grades show becomes insights (per activity) and patterns (across activities).

The work goes in batches. Each batch's attempts commit with the time they took, so an activity whose worker
dies resumes where it stopped (the same seed draws the same items; an item already attempted is not asked
again). Between batches the run asks whether to stop (an operator cancelled it, a person needs the agent) and
whether its time is up. Finishing (status, insights, patterns, proficiency) is one transaction:
hobbies.proficiency.activity_finish.

BENCHMARK_RUNNING practises on the held-out split (it is the measurement); every other type on the train split,
so practice never sees what proficiency is measured on.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from django.db import transaction
from django.db.models import F

from core.errors import NotFound
from core.leases import cheap_to_lose
from hobbies import reflection
from hobbies.analysis import failure_kind, mean_by_skill
from hobbies.exercises import NothingToPractise, SuiteSource, source_for
from hobbies.models import Activity, Assignment, Attempt, SubAgent
from hobbies.proficiency import activity_finish
from hobbies.services import hobby_check
from models_suite.backends import BackendError
from models_suite.evaluation import Grade, Item
from models_suite.evaluation.base import Split
from models_suite.host import HostError
from models_suite.models import ModelArtifact
from models_suite.services.adapter_resolution import adapter_named
from models_suite.services.hosting import model_in_use

DEFAULT_ITEMS_PER_SUITE = 8
PROBE_ITEMS_PER_SUITE = 8
BATCH_ITEMS = 8  # how often a run checks whether to stop: a batch of a small model takes well under a second


@dataclass
class Practised:
    """What a run produced, before it is finished into the database (one transaction)."""

    activity: Activity
    status: str = Activity.Status.COMPLETED
    error: str = ""
    heldout_score: float | None = None
    heldout_by_skill: dict[str, float] = field(default_factory=dict)
    reflections: list = field(default_factory=list)  # reflection.Reflection
    learned: Callable[[], None] | None = None  # the source's keeping of what was learned, run on finishing
    extra_seconds: float = 0.0  # time spent outside the stored batches (model load, probe, reflection)


def items_for_intensity(intensity: float) -> int:
    """The originals' intensity_level (which they never used) sets how much an activity practises: items per
    suite, 8 at the default 0.5, 16 at 1. At 0 an activity is a dry run: dispatched, claimed and recorded,
    with nothing practised and nothing measured (what the dispatch benchmark times)."""
    return 0 if intensity <= 0 else max(1, round(2 * DEFAULT_ITEMS_PER_SUITE * intensity))


def split_for(hobby_type: str) -> str:
    return "heldout" if hobby_type == "BENCHMARK_RUNNING" else "train"


def activity_for(
    *,
    hobby_type: str,
    artifact_name: str,
    subagent: SubAgent | None,
    assignment: Assignment | None,
    seed: int,
    resumed: bool,
) -> Activity:
    """A new activity, or the assignment's own when its run is resumed (made once: the new run continues it)."""
    defaults = {
        "activity_id": secrets.token_hex(6),
        "hobby_type": hobby_type,
        "subagent": subagent,
        "model_name": artifact_name,
        "split": split_for(hobby_type),
        "seed": seed,
    }
    with cheap_to_lose():  # a running activity lost with the database is made again by the run that resumes
        if not resumed:
            return Activity.objects.create(assignment=assignment, **defaults)
        return Activity.objects.get_or_create(assignment=assignment, defaults=defaults)[0]


def practise(
    *,
    hobby_type: str,
    artifact: ModelArtifact,
    adapter: str | Callable[[], str] = "",
    subagent: SubAgent | None = None,
    assignment: Assignment | None = None,
    items_per_suite: int = DEFAULT_ITEMS_PER_SUITE,
    probe_per_suite: int = PROBE_ITEMS_PER_SUITE,
    seed: int | None = None,
    should_stop: Callable[[], str | None] = lambda: None,
    time_budget: float | None = None,
    on_progress: Callable[[], None] = lambda: None,
    resumed: bool = False,
    suites: tuple[str, ...] | None = None,
) -> Practised:
    """Run (or resume) one activity on this machine's model host. should_stop() returns a status to stop with
    (e.g. "cancelled") or None; time_budget is the seconds the activity may take in all (a resumed one has
    spent some already), after which it is timed out. `suites` practises those evaluation suites' train items
    instead of the type's own source (the learning cycle's focused practice and replay)."""
    hobby_type = hobby_check(hobby_type)
    seed = (assignment.seed if assignment else secrets.randbits(31)) if seed is None else seed
    activity = activity_for(
        hobby_type=hobby_type,
        artifact_name=artifact.name,
        subagent=subagent,
        assignment=assignment,
        seed=seed,
        resumed=resumed,
    )
    outcome = Practised(activity)
    deadline = None if time_budget is None else time.monotonic() + time_budget - activity.duration_seconds
    if items_per_suite == 0:
        return outcome  # a dry run
    try:
        source = SuiteSource(suites) if suites else source_for(hobby_type)
        items = source.items(cast(Split, activity.split), per_suite=items_per_suite, seed=activity.seed)
        if not items:
            raise NothingToPractise(f"{hobby_type} found nothing to practise on")
    except NothingToPractise as exc:
        outcome.status, outcome.error = Activity.Status.FAILED, str(exc)
        return outcome
    done = set(activity.attempts.values_list("item_id", flat=True))
    remaining = [item for item in items if item.id not in done]
    activity.description = f"{len(items)} items of {', '.join(sorted({i.suite for i in items}))} ({activity.split})"
    Activity.objects.filter(pk=activity.pk).update(planned_items=len(items), description=activity.description)
    activity.planned_items = len(items)
    run_started, batches_took = time.perf_counter(), 0.0

    def interrupted(before: str) -> bool:
        """Between two steps: stop if told to, or if the time is up (then say before what)."""
        stop = should_stop()
        if stop:
            outcome.status = stop
        elif deadline is not None and time.monotonic() > deadline:
            outcome.status, outcome.error = Activity.Status.TIMED_OUT, f"its time ran out before {before}"
        return bool(stop) or outcome.status == Activity.Status.TIMED_OUT

    try:
        # Resolved only now, as the model loads: a dry run or a run that stops before loading never asks
        reference = adapter() if callable(adapter) else adapter
        with model_in_use(artifact, adapter=reference) as backend:
            _adapter_record(activity, artifact, reference)
            for start in range(0, len(remaining), BATCH_ITEMS):
                if interrupted("it finished practising"):
                    return outcome
                batches_took += _attempt(activity, source, backend, remaining[start : start + BATCH_ITEMS])
                on_progress()
            graded = _graded(activity, items)
            if hobby_type == "BENCHMARK_RUNNING":
                outcome.heldout_score = _mean([g.score for _, _, g in graded])
                outcome.heldout_by_skill = _by_skill(graded)
            elif probe_per_suite:
                probe = source.items("heldout", per_suite=probe_per_suite, seed=activity.seed)
                probed = []
                for start in range(0, len(probe), BATCH_ITEMS):  # as stoppable as practice
                    if interrupted("its measurement"):
                        return outcome
                    chunk = probe[start : start + BATCH_ITEMS]
                    probed += [
                        (item, answer, source.grade(item, answer))
                        for item, answer in zip(chunk, source.answer(backend, chunk))
                    ]
                    on_progress()
                outcome.heldout_score = _mean([g.score for _, _, g in probed])
                outcome.heldout_by_skill = _by_skill(probed)
            if interrupted("it reflected on its attempts"):
                return outcome
            outcome.reflections = reflection.reflect(backend, artifact, graded)
            outcome.learned = lambda: source.learned(activity, graded)
    except (BackendError, HostError) as exc:
        outcome.status, outcome.error = Activity.Status.FAILED, f"the model could not answer: {exc}"
    finally:
        # Time spent outside the batches (loading the model, measuring, reflecting) counts too.
        outcome.extra_seconds = time.perf_counter() - run_started - batches_took
    return outcome


def _adapter_record(activity: Activity, artifact: ModelArtifact, reference: str) -> None:
    """Which adapter answers, by id (an alias or a registered directory resolved): the learned router learns
    each adapter's graded answers apart from the bare model's (hobbies.graded)."""
    try:
        named = adapter_named(artifact, reference)
    except NotFound:  # its alias was removed since it loaded: what loaded is still what the reference said
        named = None
    activity.adapter = named.adapter_id if named is not None else reference
    if activity.adapter:
        Activity.objects.filter(pk=activity.pk).update(adapter=activity.adapter)


def practice_run(**options) -> Activity:
    """Practise and finish in one go (no assignment): the activity, its insights, patterns and the progress of
    its sub-agent, if it has one."""
    return activity_finish(practise(**options))


def _attempt(activity: Activity, source, backend, batch: list[Item]) -> float:
    """Answer, grade and store one batch with the time it took; returns that time. An item already attempted
    (by a run that was presumed dead but was not) is kept once."""
    started = time.perf_counter()
    answers = source.answer(backend, batch)
    grades = [source.grade(item, answer) for item, answer in zip(batch, answers)]
    took = time.perf_counter() - started
    with transaction.atomic():
        Attempt.objects.bulk_create(
            [attempt_row(activity, item, answer, verdict) for item, answer, verdict in zip(batch, answers, grades)],
            ignore_conflicts=True,
        )
        Activity.objects.filter(pk=activity.pk).update(duration_seconds=F("duration_seconds") + took)
    return took


def attempt_row(activity: Activity, item: Item, answer: str, verdict: Grade) -> Attempt:
    return Attempt(
        activity=activity,
        item_id=item.id,
        skill=item.skill or item.suite,
        prompt=item.prompt,
        expected=item.answer,
        answer=answer,
        correct=verdict.correct,
        score=verdict.score,
        detail=verdict.detail,
        failure_kind="" if verdict.correct else failure_kind(item.answer, answer),
    )


def _graded(activity: Activity, items: list[Item]) -> list[tuple[Item, str, Grade]]:
    """Every stored attempt of the activity, in item order, as (item, answer, grade)."""
    by_id = {item.id: item for item in items}
    rows = activity.attempts.order_by("id")
    return [
        (by_id[row.item_id], row.answer, Grade(row.correct, row.score, row.detail))
        for row in rows
        if row.item_id in by_id
    ]


def _by_skill(graded) -> dict[str, float]:
    return mean_by_skill((item.skill or item.suite, verdict.score) for item, _, verdict in graded)


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None
