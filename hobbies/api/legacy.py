"""The originals' /hobby/ routes for these features (reference 1.12), in their shapes, on the same services."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from hobbies import services
from hobbies.api.views import (
    SubAgentSerializer,
    subagent_register_from,
    subagents_stats,
)


class LegacyRegisterView(APIView):
    role_scope = "agent"

    @extend_schema(request=SubAgentSerializer, responses={200: OpenApiTypes.OBJECT}, tags=["hobby (legacy)"])
    def post(self, request):
        subagent, created = subagent_register_from(request)
        verb = "Registered" if created else "Re-registered"
        return Response({"status": "registered", "subagent_id": subagent.subagent_id,
                         "message": f"{verb} sub-agent {subagent.subagent_id} on {subagent.machine}"})


class LegacyUnregisterView(APIView):
    role_scope = "agent"

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["hobby (legacy)"])
    def delete(self, request, subagent_id):
        services.subagent_unregister(subagent_id=subagent_id)
        return Response({"status": "unregistered", "subagent_id": subagent_id,
                         "message": f"Unregistered sub-agent {subagent_id}"})


class LegacyStatsView(APIView):
    role_scope = "agent"

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["hobby (legacy)"])
    def get(self, request):
        return Response(subagents_stats())
