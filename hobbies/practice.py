"""Practice on evaluation suites: a model answers items of a hobby type's suites, every attempt is graded and
stored, and what the grades show becomes insights (per activity) and patterns (across activities).

This is the practice of the suite-based types (their suites in the catalogue); BENCHMARK_RUNNING uses the
held-out split, every other type the train split, so practice never sees what proficiency is measured on.
"""

from __future__ import annotations

import random
import secrets
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hobbies.analysis import KIND_TEXT, GradedAttempt, analyse, failure_kind
from hobbies.catalogue import CATALOGUE
from hobbies.models import Activity, Attempt, Insight, Pattern, SubAgent
from hobbies.services import hobby_check
from models_suite.evaluation import get_suite, grade
from models_suite.models import ModelArtifact

DEFAULT_ITEMS_PER_SUITE = 8


class PracticeUnavailable(Exception):
    """The type has nothing to practise on this way (no suites)."""


def practice_items(hobby_type: str, *, items_per_suite: int, seed: int, split: str) -> list:
    """Items drawn at random (seeded) from each of the type's suites, in the given split."""
    suites = CATALOGUE[hobby_type].suites
    if not suites:
        raise PracticeUnavailable(f"{hobby_type} practises on documents, not suites")
    rng = random.Random(seed)
    chosen = []
    for name in suites:
        pool = get_suite(name).items(split)
        chosen.extend(rng.sample(pool, min(items_per_suite, len(pool))))
    return chosen


def practice_run(*, hobby_type: str, artifact: ModelArtifact, subagent: SubAgent | None = None,
                 items_per_suite: int = DEFAULT_ITEMS_PER_SUITE, seed: int | None = None) -> Activity:
    """Run one practice activity on this machine's model host and store it, its attempts, its insights and
    the patterns they feed. A model that cannot answer fails the activity, recorded with why."""
    from models_suite.backends import BackendError
    from models_suite.host import HostError
    from models_suite.services.evaluation import answers_for
    from models_suite.services.hosting import model_in_use

    hobby_type = hobby_check(hobby_type)
    split = "heldout" if hobby_type == "BENCHMARK_RUNNING" else "train"
    seed = secrets.randbits(32) if seed is None else seed
    items = practice_items(hobby_type, items_per_suite=items_per_suite, seed=seed, split=split)
    activity = Activity.objects.create(
        activity_id=secrets.token_hex(6), hobby_type=hobby_type, subagent=subagent, model_name=artifact.name,
        split=split, description=f"{len(items)} items of {', '.join(sorted({i.suite for i in items}))} ({split})")
    started = time.perf_counter()
    try:
        with model_in_use(artifact) as backend:
            answers = answers_for(backend, [item.prompt for item in items])
    except (BackendError, HostError) as exc:
        Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.FAILED, error=str(exc),
                                                       completed_at=timezone.now())
        activity.refresh_from_db()
        return activity
    _record(activity, items, answers, seconds=time.perf_counter() - started)
    activity.refresh_from_db()
    return activity


def _record(activity: Activity, items, answers, *, seconds: float) -> None:
    graded = [(item, answer, grade(item, answer)) for item, answer in zip(items, answers)]
    with transaction.atomic():
        attempts = Attempt.objects.bulk_create([
            Attempt(activity=activity, item_id=item.id, skill=item.skill, prompt=item.prompt, expected=item.answer,
                    answer=answer, correct=verdict.correct, score=verdict.score, detail=verdict.detail,
                    failure_kind="" if verdict.correct else failure_kind(item.answer, answer))
            for item, answer, verdict in graded])
        by_key = {str(index): attempt for index, attempt in enumerate(attempts)}
        findings = analyse([GradedAttempt(key=str(index), skill=item.skill, expected=item.answer, answer=answer,
                                          correct=verdict.correct)
                            for index, (item, answer, verdict) in enumerate(graded)])
        for finding in findings:
            insight = Insight.objects.create(activity=activity, skill=finding.skill, kind=finding.kind,
                                             text=finding.text, share=finding.share)
            insight.evidence.set([by_key[key] for key in finding.evidence])
            if finding.kind != "success_rate":
                _pattern_seen(activity.hobby_type, finding.skill, finding.kind, len(finding.evidence))
        skills: dict[str, list[float]] = {}
        for item, _, verdict in graded:
            skills.setdefault(item.skill, []).append(verdict.score)
        Activity.objects.filter(pk=activity.pk).update(
            status=Activity.Status.COMPLETED, completed_at=timezone.now(), item_count=len(graded),
            correct_count=sum(v.correct for _, _, v in graded),
            score=sum(v.score for _, _, v in graded) / len(graded) if graded else None,
            performance_metrics={"seconds": round(seconds, 3),
                                 **{skill: sum(s) / len(s) for skill, s in sorted(skills.items())}})


def _pattern_seen(hobby_type: str, skill: str, kind: str, attempts: int) -> None:
    pattern, created = Pattern.objects.get_or_create(
        hobby_type=hobby_type, skill=skill, kind=kind,
        defaults={"description": f"{skill}: answers {KIND_TEXT[kind]}", "activities": 1, "attempts": attempts})
    if not created:
        Pattern.objects.filter(pk=pattern.pk).update(activities=F("activities") + 1, attempts=F("attempts") + attempts,
                                                     last_seen=timezone.now())
