"""Practice attempts as graded evidence for the learned router (models_suite.services.router_training): which
model answered which prompt, and whether it was right. Registered in HobbiesConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterator

from hobbies.models import Attempt
from models_suite.routing.learned import GradedAttempt


def practice_attempts(limit: int) -> Iterator[GradedAttempt]:
    """The newest `limit` attempts of finished activities."""
    rows = (
        Attempt.objects.exclude(activity__model_name="")
        .order_by("-id")
        .values_list("activity__model_name", "prompt", "correct")[:limit]
    )
    for model_name, prompt, correct in rows.iterator():
        yield GradedAttempt(candidate=model_name, prompt=prompt, correct=correct)
