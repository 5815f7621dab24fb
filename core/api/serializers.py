from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.models import ErrorEvent
from core.roles import OPERATOR, user_roles


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "roles"]

    def get_roles(self, user) -> list[str]:
        return sorted(user_roles(user))


class TokenSerializer(serializers.Serializer):
    username = serializers.CharField()
    token = serializers.CharField()


class ErrorEventSerializer(serializers.ModelSerializer):
    traceback = serializers.CharField(read_only=True, allow_null=True, help_text="Operators only; null for others")

    class Meta:
        model = ErrorEvent
        fields = [
            "id",
            "created_at",
            "source",
            "machine",
            "route",
            "task_name",
            "task_id",
            "status_code",
            "exception_type",
            "message",
            "traceback",
        ]

    def to_representation(self, event):
        data = super().to_representation(event)
        request = self.context.get("request")
        if request is None or OPERATOR not in user_roles(request.user):
            # Tracebacks can carry local variables' text, paths and hosts: operators only.
            data["traceback"] = None
        return data


class CheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class ReadySerializer(serializers.Serializer):
    status = serializers.CharField()
    checks = serializers.DictField(child=CheckSerializer())


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    machine = serializers.CharField()


class ApiRootSerializer(serializers.Serializer):
    """GET /api/v1/: where things are, each an absolute URL."""

    me = serializers.URLField()
    errors = serializers.URLField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class: no clash with Serializer.errors
    machines = serializers.URLField()
    workers = serializers.URLField()
    models = serializers.URLField()
    eval_runs = serializers.URLField()
    schema = serializers.URLField()
    docs = serializers.URLField()
    health = serializers.URLField()
    ready = serializers.URLField()
    metrics = serializers.URLField()
