from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.errors import StrictSerializer
from models_suite.models import SPLIT_CHOICES, EvalRun, ModelArtifact, Placement


class ModelArtifactSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelArtifact
        fields = [
            "name",
            "kind",
            "status",
            "machine",
            "path",
            "base_url",
            "remote_model",
            "architecture",
            "context_length",
            "parameter_count",
            "quantization",
            "size_bytes",
            "kv_cache_bytes",
            "estimated_memory_bytes",
            "sha256",
            "license",
            "capabilities",
            "tokenizer",
            "builtin",
            "created_at",
            "updated_at",
        ]


class EvalRunSerializer(serializers.ModelSerializer):
    model: "serializers.SlugRelatedField[ModelArtifact]" = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = EvalRun
        fields = [
            "id",
            "model",
            "adapter",
            "suite",
            "split",
            "limit",
            "status",
            "machine",
            "score",
            "correct_count",
            "item_count",
            "scores_by_skill",
            "suite_fingerprint",
            "generation_seconds",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class EvalRunDetailSerializer(EvalRunSerializer):
    class Meta(EvalRunSerializer.Meta):
        fields = EvalRunSerializer.Meta.fields + ["results"]


class EvalRunCreateSerializer(StrictSerializer):
    model = serializers.SlugRelatedField(slug_field="name", queryset=ModelArtifact.objects.all())
    suite = serializers.CharField(max_length=100)
    split = serializers.ChoiceField(choices=SPLIT_CHOICES, default="heldout")
    limit = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class PlacementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Placement
        fields = [
            "name",
            "machine",
            "pid",
            "device",
            "measured_bytes",
            "estimated_bytes",
            "load_seconds",
            "pinned",
            "loaded_at",
            "last_used_at",
        ]


class ModelActionSerializer(StrictSerializer):
    pin = serializers.BooleanField(default=False, help_text="load: keep it resident (never evicted)")
    to = serializers.SlugRelatedField(
        slug_field="name",
        queryset=ModelArtifact.objects.all(),
        required=False,
        help_text="swap: the model that takes this one's place",
    )
    wait_seconds = serializers.FloatField(
        min_value=0, max_value=300, default=60, help_text="How long to wait for the machine's answer (0: do not wait)"
    )


# The task's answer differs by action (one view serves the three routes): the residency of the model a load or
# swap left in place, or whether an unload found the model resident.
RESIDENCY_OR_UNLOADED = {
    "oneOf": [
        {
            "type": "object",
            "description": "load, swap: the model now resident on the worker",
            "properties": {
                "name": {"type": "string"},
                "device": {"type": "string"},
                "measured_bytes": {"type": "integer", "description": "What loading added on the device"},
                "load_seconds": {"type": "number"},
                "pinned": {"type": "boolean"},
            },
            "required": ["name", "device", "measured_bytes", "load_seconds", "pinned"],
        },
        {"type": "boolean", "description": "unload: whether the model was resident"},
    ]
}


@extend_schema_field(RESIDENCY_OR_UNLOADED)
class ModelActionResultField(serializers.JSONField):
    pass


class ModelActionQueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField(help_text="The models worker's task; wait_seconds 0 answers without waiting")


class ModelActionDoneSerializer(ModelActionQueuedSerializer):
    result = ModelActionResultField(help_text="What the models worker answered")
