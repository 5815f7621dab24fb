"""Hobby types and their configuration, sub-agents, and the assignments that give them work."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import LeasedWork
from hobbies.catalogue import CATALOGUE, NAMES
from hobbies.choices import SelectionPolicy

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
    """The originals' configuration (docs/originals.md 1.2), one row. Each field can be overridden by the originals'
    environment variable (services.config_effective), which then wins over what admin shows here."""

    enabled = models.BooleanField(default=True, help_text="AUTONOMOUS_HOBBY_ENABLED: hobbies may run at all")
    running = models.BooleanField(default=True, help_text="The scheduler starts hobbies (POST /hobby/start, /stop)")
    last_tick_at = models.DateTimeField(null=True, blank=True, help_text="When the scheduler last acted")
    interval_minutes = models.FloatField(default=15.0, validators=[MinValueValidator(1), MaxValueValidator(1440)])
    idle_threshold_minutes = models.FloatField(default=5.0, validators=[MinValueValidator(0.1), MaxValueValidator(120)])
    max_hobby_duration_minutes = models.FloatField(
        default=10.0, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    focus_on_weaknesses = models.BooleanField(default=True)
    variety_factor = models.FloatField(default=0.3, validators=[MinValueValidator(0), MaxValueValidator(1)])
    intensity_level = models.FloatField(default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    selection_policy = models.CharField(
        max_length=20,
        default=SelectionPolicy.WEAKNESS,
        choices=SelectionPolicy.choices,
        help_text="HOBBY_SELECTION_POLICY: how the scheduler picks an idle sub-agent's next hobby",
    )
    default_model = models.ForeignKey(
        "models_suite.ModelArtifact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="What sub-agents registered without a model run; none: the built-in",
    )
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
    model = models.ForeignKey(
        "models_suite.ModelArtifact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="What it runs; none: the default model",
    )
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


class Assignment(LeasedWork):
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
    machine = models.CharField(max_length=100, blank=True, help_text="Where it was sent to run")
    seed = models.BigIntegerField(default=0, help_text="Draws its practice items: a rerun practises the same ones")
    origin = models.CharField(max_length=20, default="api", help_text="api, distribute or scheduler")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When its message was last sent")
    items_per_suite = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Fixed by its first run: a resumed run draws the same"
    )

    class Meta:
        ordering = ["-assigned_at"]
        indexes = [models.Index(fields=["subagent", "status"])]

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
    subagent = models.ForeignKey(SubAgent, null=True, blank=True, on_delete=models.PROTECT, related_name="activities")
    model_name = models.CharField(max_length=200, help_text="The model that answered")
    adapter = models.CharField(
        max_length=1000,
        blank=True,
        help_text="The adapter that answered with it: a registered adapter's id, a directory nobody registered, "
        "or blank for the bare model",
    )
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
    assignment = models.OneToOneField(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity"
    )
    seed = models.BigIntegerField(default=0)
    planned_items = models.PositiveIntegerField(default=0)
    heldout_score = models.FloatField(
        null=True, blank=True, help_text="Held-out measurement after practice, 0 to 1: what proficiency tracks"
    )
    engagement = models.FloatField(null=True, blank=True, help_text="Share of planned items answered")
    duration_seconds = models.FloatField(default=0.0, help_text="Time actually spent")
    improvement_delta = models.FloatField(
        null=True,
        blank=True,
        help_text="The sub-agent's proficiency change this activity measured; "
        "empty where nothing was measured before or after it",
    )
    skills_improved = models.JSONField(
        default=list,
        blank=True,
        help_text="Skills whose held-out score rose against the sub-agent's previous measurement of that skill",
    )

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
        constraints = [models.UniqueConstraint(fields=["activity", "item_id"], name="attempt_once_per_item")]

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


class Progress(models.Model):
    """What a sub-agent has measurably learned in a hobby type (the originals' LearningProgress, measured).

    proficiency is an exponential moving average of held-out scores, empty until the first one (an unmeasured
    type has no proficiency, not 0); success_rate one of outcomes (failures and timeouts count as 0); time is
    what activities really took. Written only by hobbies.proficiency, in the transaction that finishes the
    activity.
    """

    subagent = models.ForeignKey(SubAgent, on_delete=models.CASCADE, related_name="progress")
    hobby_type = models.CharField(max_length=40, choices=HOBBY_CHOICES)
    proficiency = models.FloatField(null=True, blank=True, help_text="Empty: never measured")
    measurements = models.PositiveIntegerField(default=0, help_text="Held-out scores folded into proficiency")
    success_rate = models.FloatField(default=0.0)
    activities_completed = models.PositiveIntegerField(default=0)
    activities_failed = models.PositiveIntegerField(default=0, help_text="Failed or timed out")
    activities_cancelled = models.PositiveIntegerField(default=0, help_text="Interrupted or cancelled")
    time_invested_seconds = models.FloatField(default=0.0)
    average_engagement = models.FloatField(default=0.0)
    insights_total = models.PositiveIntegerField(default=0)
    improvement_rate = models.FloatField(
        null=True,
        blank=True,
        help_text="Held-out points gained per activity, recent trend; empty before two measurements",
    )
    recent_scores = models.JSONField(default=list, blank=True, help_text="The last held-out scores, oldest first")
    skill_scores = models.JSONField(
        default=dict, blank=True, help_text="The last held-out score of each skill: {skill: {score, at}}"
    )
    last_activity = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subagent", "hobby_type"], name="progress_unique")]
        ordering = ["subagent", "hobby_type"]
        verbose_name_plural = "progress"

    def __str__(self) -> str:
        shown = "not measured" if self.proficiency is None else f"{self.proficiency:.2f}"
        return f"{self.subagent} {self.hobby_type}: {shown}"


class HourlyRollup(models.Model):
    """Activities finished per hour and type, kept as they finish: metrics read these, never the activities,
    so their cost does not grow with history."""

    hour = models.DateTimeField()
    hobby_type = models.CharField(max_length=40, choices=HOBBY_CHOICES)
    activities = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0, help_text="Failed or timed out")
    cancelled = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)
    insights = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hour", "hobby_type"], name="rollup_unique")]
        ordering = ["hour", "hobby_type"]


class AgentInteraction(models.Model):
    """When a person last talked to an agent: it is idle once this is older than the idle threshold."""

    agent_id = models.CharField(max_length=100, unique=True)
    last_interaction_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.agent_id} at {self.last_interaction_at:%Y-%m-%d %H:%M}"


class ConsensusRun(models.Model):
    """The originals' multi-agent convergence: the same items answered by k sub-agents, answers compared."""

    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    hobby_type = models.CharField(max_length=40, choices=HOBBY_CHOICES)
    seed = models.BigIntegerField()
    items_per_suite = models.PositiveSmallIntegerField()
    subagents = models.ManyToManyField(SubAgent, related_name="consensus_runs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    agreement = models.FloatField(null=True, blank=True, help_text="Share of items with a high-confidence answer")
    flagged = models.PositiveIntegerField(default=0, help_text="Items where the sub-agents disagreed")

    class Meta:
        ordering = ["-created_at"]


class ConsensusAnswer(models.Model):
    run = models.ForeignKey(ConsensusRun, on_delete=models.CASCADE, related_name="answers")
    subagent = models.ForeignKey(SubAgent, on_delete=models.CASCADE)
    item_id = models.CharField(max_length=200)
    answer = models.TextField()
    correct = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "subagent", "item_id"], name="consensus_answer_once")]


class ConsensusItem(models.Model):
    """One item's verdict: how many sub-agents agreed on the most common answer."""

    class Confidence(models.TextChoices):
        HIGH = "high"
        LOW = "low"

    run = models.ForeignKey(ConsensusRun, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=200)
    prompt = models.TextField()
    answer = models.TextField(help_text="The most common answer")
    agreeing = models.PositiveSmallIntegerField()
    confidence = models.CharField(max_length=4, choices=Confidence.choices)
    needs_review = models.BooleanField(default=False)
    correct = models.BooleanField(null=True, help_text="Whether the agreed answer passes the grader")

    class Meta:
        ordering = ["id"]
