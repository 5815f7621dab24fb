"""One turn of the learning loop: measure -> choose -> practise -> dataset -> LoRA -> paired A/B (-> repair ->
A/B) -> promote or keep -> watch.

Run by `manage.py learning_cycle` (one cycle, printing what it does), `manage.py learning_curve` (several back to
back) and the nightly beat schedule (on a training worker). Every step is recorded on a LearningCycle row; a
failure ends the cycle as failed with its reason and lands on the error bus, and the champion keeps serving.

Learning compounds: the challenger continues the champion's adapter weights (the parent in its lineage), so
what earlier cycles taught is where the next one starts, and the replay protects it. The skill to work on and
the recipe come from learning.planning.curriculum: a bandit over each skill's measured gains per cycle, and a recipe
adapted from the last cycles' outcomes within the time budget. Forgetting is the real enemy (calibration: 2-digit
subtraction alone took sorting from 98 % to 0.5 %), so the practice covers every measured suite and the replay is
weighted towards the skills with the most to lose. The A/B also holds every skill to a floor (two points below
where the bare base started). A challenger that learnt its skill but was kept for what it forgot (a skill
significantly below its floor, or another suite's significant drop) is repaired, a short continuation on replay
weighted to the skills that fell, and A/B tested again by the same rules (at most twice).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from core.heavy import worker_only
from core.services import error_event_record
from hobbies.assignments import default_model
from hobbies.practice import practice_run
from learning.loop import comparisons, jobs
from learning.loop.adapters import champion
from learning.loop.datasets import TooFewExamples, dataset_build
from learning.loop.history import base_scores, cycle_history, last_challenger_change, taught
from learning.models import LearningCycle, TrainingJob
from learning.planning import curriculum
from learning.training.paired_stats import significant_drop, significant_gain

# The base recipe every skill starts from (no per-skill constants): curriculum.plan_recipe adapts it per skill
# from what the last cycles measured. It was chosen on fresh held-out items past the reported split, never on the
# items a cycle reports; the candidates and their measured gains are in the README (The learning loop).
RECIPE = {
    "r": 16,
    "alpha": 32,
    "dropout": 0.05,
    "learning_rate": 5e-3,
    "batch_size": 32,
    "max_steps": 1500,
    "warmup_steps": 30,
    "save_steps": 50,
    "logging_steps": 10,
    "loss_on": "answer",
    "max_seq_length": 64,
    # Learning without forgetting (learning.training.distill): off until a draw of the demo measures it against
    # the draws without it (README, The learning loop).
    "keep_weight": 0.0,
}
FOCUS_ITEMS = 4000
REPLAY_ITEMS = 1500
REPLAY_SHARE = 0.75
# The training part of a cycle's time; practice, the A/B and the watch add about a minute and a half on 2 cores.
TRAIN_BUDGET_SECONDS = 300.0
MIN_EXAMPLES = jobs.MIN_EXAMPLES
# A whole cycle takes minutes (about 6 on the built-in model); one still `running` after this long lost its
# process (a killed worker or command: the nightly task is not retried) and would otherwise stay `running` forever.
ABANDONED_AFTER = timedelta(hours=6)


def cycles_abandon() -> int:
    """Ends as failed the cycles whose process died mid-run, saying so. Returns how many."""
    now = timezone.now()
    return LearningCycle.objects.filter(
        status=LearningCycle.Status.RUNNING, started_at__lt=now - ABANDONED_AFTER
    ).update(
        status=LearningCycle.Status.FAILED,
        finished_at=now,
        error=f"abandoned: still running {ABANDONED_AFTER} after it started (its process died mid-run)",
    )


def suite_of(skill: str, measured: comparisons.Measured) -> str:
    for suite, items in measured.correct.items():
        if any(measured.skills[item] == skill for item in items):
            return suite
    raise ValueError(f"No measured suite has the skill {skill!r}; skills: {sorted(set(measured.skills.values()))}")


class Cycle:
    """A LearningCycle row and the steps written to it as they happen."""

    def __init__(self, row: LearningCycle, echo: Callable[[str], None] | None):
        self.row, self.echo, self.started = row, echo, time.perf_counter()

    def step(self, name: str, status: str = "done", **detail) -> None:
        self.row.steps = [
            *self.row.steps,
            {
                "step": name,
                "status": status,
                "detail": detail,
                "at": timezone.now().isoformat(),
                "seconds": round(time.perf_counter() - self.started, 1),
            },
        ]
        LearningCycle.objects.filter(pk=self.row.pk).update(steps=self.row.steps)
        if self.echo:
            self.echo(f"[{time.perf_counter() - self.started:6.0f} s] {name}: {status} {detail or ''}")

    def finish(self, status: str, **fields) -> LearningCycle:
        for name, value in fields.items():
            setattr(self.row, name, value)
        self.row.status, self.row.finished_at = status, timezone.now()
        self.row.save()
        return self.row


@worker_only
def cycle_run(
    *,
    skill: str = "",
    trigger: str = "command",
    recipe: dict | None = None,
    focus_items: int = FOCUS_ITEMS,
    replay_items: int = REPLAY_ITEMS,
    suites=comparisons.MEASURED_SUITES,
    limit: int | None = None,
    seed: int | None = None,
    echo: Callable[[str], None] | None = None,
    continual: bool = True,
    choose: str = "bandit",
    train_budget_seconds: float | None = TRAIN_BUDGET_SECONDS,
) -> tuple[LearningCycle, dict]:
    """Run one cycle here; returns the row and the summary the commands print ({skill, before, after, others,
    promoted, seconds}, the champion's held-out accuracies in percent at the start and the end, on the same items).
    `seed` fixes which train items are practised and the bandit's draw (default: fresh each cycle).
    continual=False and choose="weakest" are the loop before compounding (a fresh LoRA from the bare base, the
    weakest skill first): the benchmark's baseline."""
    if choose not in ("bandit", "weakest"):
        raise ValueError(f"choose must be 'bandit' or 'weakest', got {choose!r}")
    cycles_abandon()
    cycle = Cycle(LearningCycle.objects.create(skill=skill, trigger=trigger), echo)
    try:
        return _run(
            cycle,
            skill=skill,
            lora=recipe or RECIPE,
            focus_items=focus_items,
            replay_items=replay_items,
            suites=suites,
            limit=limit,
            seed=seed,
            artifact=default_model(),
            continual=continual,
            choose=choose,
            train_budget_seconds=train_budget_seconds,
        )
    except Exception as error:
        cycle.step("failed", status="failed", error=f"{type(error).__name__}: {error}")
        error_event_record(source="service", exception=error, message=f"learning cycle {cycle.row.pk} failed")
        cycle.finish(LearningCycle.Status.FAILED, error=f"{type(error).__name__}: {error}")
        raise


def _plan(
    cycle: Cycle,
    *,
    artifact,
    skill: str,
    scores: dict,
    lora: dict,
    focus_items: int,
    replay_items: int,
    seed: int | None,
    choose: str,
    train_budget_seconds: float | None,
) -> tuple[str, curriculum.Recipe, dict]:
    """The skill (forced, the weakest, or the bandit's) and the recipe for it, with the reasons."""
    history = cycle_history(artifact)
    draw: dict
    if skill:
        if skill not in scores:
            raise ValueError(f"Unknown skill {skill!r}; measured skills: {', '.join(sorted(scores))}")
        why, draw = "forced (--skill)", {}
    elif choose == "weakest":
        skill = min(scores, key=scores.__getitem__)
        why, draw = "the weakest skill", {}
    else:
        choice = curriculum.choose_skill(scores, history, random.Random(cycle.row.pk if seed is None else seed))
        skill, why, draw = choice.skill, choice.why, {"bounds": choice.bounds, "resting": choice.resting}
    base = curriculum.Recipe(
        max_steps=lora["max_steps"],
        learning_rate=lora["learning_rate"],
        replay_share=REPLAY_SHARE,
        focus_items=focus_items,
        replay_items=replay_items,
    )
    recipe = (
        curriculum.plan_recipe(skill, history, base, train_budget_seconds=train_budget_seconds)
        if choose == "bandit"
        else base
    )
    return skill, recipe, {"skill_why": why, **draw}


def _run(
    cycle: Cycle,
    *,
    skill,
    lora,
    focus_items,
    replay_items,
    suites,
    limit,
    seed,
    artifact,
    continual,
    choose,
    train_budget_seconds,
):
    defending = champion(artifact, "")
    before = comparisons.measure(artifact, adapter=defending, suites=suites, limit=limit)
    scores = before.by_skill()
    skill, recipe, why = _plan(
        cycle,
        artifact=artifact,
        skill=skill,
        scores=scores,
        lora=lora,
        focus_items=focus_items,
        replay_items=replay_items,
        seed=seed,
        choose=choose,
        train_budget_seconds=train_budget_seconds,
    )
    target = suite_of(skill, before)
    weights = curriculum.replay_weights(
        scores, skill, last_change=last_challenger_change(artifact, cycle.row.pk), taught=taught(artifact, scores)
    )
    plan = {
        **recipe.to_dict(),
        **why,
        "replay_weights": weights,
        "continual": continual and defending is not None,
        "choose": choose,
    }
    cycle.row.skill, cycle.row.before, cycle.row.champion_before = skill, scores, defending
    cycle.row.recipe = {"plan": plan}
    LearningCycle.objects.filter(pk=cycle.row.pk).update(
        skill=skill, before=scores, champion_before=defending, recipe=cycle.row.recipe
    )
    cycle.step(
        "measure", skill=skill, suite=target, before=scores, champion=defending.adapter_id if defending else None
    )
    cycle.step(
        "plan",
        why=why["skill_why"],
        recipe=recipe.why,
        steps=recipe.max_steps,
        learning_rate=recipe.learning_rate,
        replay_share=recipe.replay_share,
    )

    adapter_path = defending.path if defending else ""
    practice_run(
        hobby_type="SKILL_PRACTICE",
        artifact=artifact,
        adapter=adapter_path,
        suites=(target,),
        items_per_suite=recipe.focus_items,
        probe_per_suite=0,
        seed=seed,
    )
    others = tuple(suite for suite in suites if suite != target)
    if others and recipe.replay_items:
        practice_run(
            hobby_type="SKILL_PRACTICE",
            artifact=artifact,
            adapter=adapter_path,
            suites=others,
            items_per_suite=recipe.replay_items,
            probe_per_suite=0,
            seed=None if seed is None else seed + 1,
        )
    cycle.step("practise", focus=recipe.focus_items, replay=recipe.replay_items if others else 0)

    try:
        dataset = _dataset(artifact, skill, recipe.replay_share, weights, seed=cycle.row.pk)
    except TooFewExamples as error:
        cycle.step("extract", status="skipped", examples=error.count)
        return cycle.finish(LearningCycle.Status.SKIPPED, after=scores), summary(cycle, skill, scores, scores, False)
    cycle.step("extract", dataset=dataset.version, train=dataset.train_count, validation=dataset.validation_count)

    parent = defending if continual else None
    config = {**lora, "max_steps": recipe.max_steps, "learning_rate": recipe.learning_rate}
    job = _train(cycle, artifact=artifact, dataset=dataset, parent=parent, config=config, plan=plan)
    first = job

    # The loop before compounding (the benchmark's baseline) had no floors: it is kept as it was.
    floors = curriculum.skill_floors(scores, base_scores(artifact)) if continual else None
    comparison, before, challenger = comparisons.comparison_run(
        challenger=job.adapter, target_suite=target, suites=suites, limit=limit, before=before, floors=floors
    )
    cycle.step("compare", promote=comparison.promote, reason=comparison.reason)
    fallen = comparisons.fallen(before, challenger, floors or {})
    dropped = comparisons.dropped(before, challenger, comparison) if continual else {}
    first_fallen, first_dropped, rounds = fallen, dropped, 0
    while not comparison.promote and (fallen or dropped) and _learnt(comparison) and rounds < curriculum.REPAIR_ROUNDS:
        rounds += 1
        repaired = _repair(
            cycle,
            artifact=artifact,
            skill=skill,
            recipe=recipe,
            weights=weights,
            lora=lora,
            plan=plan,
            fallen={**dropped, **fallen},
            challenger=job.adapter,
        )
        if repaired is None:
            break
        job = repaired
        comparison, before, challenger = comparisons.comparison_run(
            challenger=job.adapter, target_suite=target, suites=suites, limit=limit, before=before, floors=floors
        )
        cycle.step("compare", promote=comparison.promote, reason=comparison.reason, repair=rounds)
        fallen = comparisons.fallen(before, challenger, floors or {})
        dropped = comparisons.dropped(before, challenger, comparison)
    tried = challenger.by_skill()
    # Forgetting that kept the champion (a repaired challenger that was promoted forgot nothing that counts): the
    # recipe gives the next cycle on this skill more replay.
    forgot = _forgot(comparison) or (not comparison.promote and bool(fallen))
    measured = {
        "gain": round(tried.get(skill, scores[skill]) - scores[skill], 1),
        "forgot": forgot,
        "fallen": first_fallen,  # what the cycle's own challenger left below its floor
        "dropped": first_dropped,  # and what fell in a suite of its that dropped significantly
        "repairs": rounds,
        "train_seconds": first.metrics.get("seconds"),  # the cycle's own training: the speed the budget plans with
        "train_steps": first.metrics.get("steps"),
        "challenger": tried,
    }
    status, after = LearningCycle.Status.KEPT, scores
    if comparison.promote:
        cycle.step("promote", adapter=job.adapter.adapter_id)
        status, after = LearningCycle.Status.PROMOTED, tried
        job.adapter.refresh_from_db()
        used = {suite: set(items) for suite, items in before.correct.items()}  # the watch measures other items
        watched = comparisons.watch_check(job.adapter, previous=defending, exclude_items=used, limit=limit)
        cycle.step("watch", regressions=watched.regressions, rolled_back=watched.rolled_back, figures=watched.figures)
        if watched.rolled_back:
            status, after = LearningCycle.Status.ROLLED_BACK, scores  # the previous champion serves again
    cycle.finish(status, comparison=comparison, after=after, recipe={"plan": plan, "measured": measured})
    return cycle.row, summary(cycle, skill, scores, after, status == LearningCycle.Status.PROMOTED)


def _dataset(artifact, skill: str, replay_share: float, weights: dict, *, seed: int):
    """The cycle's dataset from today's practice: `skill` in focus, the replay split by `weights`."""
    return dataset_build(
        days_back=1,
        skill=skill,
        replay_share=replay_share,
        model_name=artifact.name,
        min_examples=MIN_EXAMPLES,
        replay_weights=weights,
        seed=seed,
    )


def _train(cycle: Cycle, *, artifact, dataset, parent, config: dict, plan: dict, step: str = "train") -> TrainingJob:
    """A LoRA run of `config` on `dataset` (continuing `parent`'s weights, if any), here and now; it becomes the
    cycle's training job."""
    job: TrainingJob | None
    job = jobs.job_create(
        model_name=artifact.name, config=config, dataset=dataset, send=False, parent_adapter=parent, recipe=plan
    )
    cycle.row.training_job = job
    LearningCycle.objects.filter(pk=cycle.row.pk).update(training_job=job)
    job = jobs.job_execute(job_pk=job.pk)
    if job is None or job.status != job.Status.COMPLETED:
        raise RuntimeError(
            f"training job ended {getattr(job, 'status', 'elsewhere')}: {getattr(job, 'error_message', '')}"
        )
    cycle.step(
        step,
        job=job.job_id,
        parent=parent.adapter_id if parent else None,
        steps=job.metrics.get("steps"),
        tokens_per_second=round(job.metrics.get("tokens_per_second", 0)),
        seconds=job.metrics.get("seconds"),
        validation_loss=job.metrics.get("validation_loss"),
    )
    return job


def _repair(
    cycle: Cycle, *, artifact, skill: str, recipe, weights: dict, lora: dict, plan: dict, fallen: dict, challenger
) -> TrainingJob | None:
    """The challenger learnt its skill but left others below their floor: continue it briefly on replay weighted
    to what it forgot (learning.planning.curriculum.repair_recipe). Its A/B against the same champion measurement,
    by the same rules, decides. None when there is too little practice to build the repair's dataset."""
    repair, repair_weights = curriculum.repair_recipe(recipe, weights, fallen)
    cycle.step(
        "repair",
        fallen=fallen,
        steps=repair.max_steps,
        learning_rate=repair.learning_rate,
        replay_share=repair.replay_share,
        replay_weights=repair_weights,
    )
    try:
        dataset = _dataset(artifact, skill, repair.replay_share, repair_weights, seed=cycle.row.pk + 1)
    except TooFewExamples as error:
        cycle.step("repair", status="skipped", examples=error.count)
        return None
    config = {**lora, "max_steps": repair.max_steps, "learning_rate": repair.learning_rate}
    plan = {**plan, "repair": {**repair.to_dict(), "replay_weights": repair_weights, "fallen": fallen}}
    return _train(
        cycle, artifact=artifact, dataset=dataset, parent=challenger, config=config, plan=plan, step="train-repair"
    )


def _learnt(comparison) -> bool:
    """The A/B's target suite improved significantly (whatever else kept the champion)."""
    aimed = next(suite for suite in comparison.suites if suite["suite"] == comparison.target_suite)
    return significant_gain(aimed["difference"], aimed["p_value"])


def _forgot(comparison) -> bool:
    """The A/B kept the champion because a suite other than the target fell significantly (its own rule)."""
    return not comparison.promote and any(
        suite["suite"] != comparison.target_suite and significant_drop(suite["difference"], suite["p_value"])
        for suite in comparison.suites
    )


def summary(cycle: Cycle, skill: str, before: dict, after: dict, promoted: bool) -> dict:
    """The champion's held-out accuracy per skill at the start and at the end of the cycle (the same items)."""
    return {
        "skill": skill,
        "before": before.get(skill),
        "after": after.get(skill),
        "others": {
            name: {"before": value, "after": after.get(name)} for name, value in before.items() if name != skill
        },
        "promoted": promoted,
        "status": cycle.row.status,
        "seconds": round(time.perf_counter() - cycle.started, 1),
        "cycle": cycle.row.pk,
        "recipe": cycle.row.recipe.get("plan", {}),
    }
