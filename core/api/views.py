from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from core import services
from core.api.serializers import (
    ApiRootSerializer,
    ErrorEventSerializer,
    HealthSerializer,
    MeSerializer,
    ReadySerializer,
    TokenSerializer,
)
from core.errors import error_body
from core.filters import CheckedFilterBackend
from core.health import readiness
from core.metrics import CONTENT_TYPE, render_metrics
from core.models import ErrorEvent
from core.permissions import is_operator
from core.schema import ErrorSerializer


class HealthView(APIView):
    """The process is alive. Public: load balancers and orchestrators probe it."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(responses=HealthSerializer, tags=["health"])
    def get(self, request):
        return Response({"status": "ok", "machine": settings.MACHINE_NAME})


class ReadyView(APIView):
    """Ready to work: database, Redis, broker and a live worker. 503 names what is down."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(responses={200: ReadySerializer, 503: ErrorSerializer}, tags=["health"])
    def get(self, request):
        checks = readiness()
        down = [name for name, check in checks.items() if not check["ok"]]
        if not down:
            return Response({"status": "ready", "checks": checks})
        response = Response(
            error_body("not_ready", f"Not ready: {', '.join(down)} down.", {"checks": checks}),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response.autodidact_error = True
        response.expected_unavailable = True  # an outage is reported here, not recorded on every probe
        return response


class MetricsView(APIView):
    """Prometheus text format. Scrape with an operator or viewer token (Authorization: Bearer <token>)."""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR}, tags=["metrics"])
    def get(self, request):
        return HttpResponse(render_metrics(), content_type=CONTENT_TYPE)


class ApiRootView(APIView):
    """Where things are."""

    @extend_schema(responses={200: ApiRootSerializer}, tags=["api"])
    def get(self, request):
        def link(name):
            return reverse(name, request=request)

        return Response(
            {
                "me": link("me"),
                "errors": link("errorevent-list"),
                "machines": link("machine-list"),
                "workers": link("workerheartbeat-list"),
                "models": link("model-list"),
                "eval_runs": link("evalrun-list"),
                "schema": link("schema"),
                "docs": link("swagger-ui"),
                "health": link("health"),
                "ready": link("ready"),
                "metrics": link("metrics"),
            }
        )


class MeView(APIView):
    role_scope = "self"

    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class UserTokenView(APIView):
    """Rotate or revoke an API token: your own, or anyone's if you are an operator.

    Only ever for a caller who is already authenticated: no route exchanges a password for a token.
    """

    role_scope = "self"

    def _target(self, request, username):
        user = get_user_model().objects.filter(username=username).first()
        # Others' accounts are not yours to see: answer as if there were none.
        if user is None or (user != request.user and not is_operator(request.user)):
            raise NotFound("No such user.")
        return user

    @extend_schema(request=None, responses={201: TokenSerializer}, tags=["auth"])
    def post(self, request, username):
        user = self._target(request, username)
        return Response({"username": user.username, "token": services.token_rotate(user=user)}, status=201)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Token revoked")}, tags=["auth"])
    def delete(self, request, username):
        services.token_revoke(user=self._target(request, username))
        return Response(status=204)


class ErrorEventFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ErrorEvent
        fields = ["source", "machine", "exception_type", "task_name", "status_code"]


@extend_schema(tags=["errors"])
class ErrorEventListView(generics.ListAPIView):
    queryset = ErrorEvent.objects.all()
    serializer_class = ErrorEventSerializer
    filter_backends = [CheckedFilterBackend, SearchFilter, OrderingFilter]
    filterset_class = ErrorEventFilter
    search_fields = ["message", "route", "task_name", "exception_type"]
    ordering_fields = ["created_at"]


@extend_schema(tags=["errors"])
class ErrorEventDetailView(generics.RetrieveAPIView):
    queryset = ErrorEvent.objects.all()
    serializer_class = ErrorEventSerializer
