"""Learning's rows: people's feedback, the reward it implies, the learned reward model and the pattern weights.

Feedback is one row per rater and item (the rater changes it, never duplicates it). The transparent reward of
the originals (docs/originals.md 1.10) is kept per item as sufficient statistics, so a submission updates it in O(1).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import LeasedWork


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
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    helpful = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True)
    suggestion = models.TextField(blank=True)
    was_approved = models.BooleanField(default=False, help_text="Once judged good: a later rejection is a reversal")
    last_type = models.CharField(
        max_length=20,
        choices=FeedbackType.choices,
        default=FeedbackType.RATING,
        help_text="The kind of the latest submission",
    )
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    is_new: bool  # not a column: feedback_submit sets it on the row it returns (this rater's first judgement)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rater", "target_type", "target_id"], name="feedback_once_per_rater"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
            ),
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
    """The originals' reward per item (docs/originals.md 1.10), from running sums that each submission adjusts."""

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


class RewardModel(LeasedWork):
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
        constraints = [models.UniqueConstraint(fields=["model", "target_type", "target_id"], name="reward_score_once")]


class PatternWeight(models.Model):
    """How far an insight pattern (an insight kind) is trusted, learned from feedback (docs/originals.md 2b.1)."""

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
    skill = models.CharField(
        max_length=100, blank=True, help_text="The skill it focuses on (others replayed); blank: every skill"
    )
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


class DatasetBuild(LeasedWork):
    """A request to build a training dataset, built by a training worker (POST /api/v1/learning/datasets/ answers
    202 at once: building scores insights with the reward model). The row is the truth: a build whose message was
    lost or whose worker died is sent again by the training jobs' resume sweep and builds once."""

    class Status(models.TextChoices):
        PENDING = "pending"
        BUILDING = "building"
        COMPLETED = "completed"
        FAILED = "failed"

    params = models.JSONField(help_text="The arguments of dataset_build (learning.loop.datasets)")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    dataset = models.OneToOneField(
        TrainingDataset, null=True, blank=True, on_delete=models.PROTECT, related_name="build"
    )
    error = models.TextField(blank=True)
    machine = models.CharField(max_length=100, blank=True, help_text="Whose training queue it was sent to")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"dataset build {self.pk} ({self.status})"


class TrainingJob(LeasedWork):
    """One LoRA training run (the originals' statuses and configuration, docs/originals.md 1.8), run by the training worker
    of the machine it was sent to. Progress is written as it goes; a lease with heartbeats lets a killed worker's
    job be taken over and resumed from its checkpoint."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        PREPARING_DATA = "preparing_data", "preparing data"
        TRAINING = "training", "training"
        EVALUATING = "evaluating", "evaluating"
        COMPLETED = "completed", "completed"
        FAILED = "failed", "failed"
        CANCELLED = "cancelled", "cancelled"

    ACTIVE = [Status.PENDING, Status.PREPARING_DATA, Status.TRAINING, Status.EVALUATING]
    RUNNING = [Status.PREPARING_DATA, Status.TRAINING, Status.EVALUATING]

    job_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    base_model = models.ForeignKey("models_suite.ModelArtifact", on_delete=models.PROTECT, related_name="training_jobs")
    dataset = models.ForeignKey(
        TrainingDataset,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_jobs",
        help_text="Built by the worker as the job starts (blank until then)",
    )
    parent_adapter = models.ForeignKey(
        "Adapter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="continued_by",
        help_text="The adapter whose weights training starts from (blank: fresh)",
    )
    hobby_type = models.CharField(max_length=50, blank=True, help_text="The hobby type its adapter serves")
    config = models.JSONField(default=dict, help_text="LoRA hyperparameters (learning.training.lora.LoraTrainConfig)")
    num_examples = models.PositiveIntegerField(default=0)
    output_path = models.CharField(max_length=500, blank=True)
    progress = models.JSONField(
        default=dict, blank=True, help_text="step, total_steps, loss, learning_rate, tokens_per_second, eta_seconds"
    )
    metrics = models.JSONField(default=dict, blank=True, help_text="The finished run's figures")
    metadata = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    machine = models.CharField(max_length=100, blank=True, help_text="Whose training queue it was sent to")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When its message last reached the broker")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.job_id} ({self.status})"

    @property
    def fraction_done(self) -> float:
        total = self.progress.get("total_steps") or 0
        if self.status == self.Status.COMPLETED:
            return 1.0
        return min(1.0, (self.progress.get("step") or 0) / total) if total else 0.0


class Adapter(models.Model):
    """A trained LoRA adapter: safetensors + config under ADAPTERS_DIR, sealed by sha256, per base model and hobby
    type. Aliases name the one served (champion), the one under test (challenger) and the one to roll back to
    (previous); each alias is held by at most one adapter per base model and hobby type."""

    class Status(models.TextChoices):  # the originals' AdapterStatus
        ACTIVE = "active", "active"
        TESTING = "testing", "testing"
        ARCHIVED = "archived", "archived"
        FAILED = "failed", "failed"

    class Alias(models.TextChoices):
        NONE = "", "none"
        CHAMPION = "champion", "champion"
        CHALLENGER = "challenger", "challenger"
        PREVIOUS = "previous", "previous"

    adapter_id = models.CharField(max_length=64, unique=True)
    adapter_name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    base_model = models.ForeignKey("models_suite.ModelArtifact", on_delete=models.PROTECT, related_name="adapters")
    hobby_type = models.CharField(max_length=50, blank=True, help_text="Blank: every hobby type")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TESTING, db_index=True)
    alias = models.CharField(max_length=20, choices=Alias.choices, blank=True, default="", db_index=True)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, help_text="Of its files, checked before every load")
    dataset = models.ForeignKey(
        TrainingDataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="adapters"
    )
    training_job = models.OneToOneField(
        TrainingJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="adapter"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The adapter it was trained on top of (blank: trained from the bare base)",
    )
    recipe = models.JSONField(
        default=dict, blank=True, help_text="The training recipe: LoRA hyperparameters, focus and replay"
    )
    metrics = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True, help_text="Config, A/B outcome, baseline for rollback")
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["base_model", "hobby_type", "version"], name="adapter_version"),
            models.UniqueConstraint(
                fields=["base_model", "hobby_type", "alias"], condition=~models.Q(alias=""), name="adapter_alias_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.adapter_name} v{self.version}" + (f" [{self.alias}]" if self.alias else "")


class ABComparison(models.Model):
    """Champion (or the bare base) against a challenger on the same held-out items of every measured suite."""

    challenger = models.ForeignKey(Adapter, on_delete=models.CASCADE, related_name="comparisons")
    champion = models.ForeignKey(
        Adapter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="defended_comparisons",
        help_text="Blank: the bare base model",
    )
    target_suite = models.CharField(max_length=100)
    suites = models.JSONField(default=list, help_text="Per suite: items, before, after, difference, interval, p")
    promote = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.challenger} vs {self.champion or 'base'}: {'promote' if self.promote else 'keep'}"


class AdapterEvent(models.Model):
    """What happened to adapters and why: promotions, refusals, rollbacks (the audit trail operators read)."""

    class Kind(models.TextChoices):
        PROMOTED = "promoted", "promoted"
        KEPT = "kept", "champion kept"
        ACTIVATED = "activated", "activated by hand"
        ARCHIVED = "archived", "archived"
        REFUSED = "refused", "refused (corrupt or unloadable)"
        ROLLED_BACK = "rolled_back", "rolled back"
        WATCHED = "watched", "watched: no regression"

    adapter = models.ForeignKey(Adapter, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.adapter}: {self.kind}"


class LearningCycle(models.Model):
    """One run of the learning loop (extract -> train -> A/B -> promote or keep -> watch), each step recorded."""

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        PROMOTED = "promoted", "promoted"
        KEPT = "kept", "champion kept"
        ROLLED_BACK = "rolled_back", "promoted, then rolled back by the watch"
        SKIPPED = "skipped", "skipped (too little data)"
        FAILED = "failed", "failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING, db_index=True)
    skill = models.CharField(max_length=100, blank=True)
    champion_before = models.ForeignKey(
        "Adapter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The champion the cycle started from",
    )
    before = models.JSONField(
        default=dict, blank=True, help_text="The champion's held-out accuracy per skill at the start, percent"
    )
    after = models.JSONField(
        default=dict,
        blank=True,
        help_text="The champion's held-out accuracy per skill at the end (same items), percent",
    )
    recipe = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the cycle chose and why: skill, steps, learning rate, focus and replay",
    )
    trigger = models.CharField(max_length=20, default="manual", help_text="manual, schedule or command")
    steps = models.JSONField(default=list, help_text="[{step, status, detail, at}]")
    training_job = models.ForeignKey(TrainingJob, null=True, blank=True, on_delete=models.SET_NULL)
    comparison = models.ForeignKey(ABComparison, null=True, blank=True, on_delete=models.SET_NULL)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"cycle {self.pk} ({self.status})"
