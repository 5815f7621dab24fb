"""Rated insights in the formats training libraries read (TRL's dataset formats):

- sft: {"prompt", "completion"} for supervised fine-tuning, only insights whose reward passes a threshold;
- preferences: {"prompt", "chosen", "rejected"} for DPO / reward modelling, two insights of the same activity
  (so the same prompt) whose rewards differ by a margin;
- kto: {"prompt", "completion", "label"} binary labels for KTO, every insight people judged clearly.

An insight's reward is people's (the originals' formula) where they gave feedback, blended with the learned
model's by the feedback's confidence, and the learned model's alone elsewhere (learning.feedback.reward_models.blended_reward).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from hobbies.catalogue import CATALOGUE
from hobbies.models import Insight
from learning.feedback.reward_models import insight_rewards, training_weight

FORMATS = ("sft", "preferences", "kto")
SFT_THRESHOLD = 0.3  # the originals' "high quality" reward
PREFERENCE_MARGIN = 0.25
CHUNK = 1000


def insight_prompt(insight: Insight) -> str:
    activity = insight.activity
    objective = CATALOGUE[activity.hobby_type].learning_objective
    return f"{objective}\nPractice: {activity.description}\nWhat did this practice show about {insight.skill}?"


def _rated_insights() -> Iterator[tuple[Insight, float, float]]:
    """(insight, reward in -1..1, people's confidence) for every insight with feedback or a learned score."""
    rewards = insight_rewards()
    ids = sorted(rewards)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for insight in Insight.objects.filter(pk__in=chunk).select_related("activity").order_by("pk"):
            yield insight, *rewards[insight.pk]


def export_rows(kind: str, *, threshold: float = SFT_THRESHOLD, margin: float = PREFERENCE_MARGIN) -> Iterator[dict]:
    if kind not in FORMATS:
        raise ValueError(f"Unknown export format {kind!r}: one of {', '.join(FORMATS)}")
    if kind == "sft":
        for insight, value, _ in _rated_insights():
            if training_weight(value, threshold=threshold) > 0:
                yield {"prompt": insight_prompt(insight), "completion": insight.text}
    elif kind == "kto":
        for insight, value, confidence in _rated_insights():
            if confidence > 0 and value != 0:
                yield {"prompt": insight_prompt(insight), "completion": insight.text, "label": value > 0}
    else:
        by_activity: dict[int, list[tuple[Insight, float]]] = {}
        for insight, value, _ in _rated_insights():
            by_activity.setdefault(insight.activity_id, []).append((insight, value))
        for rated in by_activity.values():
            for (a, value_a), (b, value_b) in combinations(rated, 2):
                if abs(value_a - value_b) >= margin:
                    better, worse = (a, b) if value_a > value_b else (b, a)
                    yield {"prompt": insight_prompt(better), "chosen": better.text, "rejected": worse.text}
