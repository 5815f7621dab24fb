from rest_framework import serializers

from core.errors import StrictSerializer
from workers.models import Machine, WorkerHeartbeat


class WorkerHeartbeatSerializer(serializers.ModelSerializer):
    machine: "serializers.SlugRelatedField[Machine]" = serializers.SlugRelatedField(slug_field="name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = WorkerHeartbeat
        fields = [
            "worker_name",
            "machine",
            "pid",
            "queues",
            "concurrency",
            "started_at",
            "last_beat_at",
            "stopped_at",
            "beats",
            "status",
        ]


class MachineSerializer(serializers.ModelSerializer):
    workers = WorkerHeartbeatSerializer(many=True, read_only=True)

    class Meta:
        model = Machine
        fields = ["name", "hostname", "roles", "gpus", "first_seen_at", "last_seen_at", "workers"]


class PingRequestSerializer(StrictSerializer):
    wait_seconds = serializers.FloatField(
        min_value=0, max_value=30, default=10, help_text="How long to wait for the answer (0: do not wait)"
    )


class PingResultSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    queue = serializers.CharField()
    result = serializers.JSONField(allow_null=True)
