from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ErrorSerializer
from models_suite import tasks
from models_suite.api.serializers import (
    EvalRunCreateSerializer,
    EvalRunDetailSerializer,
    EvalRunSerializer,
    ModelActionDoneSerializer,
    ModelActionQueuedSerializer,
    ModelActionSerializer,
    ModelArtifactSerializer,
    PlacementSerializer,
)
from models_suite.models import EvalRun, ModelArtifact, Placement
from models_suite.services.evaluation import EvaluationError, eval_run_create
from workers.results import answer_within


@extend_schema(tags=["models"])
class ModelListView(generics.ListAPIView):
    queryset = ModelArtifact.objects.all()
    serializer_class = ModelArtifactSerializer
    filterset_fields = ["kind", "status", "machine", "builtin"]


@extend_schema(tags=["models"])
class ModelDetailView(generics.RetrieveAPIView):
    queryset = ModelArtifact.objects.all()
    serializer_class = ModelArtifactSerializer
    lookup_field = "name"


@extend_schema(tags=["models"])
class EvalRunListView(generics.ListCreateAPIView):
    """List evaluation runs, or start one (POST): it runs on the model's machine, on its models queue."""

    queryset = EvalRun.objects.select_related("model")
    filterset_fields = ["model__name", "suite", "split", "status"]

    def get_serializer_class(self):
        return EvalRunCreateSerializer if self.request.method == "POST" else EvalRunSerializer

    @extend_schema(request=EvalRunCreateSerializer, responses={201: EvalRunSerializer})
    def post(self, request):
        params = EvalRunCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            run = eval_run_create(**params.validated_data)
        except EvaluationError as exc:
            raise ValidationError({"suite": [str(exc)]}) from None
        return Response(EvalRunSerializer(run).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["models"])
class EvalRunDetailView(generics.RetrieveAPIView):
    queryset = EvalRun.objects.select_related("model")
    serializer_class = EvalRunDetailSerializer


@extend_schema(tags=["models"])
class PlacementListView(generics.ListAPIView):
    """What is resident where, as the model hosts report it."""

    queryset = Placement.objects.all()
    serializer_class = PlacementSerializer
    filterset_fields = ["machine", "name", "device"]


class ModelActionView(APIView):
    """Operators load (optionally pinned), unload or hot-swap a model on the machine that holds it."""

    model_action = ""  # load | unload | swap, set per route

    @extend_schema(
        request=ModelActionSerializer,
        responses={
            200: OpenApiResponse(ModelActionDoneSerializer, description="Done: the worker's answer"),
            202: OpenApiResponse(ModelActionQueuedSerializer, description="Queued: wait_seconds was 0"),
            409: OpenApiResponse(
                ErrorSerializer,
                description="not_resident: the worker holds no such model (unload, "
                "swap); over_memory_budget: it does not fit",
            ),
            502: OpenApiResponse(
                ErrorSerializer, description="worker_failed: the worker's task failed; the message names its exception"
            ),
            503: OpenApiResponse(
                ErrorSerializer,
                description="model_unavailable: the model cannot run on its machine "
                "(a missing extra, a busy device); unavailable: no "
                "worker answered in time",
            ),
        },
        tags=["models"],
    )
    def post(self, request, name):
        artifact = generics.get_object_or_404(ModelArtifact, name=name)
        if artifact.kind not in ModelArtifact.LOCAL_KINDS:
            raise ValidationError(
                {
                    "name": [
                        f"{name} is {artifact.kind}: only local models (transformers "
                        "directories, GGUF files) are made resident"
                    ]
                }
            )
        params = ModelActionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if self.model_action == "swap":
            if "to" not in data:
                raise ValidationError({"to": ["swap needs the model that takes this one's place"]})
            result = tasks.model_swap_task.delay(model_name=name, new_model_name=data["to"].name)
        elif self.model_action == "load":
            result = tasks.model_load_task.delay(model_name=name, pin=data["pin"])
        else:
            result = tasks.model_unload_task.delay(model_name=name)
        if not data["wait_seconds"]:
            return Response({"task_id": result.id}, status=202)
        # The worker's errors, raised or answered, come back as the client's (workers.results.WORKER_ERRORS):
        # not resident 409, over the budget 409, a backend that cannot run there 503, a failure 502.
        answer = answer_within(result, seconds=data["wait_seconds"], who=f"models worker on {artifact.machine}")
        return Response({"task_id": result.id, "result": answer})
