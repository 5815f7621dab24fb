"""Learning's tasks. Thin: the logic is in the services."""

from __future__ import annotations

from workers.base import autodidact_task


@autodidact_task(role="training", ignore_result=True)  # the RewardModel row is the truth
def reward_model_train_task(model_pk: int) -> None:
    """Idempotent: the version is claimed pending -> training, so a redelivered message does nothing."""
    from learning.rewards import reward_model_train_from_feedback

    reward_model_train_from_feedback(model_pk=model_pk)
