"""Hobby types and their configuration, sub-agents, and the assignments that give them work."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from hobbies.catalogue import CATALOGUE, NAMES

HOBBY_CHOICES = [(name, name) for name in NAMES]


class HobbyType(models.Model):
    """What an operator decides about a type (enabled); what the type is comes from the catalogue."""

    name = models.CharField(max_length=40, unique=True, choices=HOBBY_CHOICES)
    enabled = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def spec(self):
        return CATALOGUE[self.name]

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def learning_objective(self) -> str:
        return self.spec.learning_objective

    @property
    def suites(self) -> list[str]:
        return list(self.spec.suites)


class HobbyConfig(models.Model):
    """The originals' configuration (reference 1.2), one row. Each field can be overridden by the originals'
    environment variable (services.config_effective), which then wins over what admin shows here."""

    enabled = models.BooleanField(default=True, help_text="AUTONOMOUS_HOBBY_ENABLED: the scheduler is on")
    interval_minutes = models.FloatField(default=15.0, validators=[MinValueValidator(1), MaxValueValidator(1440)])
    idle_threshold_minutes = models.FloatField(default=5.0,
                                               validators=[MinValueValidator(0.1), MaxValueValidator(120)])
    max_hobby_duration_minutes = models.FloatField(default=10.0,
                                                   validators=[MinValueValidator(1), MaxValueValidator(60)])
    focus_on_weaknesses = models.BooleanField(default=True)
    variety_factor = models.FloatField(default=0.3, validators=[MinValueValidator(0), MaxValueValidator(1)])
    intensity_level = models.FloatField(default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hobby configuration"
        verbose_name_plural = "hobby configuration"

    def __str__(self) -> str:
        return "hobby configuration"


class SubAgent(models.Model):
    """An LLM runtime that practises hobbies. Its load counts are derived from its assignments, never kept."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        UNREGISTERED = "unregistered"

    subagent_id = models.CharField(max_length=100, unique=True)
    capabilities = models.JSONField(default=list, help_text='Hobby type names, or ["*"] for all')
    metadata = models.JSONField(default=dict, blank=True)
    model = models.ForeignKey("models_suite.ModelArtifact", null=True, blank=True, on_delete=models.PROTECT,
                              help_text="What it runs; none: the default model")
    adapter = models.CharField(max_length=255, blank=True)
    machine = models.CharField(max_length=100, help_text="Whose hobbies queue executes it")
    max_concurrent_assignments = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at"]

    def __str__(self) -> str:
        return self.subagent_id

    def can_practise(self, hobby: str) -> bool:
        return "*" in self.capabilities or hobby in self.capabilities


class Assignment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"
        TIMED_OUT = "timed_out"
        CANCELLED = "cancelled"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    assignment_id = models.CharField(max_length=32, unique=True)
    subagent = models.ForeignKey(SubAgent, on_delete=models.PROTECT, related_name="assignments")
    hobby_type = models.CharField(max_length=40, choices=HOBBY_CHOICES)
    duration_minutes = models.FloatField(validators=[MinValueValidator(0.1), MaxValueValidator(60)])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    fallback = models.BooleanField(default=False, help_text="Ran on this machine: the sub-agent's had no worker")

    class Meta:
        ordering = ["-assigned_at"]

    def __str__(self) -> str:
        return f"{self.assignment_id} ({self.hobby_type})"


class Activity(models.Model):
    """One practice session: a model answering items of a hobby type's suites, every attempt graded."""

    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"
        TIMED_OUT = "timed_out"
        CANCELLED = "cancelled"

    activity_id = models.CharField(max_length=32, unique=True)
    hobby_type = models.CharField(max_length=40, choices=HOBBY_CHOICES, db_index=True)
    subagent = models.ForeignKey(SubAgent, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="activities")
    model_name = models.CharField(max_length=200, help_text="The model that answered")
    split = models.CharField(max_length=10, default="train", help_text="train for practice, heldout to measure")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING, db_index=True)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    item_count = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, help_text="Mean grade of the attempts, 0 to 1")
    performance_metrics = models.JSONField(default=dict, blank=True, help_text="Score per skill")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.activity_id} ({self.hobby_type})"


class Attempt(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attempts")
    item_id = models.CharField(max_length=200, help_text="The suite item: '<suite>/<split>/<index>'")
    skill = models.CharField(max_length=100)
    prompt = models.TextField()
    expected = models.TextField()
    answer = models.TextField()
    correct = models.BooleanField()
    score = models.FloatField()
    failure_kind = models.CharField(max_length=30, blank=True)
    detail = models.TextField(blank=True, help_text="What the grader said")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {'right' if self.correct else 'wrong'}"


class Insight(models.Model):
    """What the attempts of an activity showed, with the attempts it rests on."""

    class Source(models.TextChoices):
        ANALYSIS = "analysis", "structured analysis of the grades"
        REFLECTION = "reflection", "the model reflecting on its graded attempts"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="insights")
    skill = models.CharField(max_length=100)
    kind = models.CharField(max_length=30)
    text = models.TextField()
    evidence = models.ManyToManyField(Attempt, blank=True, related_name="insights")
    share = models.FloatField(help_text="Of the skill's attempts in the activity")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ANALYSIS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class Pattern(models.Model):
    """A failure kind that recurs in a skill across activities: a weakness, not one bad session."""

    hobby_type = models.CharField(max_length=40, choices=HOBBY_CHOICES)
    skill = models.CharField(max_length=100)
    kind = models.CharField(max_length=30)
    description = models.TextField()
    activities = models.PositiveIntegerField(default=0, help_text="Activities in which it was found")
    attempts = models.PositiveIntegerField(default=0, help_text="Attempts that showed it")
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hobby_type", "skill", "kind"], name="pattern_unique")]
        ordering = ["-activities"]

    def __str__(self) -> str:
        return self.description
