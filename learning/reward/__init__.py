"""The learned reward model: pure code (torch, numpy, the offline MiniLM), no Django. learning.feedback.reward_models stores its
versions and feeds it."""

from learning.reward.dialogue import load_pairs, split_dialogue
from learning.reward.model import (
    Example,
    RewardModel,
    TrainConfig,
    example_from_dialogue,
    featurize,
    pairwise_accuracy,
)
from learning.reward.training import train

__all__ = [
    "Example",
    "RewardModel",
    "TrainConfig",
    "example_from_dialogue",
    "featurize",
    "load_pairs",
    "pairwise_accuracy",
    "split_dialogue",
    "train",
]
