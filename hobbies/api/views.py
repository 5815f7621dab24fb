"""Hobby types, configuration and sub-agents under /api/v1/hobbies/; the legacy /hobby/ routes
(hobbies.api.legacy) answer in the originals' shapes from the same services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import StrictSerializer, validated
from hobbies import services
from hobbies.api import responses as out
from hobbies.catalogue import PRACTICE_BUILT
from hobbies.models import HobbyType
from hobbies.policies import SelectionPolicy
from models_suite.models import ModelArtifact


def hobby_type_shape(hobby: HobbyType) -> dict:
    return {
        "name": hobby.name,
        "description": hobby.description,
        "learning_objective": hobby.learning_objective,
        "suites": hobby.suites,
        "enabled": hobby.enabled,
        "practice_built": hobby.name in PRACTICE_BUILT,
    }


def subagent_shape(subagent) -> dict:
    """The originals' registry entry, with what the product adds (model, machine, capacity, status)."""
    return {
        "subagent_id": subagent.subagent_id,
        "capabilities": subagent.capabilities,
        "metadata": subagent.metadata,
        "registered_at": subagent.registered_at.isoformat(),
        "active_assignments": subagent.active_assignments,
        "completed_assignments": subagent.completed_assignments,
        "failed_assignments": subagent.failed_assignments,
        "model": subagent.model.name if subagent.model_id else None,
        "adapter": subagent.adapter or None,
        "machine": subagent.machine,
        "max_concurrent_assignments": subagent.max_concurrent_assignments,
        "status": subagent.status,
        "last_heartbeat_at": subagent.last_heartbeat_at.isoformat() if subagent.last_heartbeat_at else None,
    }


def subagents_stats() -> dict:
    entries = [subagent_shape(subagent) for subagent in services.subagents_with_counts()]
    return {
        "total_registered": len(entries),
        "total_active_assignments": sum(e["active_assignments"] for e in entries),
        "total_completed_assignments": sum(e["completed_assignments"] for e in entries),
        "total_failed_assignments": sum(e["failed_assignments"] for e in entries),
        "subagents": entries,
    }


class ConfigSerializer(StrictSerializer):
    enabled = serializers.BooleanField(required=False)
    interval_minutes = serializers.FloatField(required=False, min_value=1, max_value=1440)
    idle_threshold_minutes = serializers.FloatField(required=False, min_value=0.1, max_value=120)
    max_hobby_duration_minutes = serializers.FloatField(required=False, min_value=1, max_value=60)
    focus_on_weaknesses = serializers.BooleanField(required=False)
    variety_factor = serializers.FloatField(required=False, min_value=0, max_value=1)
    intensity_level = serializers.FloatField(required=False, min_value=0, max_value=1)
    hobbies_enabled = serializers.DictField(child=serializers.BooleanField(), required=False)
    selection_policy = serializers.ChoiceField(choices=SelectionPolicy.choices, required=False)


class HobbyTypeSerializer(StrictSerializer):
    enabled = serializers.BooleanField()


class SubAgentSerializer(StrictSerializer):
    subagent_id = serializers.CharField(max_length=100, required=False)
    capabilities = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    metadata = serializers.DictField(required=False)
    model = serializers.CharField(required=False, allow_blank=True, help_text="a registered model's name")
    adapter = serializers.CharField(required=False, allow_blank=True, max_length=255)
    machine = serializers.CharField(required=False, allow_blank=True, max_length=100)
    max_concurrent_assignments = serializers.IntegerField(required=False, min_value=1, max_value=100)


def subagent_register_from(request) -> tuple:
    """subagent_id in the body (as the seed documents show) or as a query parameter (as the original code took
    it); a named model must be registered."""
    data = validated(SubAgentSerializer, request.data)
    subagent_id = data.pop("subagent_id", None) or request.query_params.get("subagent_id")
    if not subagent_id:
        raise exceptions.ValidationError({"subagent_id": ["give subagent_id in the body or the query"]})
    if data.get("model"):  # a name: it must be registered; blank: the default model; absent: unchanged
        data["model"] = ModelArtifact.objects.filter(name=data["model"]).first()
        if data["model"] is None:
            raise exceptions.ValidationError({"model": [f"no registered model {request.data['model']!r}"]})
    elif "model" in data:
        data["model"] = None
    return services.subagent_register(subagent_id=subagent_id, **data)


class HobbyConfigView(APIView):
    @extend_schema(responses={200: out.HobbyConfigSerializer}, tags=["hobbies"])
    def get(self, request):
        return Response(services.config_effective())

    @extend_schema(request=ConfigSerializer, responses={200: out.HobbyConfigSerializer}, tags=["hobbies"])
    def patch(self, request):
        return Response(services.config_update(**validated(ConfigSerializer, request.data)))


class HobbyTypeListView(APIView):
    @extend_schema(responses={200: out.HobbyTypeListSerializer}, tags=["hobbies"])
    def get(self, request):
        return Response({"hobby_types": [hobby_type_shape(h) for h in HobbyType.objects.all()]})


class HobbyTypeView(APIView):
    @extend_schema(request=HobbyTypeSerializer, responses={200: out.HobbyTypeOutSerializer}, tags=["hobbies"])
    def patch(self, request, name):
        data = validated(HobbyTypeSerializer, request.data)
        return Response(hobby_type_shape(services.hobby_type_set_enabled(name=name, enabled=data["enabled"])))


class SubAgentListView(APIView):
    role_scope = "agent"

    @extend_schema(responses={200: out.SubAgentStatsSerializer}, tags=["hobbies"])
    def get(self, request):
        return Response(subagents_stats())

    @extend_schema(
        request=SubAgentSerializer,
        responses={
            201: OpenApiResponse(out.SubAgentOutSerializer, description="Registered"),
            200: OpenApiResponse(
                out.SubAgentOutSerializer, description="Re-registered: the sub-agent was registered already"
            ),
        },
        tags=["hobbies"],
    )
    def post(self, request):
        subagent, created = subagent_register_from(request)
        shape = subagent_shape(services.subagents_with_counts().get(pk=subagent.pk))
        return Response(shape, status=201 if created else 200)


class SubAgentView(APIView):
    role_scope = "agent"

    @extend_schema(responses={200: out.SubAgentOutSerializer}, tags=["hobbies"])
    def get(self, request, subagent_id):
        subagent = services.subagent_get(subagent_id=subagent_id)
        return Response(subagent_shape(services.subagents_with_counts().get(pk=subagent.pk)))

    @extend_schema(responses={204: None}, tags=["hobbies"])
    def delete(self, request, subagent_id):
        services.subagent_unregister(subagent_id=subagent_id)
        return Response(status=204)


class SubAgentHeartbeatView(APIView):
    role_scope = "agent"

    @extend_schema(request=None, responses={200: out.HeartbeatSerializer}, tags=["hobbies"])
    def post(self, request, subagent_id):
        subagent = services.subagent_heartbeat(subagent_id=subagent_id)
        return Response(
            {"subagent_id": subagent.subagent_id, "last_heartbeat_at": subagent.last_heartbeat_at.isoformat()}
        )
