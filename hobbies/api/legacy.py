"""The originals' /hobby/ routes (docs/originals.md 1.12), in their shapes, on the same services as /api/v1/hobbies/."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import query_int
from hobbies import scheduling, services
from hobbies.api import responses as out
from hobbies.api.shapes import activity_shape, assignment_shape
from hobbies.api.views import SubAgentSerializer, subagent_register_from, subagents_stats
from hobbies.api.work import ASSIGN_ERRORS, AssignSerializer, assign_from
from hobbies.metrics import progress_summary

TAGS = ["hobby (legacy)"]


class LegacyRegisterView(APIView):
    role_scope = "agent"

    @extend_schema(request=SubAgentSerializer, responses={200: OpenApiTypes.OBJECT}, tags=TAGS)
    def post(self, request):
        subagent, created = subagent_register_from(request)
        verb = "Registered" if created else "Re-registered"
        return Response(
            {
                "status": "registered",
                "subagent_id": subagent.subagent_id,
                "message": f"{verb} sub-agent {subagent.subagent_id} on {subagent.machine}",
            }
        )


class LegacyUnregisterView(APIView):
    role_scope = "agent"

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=TAGS)
    def delete(self, request, subagent_id):
        services.subagent_unregister(subagent_id=subagent_id)
        return Response(
            {"status": "unregistered", "subagent_id": subagent_id, "message": f"Unregistered sub-agent {subagent_id}"}
        )


class LegacyStatsView(APIView):
    role_scope = "agent"

    @extend_schema(responses={200: out.SubAgentStatsSerializer}, tags=TAGS)
    def get(self, request):
        return Response(subagents_stats())


class LegacyStatusView(APIView):
    @extend_schema(responses={200: out.LegacyStatusSerializer}, tags=TAGS)
    def get(self, request):
        return Response(
            {
                "enabled": scheduling.system_state()["enabled"],
                "progress": progress_summary(),
                "recent_activities": [activity_shape(a) for a in services.activities_recent(count=10)],
            }
        )


class LegacyActivitiesView(APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}}, tags=TAGS)
    def get(self, request):
        found = services.activities_recent(count=query_int(request, "count", 20, 1, 100))
        return Response([activity_shape(a) for a in found])


class LegacyInsightsView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=TAGS)
    def get(self, request):
        return Response({"insights": services.insights_recent(activities=query_int(request, "count", 50, 1, 500))})


class LegacyStartView(APIView):
    @extend_schema(request=None, responses={200: out.SchedulerSetSerializer}, tags=TAGS)
    def post(self, request):
        return Response(scheduling.scheduler_set_running(True))


class LegacyStopView(APIView):
    @extend_schema(request=None, responses={200: out.SchedulerSetSerializer}, tags=TAGS)
    def post(self, request):
        return Response(scheduling.scheduler_set_running(False))


class LegacyAssignView(APIView):
    @extend_schema(request=AssignSerializer, responses={200: OpenApiTypes.OBJECT, **ASSIGN_ERRORS}, tags=TAGS)
    def post(self, request):
        assignment = assign_from(request)
        where = f"on {assignment.machine}" + (
            " (fallback: its machine has no live worker)" if assignment.fallback else ""
        )
        return Response(
            {
                "status": "assigned",
                "assignment": assignment_shape(assignment),
                "message": f"Assigned {assignment.hobby_type} to sub-agent "
                f"{assignment.subagent.subagent_id} for {assignment.duration_minutes} minutes, "
                f"running {where}",
                "phase": "3C",
            }
        )
