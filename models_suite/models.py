from django.db import models


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
                condition=(models.Q(kind="remote", base_url__gt="", remote_model__gt="")
                           | (~models.Q(kind="remote") & models.Q(path__gt=""))),
            )
        ]

    def __str__(self) -> str:
        return self.name
