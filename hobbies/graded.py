"""Practice attempts as graded evidence for the learned router (models_suite.services.router_training): which
model answered which prompt, and whether it was right. Registered in HobbiesConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterator

from hobbies.models import Attempt
from models_suite.routing.learned import GradedAttempt
from models_suite.services.adapter_resolution import served_as


def practice_attempts(limit: int) -> Iterator[GradedAttempt]:
    """The newest `limit` attempts of finished activities, under the candidate that answered: the model's name,
    or "<model>:<adapter id>" when a registered adapter answered with it (as eval_run_attempts names them).
    Answers of a directory nobody registered name no candidate and are left out."""
    rows = (
        Attempt.objects.exclude(activity__model_name="")
        .exclude(activity__adapter__contains="/")
        .order_by("-id")
        .values_list("activity__model_name", "activity__adapter", "prompt", "correct")[:limit]
    )
    for model_name, adapter, prompt, correct in rows.iterator():
        yield GradedAttempt(candidate=served_as(model_name, adapter), prompt=prompt, correct=correct)
