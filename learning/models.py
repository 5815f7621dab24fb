"""Learning's rows: people's feedback, the reward it implies, the learned reward model and the pattern weights.

Feedback is one row per rater and item (the rater changes it, never duplicates it). The transparent reward of
the originals (reference 1.10) is kept per item as sufficient statistics, so a submission updates it in O(1).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class TargetType(models.TextChoices):
    INSIGHT = "insight", "insight"
    PATTERN = "pattern", "pattern"
    ACTIVITY = "activity", "activity"


class FeedbackType(models.TextChoices):
    """The originals' kinds. A person's form fills several at once; the legacy route sends one at a time."""

    RATING = "rating", "rating (1-5)"
    COMMENT = "comment", "comment"
    HELPFUL = "helpful", "helpful"
    NOT_HELPFUL = "not_helpful", "not helpful"
    SUGGESTION = "suggestion", "suggestion"


class Feedback(models.Model):
    """One rater's judgement of one item. The rater is the authenticated user, never a free-text id."""

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback")
    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    target_id = models.CharField(max_length=64, help_text="Insight or pattern number, or the activity_id")
    rating = models.PositiveSmallIntegerField(null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    helpful = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True)
    suggestion = models.TextField(blank=True)
    was_approved = models.BooleanField(default=False,
                                       help_text="Once judged good: a later rejection is a reversal")
    last_type = models.CharField(max_length=20, choices=FeedbackType.choices, default=FeedbackType.RATING,
                                 help_text="The kind of the latest submission")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rater", "target_type", "target_id"], name="feedback_once_per_rater"),
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="feedback_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        ordering = ["-updated_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{self.rater} on {self.target_type} {self.target_id}"

    @property
    def feedback_id(self) -> str:
        return f"feedback_{self.pk}_{int(self.created_at.timestamp())}"


class RewardSignal(models.Model):
    """The originals' reward per item (reference 1.10), from running sums that each submission adjusts."""

    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    target_id = models.CharField(max_length=64)
    reward_score = models.FloatField(default=0.0, help_text="-1 to 1")
    confidence = models.FloatField(default=0.0, help_text="0 to 1")
    feedback_count = models.PositiveIntegerField(default=0, help_text="Raters who gave feedback")
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    long_comment_count = models.PositiveIntegerField(default=0, help_text="Comments and suggestions over 20 chars")
    calculated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target_type", "target_id"], name="reward_signal_per_item")]
        ordering = ["-calculated_at"]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id}: {self.reward_score:+.2f}"

    @property
    def signal_id(self) -> str:
        return f"signal_{self.target_type}_{self.target_id}"


class RewardModel(models.Model):
    """One trained version of a learned reward model; its weights live in var/reward_models/<name>/v<version>/."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        TRAINING = "training", "training"
        READY = "ready", "ready"
        FAILED = "failed", "failed"

    class Source(models.TextChoices):
        PAIRS_FILE = "pairs_file", "a file of preference pairs"
        FEEDBACK = "feedback", "people's feedback in this system"

    name = models.CharField(max_length=100, default="default")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    source_detail = models.CharField(max_length=500, blank=True, help_text="The pairs file, or what was gathered")
    path = models.CharField(max_length=500, blank=True)
    metrics = models.JSONField(default=dict, blank=True, help_text="Held-out metrics of the training run")
    train_pairs = models.PositiveIntegerField(default=0)
    train_points = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True,
                                       help_text="While training: a worker holds it until then (renewed as it goes)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="reward_model_version")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.status})"


class RewardScore(models.Model):
    """A reward model's prediction for one item, kept so the rating queue is ordered without re-embedding."""

    model = models.ForeignKey(RewardModel, on_delete=models.CASCADE, related_name="scores")
    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    target_id = models.CharField(max_length=64)
    mean = models.FloatField()
    std = models.FloatField(help_text="The model's uncertainty")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "target_type", "target_id"],
                                               name="reward_score_once")]


class PatternWeight(models.Model):
    """How far an insight pattern (an insight kind) is trusted, learned from feedback (reference 2b.1)."""

    pattern_type = models.CharField(max_length=100, unique=True)
    initial_weight = models.FloatField(default=0.5)
    current_weight = models.FloatField(default=0.5)
    total_samples = models.PositiveIntegerField(default=0)
    approved_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    edited_count = models.PositiveIntegerField(default=0)
    reverted_count = models.PositiveIntegerField(default=0)
    last_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pattern_type"]

    def __str__(self) -> str:
        return f"{self.pattern_type}: {self.current_weight:.2f}"


class TrainingDataset(models.Model):
    """One version of LoRA training data: examples from graded activities' train-split items and well-rewarded
    insights, quality-filtered, deduplicated and split; the files under DATASETS_DIR/v<version>/ are its content
    (train.jsonl, validation.jsonl, dataset.json) and `sha256` seals them."""

    version = models.PositiveIntegerField(unique=True)
    skill = models.CharField(max_length=100, blank=True, help_text="The skill it focuses on (others replayed); "
                                                                   "blank: every skill")
    params = models.JSONField(default=dict, help_text="How it was built: window, thresholds, seed, shares")
    stats = models.JSONField(default=dict, help_text="What was gathered, refused and dropped, and why")
    train_count = models.PositiveIntegerField(default=0)
    validation_count = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, help_text="Of train.jsonl then validation.jsonl")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"dataset v{self.version}" + (f" ({self.skill})" if self.skill else "")
