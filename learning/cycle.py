"""One turn of the learning loop: measure -> practise -> dataset -> LoRA -> paired A/B -> promote or keep -> watch.

Run by `manage.py learning_cycle` (on this machine, printing what it does) and by the nightly beat schedule (on a
training worker). Every step is recorded on a LearningCycle row; a failure ends the cycle as failed with its
reason and lands on the error bus.

Forgetting is the real enemy (the issue's calibration: 2-digit subtraction alone took sorting from 98 % to
0.5 %), so the practice that feeds the dataset covers every measured suite, not just the chosen skill: the
chosen skill's suite gets FOCUS_ITEMS items, each other suite REPLAY_ITEMS, and the dataset replays the other
skills at REPLAY_SHARE of its examples.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from learning import ab, jobs
from learning.models import LearningCycle

# Measured on the built-in model (2 cores): with replay of every suite, 450 steps took subtraction from 11.5 % to
# 54 % with no other skill down by more than 2.1 points, in about 2 minutes of training.
RECIPE = {"r": 8, "alpha": 16, "dropout": 0.05, "learning_rate": 2e-3, "batch_size": 32, "max_steps": 600,
          "warmup_steps": 30, "save_steps": 50, "logging_steps": 10, "loss_on": "answer", "max_seq_length": 64}
FOCUS_ITEMS = 4000
REPLAY_ITEMS = 1500
REPLAY_SHARE = 0.75
MIN_EXAMPLES = jobs.MIN_EXAMPLES
# A whole cycle takes minutes (about 2 on the built-in model); one still `running` after this long lost its
# process (a killed worker or command: the nightly task is not retried) and would otherwise stay `running` forever.
ABANDONED_AFTER = timedelta(hours=6)


def cycles_abandon() -> int:
    """Ends as failed the cycles whose process died mid-run, saying so. Returns how many."""
    now = timezone.now()
    return LearningCycle.objects.filter(status=LearningCycle.Status.RUNNING,
                                        started_at__lt=now - ABANDONED_AFTER).update(
        status=LearningCycle.Status.FAILED, finished_at=now,
        error=f"abandoned: still running {ABANDONED_AFTER} after it started (its process died mid-run)")


def suite_of(skill: str, measured: ab.Measured) -> str:
    for suite, items in measured.correct.items():
        if any(measured.skills[item] == skill for item in items):
            return suite
    raise ValueError(f"No measured suite has the skill {skill!r}; skills: {sorted(set(measured.skills.values()))}")


class Cycle:
    """A LearningCycle row and the steps written to it as they happen."""

    def __init__(self, row: LearningCycle, echo: Callable[[str], None] | None):
        self.row, self.echo, self.started = row, echo, time.perf_counter()

    def step(self, name: str, status: str = "done", **detail) -> None:
        self.row.steps = [*self.row.steps, {"step": name, "status": status, "detail": detail,
                                            "at": timezone.now().isoformat(),
                                            "seconds": round(time.perf_counter() - self.started, 1)}]
        LearningCycle.objects.filter(pk=self.row.pk).update(steps=self.row.steps)
        if self.echo:
            self.echo(f"[{time.perf_counter() - self.started:6.0f} s] {name}: {status} {detail or ''}")

    def finish(self, status: str, **fields) -> LearningCycle:
        for name, value in fields.items():
            setattr(self.row, name, value)
        self.row.status, self.row.finished_at = status, timezone.now()
        self.row.save()
        return self.row


def cycle_run(*, skill: str = "", trigger: str = "command", recipe: dict | None = None,
              focus_items: int = FOCUS_ITEMS, replay_items: int = REPLAY_ITEMS, suites=ab.MEASURED_SUITES,
              limit: int | None = None, seed: int | None = None, echo: Callable[[str], None] | None = None
              ) -> tuple[LearningCycle, dict]:
    """Run one cycle here; returns the row and the summary the command prints ({skill, before, after, others,
    promoted, seconds}, held-out accuracies in percent). `seed` fixes which train items are practised (default:
    fresh ones each cycle)."""
    from core.services import error_event_record
    from hobbies.assignments import default_model

    cycles_abandon()
    cycle = Cycle(LearningCycle.objects.create(skill=skill, trigger=trigger), echo)
    try:
        return _run(cycle, skill=skill, recipe=recipe or RECIPE, focus_items=focus_items,
                    replay_items=replay_items, suites=suites, limit=limit, seed=seed, artifact=default_model())
    except Exception as error:
        cycle.step("failed", status="failed", error=f"{type(error).__name__}: {error}")
        error_event_record(source="service", exception=error, message=f"learning cycle {cycle.row.pk} failed")
        cycle.finish(LearningCycle.Status.FAILED, error=f"{type(error).__name__}: {error}")
        raise


def _run(cycle: Cycle, *, skill, recipe, focus_items, replay_items, suites, limit, seed, artifact):
    from hobbies.practice import practice_run
    from learning.adapters import champion
    from learning.datasets import TooFewExamples, dataset_build

    defending = champion(artifact, "")
    before = ab.measure(artifact, adapter=defending, suites=suites, limit=limit)
    scores = before.by_skill()
    skill = skill or min(scores, key=scores.get)  # the weakest skill
    if skill not in scores:
        raise ValueError(f"Unknown skill {skill!r}; measured skills: {', '.join(scores)}")
    target = suite_of(skill, before)
    LearningCycle.objects.filter(pk=cycle.row.pk).update(skill=skill)
    cycle.row.skill = skill
    cycle.step("measure", skill=skill, suite=target, before=scores,
               champion=defending.adapter_id if defending else None)

    adapter_path = defending.path if defending else ""
    practice_run(hobby_type="SKILL_PRACTICE", artifact=artifact, adapter=adapter_path, suites=(target,),
                 items_per_suite=focus_items, probe_per_suite=0, seed=seed)
    others = tuple(suite for suite in suites if suite != target)
    if others and replay_items:
        practice_run(hobby_type="SKILL_PRACTICE", artifact=artifact, adapter=adapter_path, suites=others,
                     items_per_suite=replay_items, probe_per_suite=0, seed=None if seed is None else seed + 1)
    cycle.step("practise", focus=focus_items, replay=replay_items if others else 0)

    try:
        dataset = dataset_build(days_back=1, skill=skill, replay_share=REPLAY_SHARE, model_name=artifact.name,
                                min_examples=MIN_EXAMPLES)
    except TooFewExamples as error:
        cycle.step("extract", status="skipped", examples=error.count)
        return cycle.finish(LearningCycle.Status.SKIPPED), summary(cycle, skill, scores, None, False)
    cycle.step("extract", dataset=dataset.version, train=dataset.train_count, validation=dataset.validation_count)

    job = jobs.job_create(model_name=artifact.name, config=recipe, dataset=dataset, send=False)
    cycle.row.training_job = job
    LearningCycle.objects.filter(pk=cycle.row.pk).update(training_job=job)
    job = jobs.job_execute(job_pk=job.pk)
    if job is None or job.status != job.Status.COMPLETED:
        raise RuntimeError(f"training job ended {getattr(job, 'status', 'elsewhere')}: "
                           f"{getattr(job, 'error_message', '')}")
    cycle.step("train", job=job.job_id, steps=job.metrics.get("steps"),
               tokens_per_second=round(job.metrics.get("tokens_per_second", 0)),
               seconds=job.metrics.get("seconds"), validation_loss=job.metrics.get("validation_loss"))

    comparison, before, after = ab.comparison_run(challenger=job.adapter, target_suite=target, suites=suites,
                                                  limit=limit, before=before)
    cycle.step("compare", promote=comparison.promote, reason=comparison.reason)
    status = LearningCycle.Status.KEPT
    if comparison.promote:
        cycle.step("promote", adapter=job.adapter.adapter_id)
        job.adapter.refresh_from_db()
        found = ab.watch_check(job.adapter, current=after)
        cycle.step("watch", regressions=found, rolled_back=bool(found))
        status = LearningCycle.Status.PROMOTED
    cycle.finish(status, comparison=comparison)
    return cycle.row, summary(cycle, skill, scores, after.by_skill(), comparison.promote)


def summary(cycle: Cycle, skill: str, before: dict, after: dict | None, promoted: bool) -> dict:
    """Held-out accuracy per skill, before and after (the challenger's figures; the champion's when not
    promoted is `before`)."""
    after = after or before
    return {"skill": skill, "before": before.get(skill), "after": after.get(skill),
            "others": {name: {"before": value, "after": after.get(name)} for name, value in before.items()
                       if name != skill},
            "promoted": promoted, "seconds": round(time.perf_counter() - cycle.started, 1), "cycle": cycle.row.pk}
