"""Sharing work among sub-agents: auto-distribution to the weakest enabled types, and consensus runs.

Auto-distribution (the originals' auto_distribute_hobbies, docs/originals.md 1.7, minus its bugs): the enabled types,
weakest first (measured proficiency, ties in catalogue order), each given to the least-loaded capable
sub-agent with room; types nobody can take are skipped. Capacity is enforced where assignments are created,
with the sub-agent's row locked, so parallel calls never exceed it.

Consensus (the originals' multi-agent convergence, docs/originals.md 2b.4, run in parallel for real): the same
practice items go to k sub-agents at once (a Celery group, each on its own machine's queue); when the last
one has answered, the answers are compared item by item. Two or more agreeing is high confidence; any
disagreement flags the item for review.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter

from celery import group
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, Invalid
from core.heavy import worker_only
from hobbies.assignments import assignment_create, can_take, default_model, practicable
from hobbies.catalogue import NAMES, PRACTICE_BUILT
from hobbies.exercises import NothingToPractise, source_for
from hobbies.models import Assignment, ConsensusAnswer, ConsensusItem, ConsensusRun, HobbyType, SubAgent
from hobbies.proficiency import progress_by_type
from hobbies.services import hobbies_enabled, hobby_check, subagent_get, subagents_with_counts
from hobbies.tasks import consensus_answer_task
from models_suite.backends import BackendError
from models_suite.host import HostError
from models_suite.services.hosting import model_in_use
from workers.base import is_transient
from workers.queues import QueueRole, queue_name
from workers.selectors import machines_offering

logger = logging.getLogger(__name__)

DISTRIBUTE_RANGE = (1, 10)
DISTRIBUTE_DURATION_MINUTES = 10.0  # the originals' duration for distributed assignments


def auto_distribute(*, num_assignments: int = 3) -> list[Assignment]:
    low, high = DISTRIBUTE_RANGE
    if isinstance(num_assignments, bool) or not isinstance(num_assignments, int) or not low <= num_assignments <= high:
        raise Invalid({"num_assignments": [f"num_assignments is a whole number from {low} to {high}"]})
    if not hobbies_enabled():
        raise Conflict("hobbies are switched off (AUTONOMOUS_HOBBY_ENABLED, or the hobby configuration)")
    enabled = set(practicable(HobbyType.objects.filter(enabled=True).values_list("name", flat=True))) & PRACTICE_BUILT
    proficiency = progress_by_type()
    # Types never measured first (nothing is known about them), then the weakest measured; ties in catalogue order.
    weakest = sorted(
        (name for name in NAMES if name in enabled),
        key=lambda name: (proficiency[name]["proficiency"] is not None, proficiency[name]["proficiency"] or 0.0),
    )
    made: list[Assignment] = []
    for hobby_type in weakest[:num_assignments]:
        for subagent in _least_loaded_capable(hobby_type):
            try:
                made.append(
                    assignment_create(
                        subagent_id=subagent.subagent_id,
                        hobby_type=hobby_type,
                        duration_minutes=DISTRIBUTE_DURATION_MINUTES,
                        origin="distribute",
                    )
                )
                break
            except Conflict:
                continue  # filled up meanwhile (a parallel call): the next one
    return made


def _least_loaded_capable(hobby_type: str) -> list[SubAgent]:
    """Capable sub-agents with room, fewest active assignments first (ties: registered first)."""
    found = [
        s
        for s in subagents_with_counts().select_related("model")
        if can_take(s, hobby_type) and s.active_assignments < s.max_concurrent_assignments
    ]
    return sorted(found, key=lambda s: s.active_assignments)


# --- consensus --------------------------------------------------------------------------------------------------
def consensus_start(
    *, hobby_type: str, subagent_ids: list[str] | None = None, k: int = 3, items_per_suite: int = 4
) -> ConsensusRun:
    """Fan the same items out to k sub-agents (named, or the least loaded capable ones)."""
    hobby_type = hobby_check(hobby_type)
    if not isinstance(items_per_suite, int) or not 1 <= items_per_suite <= 50:
        raise Invalid({"items_per_suite": ["items_per_suite is 1 to 50"]})
    if subagent_ids:
        chosen = [subagent_get(subagent_id=s) for s in dict.fromkeys(subagent_ids)]
        unable = [s.subagent_id for s in chosen if not can_take(s, hobby_type)]
        if unable:
            raise Invalid({"subagent_ids": [f"cannot practise {hobby_type}: {', '.join(unable)}"]})
    else:
        if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= 10:
            raise Invalid({"k": ["k is 2 to 10"]})
        chosen = _least_loaded_capable(hobby_type)[:k]
    if len(chosen) < 2:
        raise Invalid(
            {
                "subagent_ids": [
                    f"consensus needs at least 2 sub-agents able to practise {hobby_type}; {len(chosen)} available"
                ]
            }
        )
    seed = secrets.randbits(31)
    try:
        if not source_for(hobby_type).items("train", per_suite=items_per_suite, seed=seed):
            raise NothingToPractise(f"{hobby_type} found nothing to practise on")
    except NothingToPractise as exc:
        raise Invalid({"hobby_type": [str(exc)]}) from None
    with transaction.atomic():
        run = ConsensusRun.objects.create(hobby_type=hobby_type, seed=seed, items_per_suite=items_per_suite)
        run.subagents.set(chosen)
        transaction.on_commit(lambda: _fan_out(run, chosen))
    return run


def _fan_out(run: ConsensusRun, subagents: list[SubAgent]) -> None:
    live = machines_offering(QueueRole.HOBBIES)
    group(
        consensus_answer_task.si(run_id=run.pk, subagent_pk=s.pk).set(
            queue=queue_name(QueueRole.HOBBIES, s.machine if s.machine in live else settings.MACHINE_NAME)
        )
        for s in subagents
    ).apply_async()


def consensus_items(run: ConsensusRun):
    source = source_for(run.hobby_type)
    return source, source.items("train", per_suite=run.items_per_suite, seed=run.seed)


@worker_only
def consensus_answer(*, run_id: int, subagent_pk: int) -> int:
    """One sub-agent answers the run's items (kept once, whatever the redeliveries); the last one to finish
    compares. Returns how many answers it stored."""
    run = ConsensusRun.objects.get(pk=run_id)
    subagent = SubAgent.objects.select_related("model").get(pk=subagent_pk)
    source, items = consensus_items(run)
    try:
        with model_in_use(subagent.model or default_model(), adapter=subagent.adapter) as backend:
            answers = source.answer(backend, items)
    except (BackendError, HostError, LookupError):
        answers = [""] * len(items)  # it could not answer: an empty answer agrees with nobody
    except Exception as exc:
        if is_transient(exc):
            raise  # retried
        logger.exception("sub-agent %s could not answer consensus run %s", subagent.subagent_id, run_id)
        answers = [""] * len(items)  # the run still completes, this sub-agent agreeing with nobody
    stored = ConsensusAnswer.objects.bulk_create(
        [
            ConsensusAnswer(
                run=run, subagent=subagent, item_id=item.id, answer=answer, correct=source.grade(item, answer).correct
            )
            for item, answer in zip(items, answers)
        ],
        ignore_conflicts=True,
    )
    _compare_when_complete(run_id, source, items)
    return len(stored)


def _normal(answer: str) -> str:
    return " ".join(answer.split()).casefold()


def _compare_when_complete(run_id: int, source, items) -> None:
    with transaction.atomic():
        run = ConsensusRun.objects.select_for_update().get(pk=run_id)
        expected = run.subagents.count() * len(items)
        if run.status != ConsensusRun.Status.RUNNING or run.answers.count() < expected:
            return
        by_item: dict[str, list[str]] = {}
        for item_id, answer in run.answers.values_list("item_id", "answer"):
            by_item.setdefault(item_id, []).append(answer)
        verdicts = []
        for item in items:
            answers = [a for a in by_item.get(item.id, []) if a.strip()]
            counts = Counter(_normal(a) for a in answers)
            top, agreeing = counts.most_common(1)[0] if counts else ("", 0)
            shown = next((a for a in answers if _normal(a) == top), "")
            verdicts.append(
                ConsensusItem(
                    run=run,
                    item_id=item.id,
                    prompt=item.prompt,
                    answer=shown,
                    agreeing=agreeing,
                    confidence=ConsensusItem.Confidence.HIGH if agreeing >= 2 else ConsensusItem.Confidence.LOW,
                    needs_review=len(counts) != 1 or agreeing < len(by_item.get(item.id, [])),
                    correct=source.grade(item, shown).correct if shown else False,
                )
            )
        ConsensusItem.objects.bulk_create(verdicts)
        run.status, run.completed_at = ConsensusRun.Status.COMPLETED, timezone.now()
        run.agreement = sum(v.confidence == "high" for v in verdicts) / len(verdicts) if verdicts else 0.0
        run.flagged = sum(v.needs_review for v in verdicts)
        run.save()


def consensus_shape(run: ConsensusRun) -> dict:
    return {
        "id": run.pk,
        "hobby_type": run.hobby_type,
        "status": run.status,
        "subagents": list(run.subagents.values_list("subagent_id", flat=True)),
        "created_at": run.created_at.isoformat(),
        "completed_at": run.completed_at.isoformat() if run.completed_at else None,
        "agreement": run.agreement,
        "flagged_for_review": run.flagged,
        "items": [
            {
                "item_id": i.item_id,
                "prompt": i.prompt,
                "answer": i.answer,
                "agreeing": i.agreeing,
                "confidence": i.confidence,
                "needs_review": i.needs_review,
                "correct": i.correct,
            }
            for i in run.items.all()
        ],
    }
