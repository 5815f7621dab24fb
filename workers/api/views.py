from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ErrorSerializer
from workers.api.serializers import (
    MachineSerializer,
    PingRequestSerializer,
    PingResultSerializer,
    WorkerHeartbeatSerializer,
)
from workers.models import Machine, WorkerHeartbeat
from workers.queues import QueueRole, queue_name
from workers.results import answer_within
from workers.tasks import ping_task


@extend_schema(tags=["workers"])
class MachineListView(generics.ListAPIView):
    queryset = Machine.objects.prefetch_related("workers")
    serializer_class = MachineSerializer


@extend_schema(tags=["workers"])
class MachineDetailView(generics.RetrieveAPIView):
    queryset = Machine.objects.prefetch_related("workers")
    serializer_class = MachineSerializer
    lookup_field = "name"


@extend_schema(tags=["workers"])
class WorkerListView(generics.ListAPIView):
    queryset = WorkerHeartbeat.objects.select_related("machine")
    serializer_class = WorkerHeartbeatSerializer
    filterset_fields = ["machine__name"]


class MachinePingView(APIView):
    """Send a ping task to a machine's control queue and, unless wait_seconds is 0, wait for its answer."""

    @extend_schema(
        request=PingRequestSerializer,
        responses={
            200: PingResultSerializer,
            202: PingResultSerializer,
            502: OpenApiResponse(ErrorSerializer, description="worker_failed: the task failed on the worker"),
            503: OpenApiResponse(ErrorSerializer, description="unavailable: no worker answered in time"),
        },
        tags=["workers"],
    )
    def post(self, request, name):
        machine = generics.get_object_or_404(Machine, name=name)
        params = PingRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        wait = params.validated_data["wait_seconds"]
        result = ping_task.apply_async(kwargs={"machine": machine.name})
        body = {"task_id": result.id, "queue": queue_name(QueueRole.CONTROL, machine.name), "result": None}
        if not wait:
            return Response(body, status=202)
        # A failed task is the client's error too (workers.results.WORKER_ERRORS: 502 for a ping's failure).
        body["result"] = answer_within(result, seconds=wait, who=f"worker on {machine.name}")
        return Response(body)
