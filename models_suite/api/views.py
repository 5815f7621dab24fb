from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from models_suite.api.serializers import (
    EvalRunCreateSerializer,
    EvalRunDetailSerializer,
    EvalRunSerializer,
    ModelArtifactSerializer,
    PlacementSerializer,
)
from models_suite.models import EvalRun, ModelArtifact, Placement
from models_suite.services.evaluation import EvaluationError, eval_run_create


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
