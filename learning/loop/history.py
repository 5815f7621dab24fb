"""What earlier learning cycles on a base model measured, read back for the next one: their outcomes (the
bandit's and the recipe's history), the last challenger's change per skill, the bare base's scores (where the loop
started: the floors) and what the champion was taught above them (the replay's weights)."""

from __future__ import annotations

from learning.models import LearningCycle
from learning.planning import curriculum


def cycle_history(artifact, *, limit: int = 50) -> list[curriculum.Outcome]:
    """The finished cycles on this base model, oldest first, as the curriculum reads them."""
    rows = (
        LearningCycle.objects.filter(
            training_job__base_model=artifact,
            status__in=[LearningCycle.Status.PROMOTED, LearningCycle.Status.KEPT, LearningCycle.Status.ROLLED_BACK],
        )
        .order_by("-started_at")
        .values_list("skill", "status", "recipe")[:limit]
    )
    history = []
    for skill, status, recipe in reversed(rows):
        measured = (recipe or {}).get("measured", {})
        history.append(
            curriculum.Outcome(
                skill=skill,
                gain=measured.get("gain"),
                promoted=status == LearningCycle.Status.PROMOTED,
                forgot=bool(measured.get("forgot")),
                recipe=(recipe or {}).get("plan", {}),
                train_seconds=measured.get("train_seconds"),
                train_steps=measured.get("train_steps"),
            )
        )
    return history


def last_challenger_change(artifact, before_pk: int) -> dict[str, float] | None:
    """Per skill, what the last cycle's challenger did to the champion's accuracy (promoted or not: a challenger
    that hurt a skill says that skill is at risk)."""
    last = (
        LearningCycle.objects.filter(training_job__base_model=artifact, pk__lt=before_pk)
        .exclude(recipe__measured__isnull=True)
        .values_list("before", "recipe")
        .first()
    )
    if last is None:
        return None
    before, tried = last[0], last[1]["measured"].get("challenger", {})
    return {skill: tried[skill] - value for skill, value in before.items() if skill in tried}


def base_scores(artifact) -> dict[str, float] | None:
    """The bare base model's held-out accuracy per skill: the first cycle's measurement, taken before any
    champion existed (None before the first cycle)."""
    return (
        LearningCycle.objects.filter(training_job__base_model=artifact, champion_before__isnull=True)
        .order_by("started_at")
        .values_list("before", flat=True)
        .first()
    )


def taught(artifact, scores: dict[str, float]) -> dict[str, float] | None:
    """Per skill, what earlier cycles taught the champion: its held-out accuracy now above the bare base's."""
    base = base_scores(artifact)
    return {skill: value - base[skill] for skill, value in scores.items() if skill in base} if base else None
