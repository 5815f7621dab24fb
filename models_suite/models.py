from django.db import models

SPLIT_CHOICES = [("train", "train"), ("heldout", "held-out")]


class ModelArtifact(models.Model):
    """A model the product can run: a local transformers directory, a GGUF file, or a remote endpoint.

    Facts are read from the artifact itself at registration (see models_suite.artifacts), never typed in.
    """

    class Kind(models.TextChoices):
        HF = "hf", "transformers directory"
        GGUF = "gguf", "GGUF file"
        REMOTE = "remote", "OpenAI-compatible endpoint"

    class Status(models.TextChoices):
        AVAILABLE = "available", "available"
        UNAVAILABLE = "unavailable", "unavailable (files missing or changed)"
        DISABLED = "disabled", "disabled by an operator"

    name = models.SlugField(max_length=100, unique=True, help_text="How requests address it, e.g. 'builtin-base'")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AVAILABLE, db_index=True)
    path = models.CharField(max_length=1000, blank=True, help_text="Directory or file, for local kinds")
    machine = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The machine whose disk holds a local artifact (its models queue runs it); blank for remote",
    )
    base_url = models.URLField(max_length=500, blank=True, help_text="For remote: e.g. http://127.0.0.1:8080/v1")
    remote_model = models.CharField(max_length=200, blank=True, help_text="The model name the endpoint expects")
    api_key_env = models.CharField(
        max_length=100, blank=True, help_text="Name of the environment variable holding the API key (never the key)"
    )
    architecture = models.CharField(max_length=100, blank=True)
    context_length = models.PositiveIntegerField(default=0)
    parameter_count = models.PositiveBigIntegerField(default=0)
    quantization = models.CharField(max_length=32, blank=True, help_text="GGUF file type, or weights dtype")
    size_bytes = models.PositiveBigIntegerField(default=0, help_text="Weights on disk")
    kv_cache_bytes = models.PositiveBigIntegerField(default=0, help_text="KV cache at full context, batch 1")
    estimated_memory_bytes = models.PositiveBigIntegerField(default=0, help_text="Weights + KV cache")
    sha256 = models.CharField(max_length=64, blank=True)
    license = models.CharField(max_length=100, blank=True)
    capabilities = models.JSONField(default=list, blank=True)
    tokenizer = models.JSONField(default=dict, blank=True)
    builtin = models.BooleanField(default=False, help_text="Built by bootstrap_model")
    metadata = models.JSONField(default=dict, blank=True, help_text="Everything read from the artifact")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="model_artifact_kind_has_location",
                condition=(
                    models.Q(kind="remote", base_url__gt="", remote_model__gt="")
                    | (~models.Q(kind="remote") & models.Q(path__gt=""))
                ),
            )
        ]

    LOCAL_KINDS = (Kind.HF, Kind.GGUF)  # files made resident in a model host; remote endpoints are not

    def __str__(self) -> str:
        return self.name


class EvalRun(models.Model):
    """One measurement: a model (optionally with an adapter) on one split of one suite, item by item.

    Held-out items are fixed by the suite's seed, and the suite's fingerprint is stored beside the score,
    so scores are comparable across runs and models exactly when the fingerprints match.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        RUNNING = "running", "running"
        COMPLETED = "completed", "completed"
        FAILED = "failed", "failed"

    model = models.ForeignKey(ModelArtifact, on_delete=models.CASCADE, related_name="eval_runs")
    adapter = models.CharField(max_length=1000, blank=True, help_text="Path of a LoRA adapter, or blank for the base")
    suite = models.CharField(max_length=100, db_index=True)
    split = models.CharField(max_length=8, choices=SPLIT_CHOICES, default="heldout")
    limit = models.PositiveIntegerField(null=True, blank=True, help_text="First N items only (blank: all)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    machine = models.CharField(max_length=100, blank=True, help_text="Where it ran")
    suite_fingerprint = models.CharField(max_length=64, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, help_text="Mean item score, 0..1")
    results = models.JSONField(
        default=list, blank=True, help_text="Per item: id, skill, answer, expected, correct, score, detail"
    )
    scores_by_skill = models.JSONField(default=dict, blank=True)
    generation_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["model", "suite", "split", "-created_at"])]

    def __str__(self) -> str:
        score = f"{self.score:.1%}" if self.score is not None else self.status
        return f"{self.model} on {self.suite}/{self.split}: {score}"


class Placement(models.Model):
    """A model resident in one worker process: written by the host as it loads, uses and unloads models.

    Rows of a process that died are removed by its machine's next heartbeat, so the table shows what is
    really in memory; a model whose row is gone is simply loaded again on next use.
    """

    machine = models.CharField(max_length=100, db_index=True)
    pid = models.PositiveIntegerField()
    name = models.CharField(max_length=201, help_text="A model name, or base:adapter")
    model = models.ForeignKey(ModelArtifact, null=True, blank=True, on_delete=models.CASCADE, related_name="placements")
    device = models.CharField(max_length=20)
    measured_bytes = models.BigIntegerField(default=0, help_text="Memory the load took, measured")
    estimated_bytes = models.BigIntegerField(default=0)
    load_seconds = models.FloatField(default=0)
    pinned = models.BooleanField(default=False)
    loaded_at = models.DateTimeField()
    last_used_at = models.DateTimeField()

    class Meta:
        ordering = ["machine", "name"]
        constraints = [models.UniqueConstraint(fields=["machine", "pid", "name"], name="placement_unique_per_process")]

    def __str__(self) -> str:
        return f"{self.name} on {self.machine}/{self.device} (pid {self.pid})"


class ServedRequest(models.Model):
    """One generation request the gateway answered or failed: the live signal the watch after a promotion
    compares (latency and error rate of what the champion served against what the model before it served).

    Written once per request and never updated; rows older than GATEWAY_REQUESTS_KEEP_DAYS are pruned as new
    ones arrive, so the table holds a bounded window.
    """

    model = models.CharField(max_length=100, help_text="The base model's name")
    adapter_id = models.CharField(
        max_length=100,
        blank=True,
        help_text="The adapter that answered (an alias resolved to its id); blank: bare base",
    )
    route = models.CharField(max_length=20, help_text="completions or chat")
    stream = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(help_text="The HTTP status it ended with (5xx: failed)")
    latency_ms = models.FloatField(help_text="From the request's arrival to its last byte (a stream's end)")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["model", "adapter_id", "created_at"])]

    def __str__(self) -> str:
        served = f"{self.model}:{self.adapter_id}" if self.adapter_id else self.model
        return f"{served} {self.route} {self.status} in {self.latency_ms:.0f} ms"


class Route(models.Model):
    """A model name clients call (`auto`) whose requests the router sends to one of its candidates.

    Candidates are registered model names (with ":<adapter>" for a local model's adapter), in order of cost,
    cheapest first; the policy holds the route's knobs (models_suite.routing.decision.Policy), validated by
    models_suite.services.routes.
    """

    name = models.SlugField(max_length=100, unique=True, help_text="The model name clients send, e.g. 'auto'")
    candidates = models.JSONField(
        default=list, help_text='Registered model names, cheapest first, e.g. ["builtin-base", "cloud-large"]'
    )
    policy = models.JSONField(
        default=dict,
        blank=True,
        help_text="heavy_at, content_heavy_at, quality_margin, use_learned, task_complexity, timeout_seconds, "
        "failure_threshold, cooldown_seconds (blank: the defaults)",
    )
    enabled = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} -> {' | '.join(self.candidates)}"


class RouterModel(models.Model):
    """One trained version of the learned router: per candidate, P(right answer | request text), from graded
    attempts. The newest version is used; older ones stay for comparison, as reward models' do."""

    version = models.PositiveIntegerField(unique=True)
    attempt_count = models.PositiveIntegerField(help_text="Graded attempts it was trained on")
    attempts_by_candidate = models.JSONField(default=dict)
    evaluation = models.JSONField(
        default=dict, blank=True, help_text="Per candidate, measured on attempts held out from its training"
    )
    weights = models.JSONField(help_text="models_suite.routing.learned.LearnedRouter.to_dict()")
    trained_seconds = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"router v{self.version} ({self.attempt_count} attempts)"


class BreakerTransition(models.Model):
    """A candidate's circuit breaker changed state in one web process: what operators read in admin."""

    candidate = models.CharField(max_length=201, db_index=True)
    state = models.CharField(max_length=10, help_text="closed, open or half_open")
    error = models.TextField(blank=True, help_text="The failure that opened it")
    machine = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.state}"
