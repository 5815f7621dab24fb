"""/api/v1/hobbies/: activities, assignments, distribution, consensus, the scheduler and interactions. The
legacy /hobby/ routes (hobbies.api.legacy) wrap the same services in the originals' shapes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import StrictSerializer, query_int, validated
from core.schema import documented_error
from hobbies import assignments, distribution, scheduling, services
from hobbies.api import responses as out
from hobbies.api.shapes import activity_shape, assignment_shape
from hobbies.models import Activity, ConsensusRun, Progress

TAGS = ["hobbies"]


HOBBIES_OFF = documented_error("Hobbies are switched off (AUTONOMOUS_HOBBY_ENABLED, or the hobby configuration)")
ASSIGN_ERRORS = {
    404: documented_error("No such registered sub-agent"),
    409: documented_error("Hobbies are switched off, or the sub-agent is at capacity"),
}


class AssignSerializer(StrictSerializer):
    subagent_id = serializers.CharField(max_length=100)
    hobby_type = serializers.CharField(max_length=60)
    duration_minutes = serializers.FloatField(required=False, default=10.0)


class ConsensusSerializer(StrictSerializer):
    hobby_type = serializers.CharField(max_length=60)
    subagent_ids = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    k = serializers.IntegerField(required=False, default=3)
    items_per_suite = serializers.IntegerField(required=False, default=4)


class InteractionSerializer(StrictSerializer):
    agent_id = serializers.CharField(max_length=100)


class SchedulerSerializer(StrictSerializer):
    running = serializers.BooleanField()


def assign_from(request):
    data = validated(AssignSerializer, request.data)
    return assignments.assignment_create(**data)


class ActivityListView(APIView):
    @extend_schema(responses={200: out.ActivityListSerializer}, tags=TAGS)
    def get(self, request):
        found = services.activities_recent(
            count=query_int(request, "count", 20, 1, 500),
            hobby_type=request.query_params.get("hobby_type"),
            status=request.query_params.get("status"),
            subagent_id=request.query_params.get("subagent_id"),
        )
        return Response({"activities": [activity_shape(a) for a in found], "count": len(found)})


class ActivityView(APIView):
    @extend_schema(responses={200: out.ActivityDetailSerializer}, tags=TAGS)
    def get(self, request, activity_id):
        activity = Activity.objects.filter(activity_id=activity_id).first()
        if activity is None:
            raise NotFound(f"No activity {activity_id!r}.")
        attempts = [
            {
                "item_id": a.item_id,
                "skill": a.skill,
                "prompt": a.prompt,
                "expected": a.expected,
                "answer": a.answer,
                "correct": a.correct,
                "score": a.score,
                "failure_kind": a.failure_kind or None,
                "detail": a.detail,
            }
            for a in activity.attempts.all()
        ]
        return Response({**activity_shape(activity), "attempts": attempts})


class AssignmentListView(APIView):
    @extend_schema(responses={200: out.AssignmentListSerializer}, tags=TAGS)
    def get(self, request):
        status = request.query_params.get("status")
        found = assignments.assignments_list(status=status, limit=query_int(request, "limit", 100, 1, 1000))
        return Response({"assignments": [assignment_shape(a) for a in found], "count": len(found), "filter": status})

    @extend_schema(request=AssignSerializer, responses={201: out.AssignmentOutSerializer, **ASSIGN_ERRORS}, tags=TAGS)
    def post(self, request):
        return Response(assignment_shape(assign_from(request)), status=201)


class AssignmentView(APIView):
    @extend_schema(responses={200: out.AssignmentOutSerializer}, tags=TAGS)
    def get(self, request, assignment_id):
        return Response(assignment_shape(assignments.assignment_get(assignment_id=assignment_id)))


class AssignmentCancelView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: out.AssignmentOutSerializer,
            409: documented_error("The assignment has already finished"),
        },
        tags=TAGS,
    )
    def post(self, request, assignment_id):
        return Response(assignment_shape(assignments.assignment_cancel(assignment_id=assignment_id)))


class DistributeView(APIView):
    @extend_schema(request=None, responses={200: out.DistributedSerializer, 409: HOBBIES_OFF}, tags=TAGS)
    def post(self, request):
        made = distribution.auto_distribute(num_assignments=query_int(request, "num_assignments", 3, 1, 10))
        return Response(
            {
                "status": "distributed",
                "assignments": [assignment_shape(a) for a in made],
                "count": len(made),
                "message": f"Distributed {len(made)} assignments",
            }
        )


class ConsensusListView(APIView):
    @extend_schema(
        request=ConsensusSerializer,
        responses={
            202: out.ConsensusRunOutSerializer,
            404: documented_error("A named sub-agent is not registered"),
        },
        tags=TAGS,
    )
    def post(self, request):
        run = distribution.consensus_start(**validated(ConsensusSerializer, request.data))
        return Response(distribution.consensus_shape(run), status=202)


class ConsensusView(APIView):
    @extend_schema(responses={200: out.ConsensusRunOutSerializer}, tags=TAGS)
    def get(self, request, run_id):
        run = ConsensusRun.objects.filter(pk=run_id).first()
        if run is None:
            raise NotFound(f"No consensus run {run_id}.")
        return Response(distribution.consensus_shape(run))


class InteractionView(APIView):
    role_scope = "agent"  # the agent runtime reports that a person talked to it

    @extend_schema(request=InteractionSerializer, responses={200: out.InteractionRecordedSerializer}, tags=TAGS)
    def post(self, request):
        return Response(scheduling.interaction_record(**validated(InteractionSerializer, request.data)))


class SchedulerView(APIView):
    @extend_schema(responses={200: out.SchedulerStateSerializer}, tags=TAGS)
    def get(self, request):
        return Response(scheduling.system_state())

    @extend_schema(request=SchedulerSerializer, responses={200: out.SchedulerSetSerializer}, tags=TAGS)
    def put(self, request):
        return Response(scheduling.scheduler_set_running(validated(SchedulerSerializer, request.data)["running"]))


class ProgressListView(APIView):
    """Per sub-agent and hobby type: what has been measured."""

    @extend_schema(responses={200: out.ProgressListSerializer}, tags=TAGS)
    def get(self, request):
        rows = Progress.objects.select_related("subagent").order_by("subagent__subagent_id", "hobby_type")
        return Response(
            {
                "progress": [
                    {
                        "subagent_id": p.subagent.subagent_id,
                        "hobby_type": p.hobby_type,
                        "proficiency": p.proficiency,
                        "measurements": p.measurements,
                        "success_rate": p.success_rate,
                        "activities_completed": p.activities_completed,
                        "activities_failed": p.activities_failed,
                        "activities_cancelled": p.activities_cancelled,
                        "time_invested_minutes": round(p.time_invested_seconds / 60, 4),
                        "average_engagement": p.average_engagement,
                        "insights_total": p.insights_total,
                        "improvement_rate": p.improvement_rate,
                        "recent_scores": p.recent_scores,
                        "last_activity": p.last_activity.isoformat() if p.last_activity else None,
                    }
                    for p in rows
                ]
            }
        )
