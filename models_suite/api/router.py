"""/api/v1/router/: routes (operators define, viewers read), the dry run, breakers and learned router versions.

Thin: validation of a route is models_suite.services.routes', the decision models_suite.services.routing's.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Conflict, JsonTypesMixin, StrictFieldsMixin
from core.schema import ErrorSerializer
from models_suite.models import Route, RouterModel
from models_suite.routing.request_text import facts_of
from models_suite.services.router_training import router_train
from models_suite.services.routes import route_named, route_save
from models_suite.services.routing import breaker_states, is_route, route_decide, snapshot_forget


class RouteSerializer(serializers.ModelSerializer):
    candidates = serializers.ListField(
        child=serializers.CharField(), help_text="Registered model names, cheapest first"
    )
    policy = serializers.DictField(required=False, help_text="The route's knobs; missing keys take the defaults")

    class Meta:
        model = Route
        fields = ["name", "candidates", "policy", "enabled", "description", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class RouteWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Only the JSON types (and no unknown key) are checked here; the service validates the definition and names each
    field."""

    name = serializers.CharField(max_length=100)
    candidates = serializers.JSONField()
    policy = serializers.JSONField(required=False, default=dict)
    enabled = serializers.BooleanField(required=False, default=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(JsonTypesMixin, serializers.Serializer):
    model = serializers.CharField(help_text="A route's name")
    messages = serializers.ListField(child=serializers.DictField(), required=False, allow_empty=False)
    prompt = serializers.CharField(required=False, trim_whitespace=False)
    metadata = serializers.DictField(required=False, help_text="task_type: an explicit task type")
    tools = serializers.ListField(required=False)
    max_tokens = serializers.IntegerField(required=False, min_value=1, max_value=32768)

    def validate_messages(self, messages):
        for index, message in enumerate(messages):
            if not isinstance(message.get("content"), str):
                raise serializers.ValidationError(f"message {index} needs text content.")
        return messages

    def validate(self, attrs):
        if ("messages" in attrs) == ("prompt" in attrs):
            raise serializers.ValidationError({"messages": ["Give messages or a prompt, not both or neither."]})
        return attrs


class AlternativeSerializer(serializers.Serializer):
    candidate = serializers.CharField()
    backend = serializers.ChoiceField(choices=["local", "remote"])
    state = serializers.CharField(help_text="usable, or why it cannot take the request")


class DecisionSerializer(serializers.Serializer):
    candidate = serializers.CharField()
    backend = serializers.ChoiceField(choices=["local", "remote"])
    complexity = serializers.FloatField()
    reason = serializers.CharField()
    step = serializers.ChoiceField(choices=["rule", "content", "learned", "cheapest"])
    alternatives = AlternativeSerializer(many=True, help_text="Usable ones in failover order, then the others")


class BreakerSerializer(serializers.Serializer):
    candidate = serializers.CharField()
    state = serializers.ChoiceField(choices=["closed", "open", "half_open"])
    consecutive_failures = serializers.IntegerField()
    seconds_until_probe = serializers.FloatField()
    last_error = serializers.CharField()
    found_by = serializers.ChoiceField(
        choices=["this process", "another process"],
        help_text="Who found the outage: this process, or another one whose finding this one adopted (Redis)",
    )


class RouterModelSerializer(serializers.ModelSerializer):
    attempts_by_candidate = serializers.DictField(child=serializers.IntegerField())
    evaluation = serializers.DictField(child=serializers.DictField(), help_text="Per candidate, on held-out attempts")

    class Meta:
        model = RouterModel
        fields = ["version", "attempt_count", "attempts_by_candidate", "evaluation", "trained_seconds", "created_at"]


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such route")
INVALID = OpenApiResponse(ErrorSerializer, description="An invalid definition: each field named")


@extend_schema(tags=["router"])
class RouteListView(APIView):
    @extend_schema(responses={200: RouteSerializer(many=True)})
    def get(self, request):
        return Response(RouteSerializer(Route.objects.all(), many=True).data)

    @extend_schema(request=RouteWriteSerializer, responses={201: RouteSerializer, 400: INVALID})
    def post(self, request):
        params = RouteWriteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        route = route_save(**params.validated_data)
        snapshot_forget()
        return Response(RouteSerializer(route).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["router"])
class RouteDetailView(APIView):
    @extend_schema(responses={200: RouteSerializer, 404: NOT_FOUND})
    def get(self, request, name):
        return Response(RouteSerializer(route_named(name)).data)

    @extend_schema(request=RouteWriteSerializer, responses={200: RouteSerializer, 400: INVALID, 404: NOT_FOUND})
    def put(self, request, name):
        current = route_named(name)
        params = RouteWriteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        route = route_save(**params.validated_data, current=current)
        snapshot_forget()
        return Response(RouteSerializer(route).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request, name):
        route_named(name).delete()
        snapshot_forget()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["router"])
class DecideView(APIView):
    """The decision for a request, without generating: anyone who may use the gateway or read may ask."""

    role_scope = "agent"
    read_methods = ("POST",)

    @extend_schema(
        request=DecideSerializer,
        responses={
            200: DecisionSerializer,
            400: INVALID,
            404: NOT_FOUND,
            503: OpenApiResponse(ErrorSerializer, description="No candidate can take it: each one's state"),
        },
    )
    def post(self, request):
        params = DecideSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if not is_route(data["model"]):
            route_named(data["model"])  # 404 if it does not exist; a disabled one is not routed either
            raise Conflict(f"Route {data['model']!r} is disabled.", code="route_disabled")
        facts = facts_of(
            messages=data.get("messages"),
            prompt=data.get("prompt"),
            tools=data.get("tools"),
            max_tokens=data.get("max_tokens") or 256,
        )
        task_type = (data.get("metadata") or {}).get("task_type")
        routing = route_decide(data["model"], facts, task_type=task_type if isinstance(task_type, str) else None)
        return Response(DecisionSerializer(routing.decision.as_dict()).data)


@extend_schema(tags=["router"])
class BreakerListView(APIView):
    @extend_schema(responses={200: BreakerSerializer(many=True)})
    def get(self, request):
        """The circuit breakers of the web process that answers (each process keeps its own)."""
        return Response(BreakerSerializer(breaker_states(), many=True).data)


@extend_schema(tags=["router"])
class RouterModelListView(APIView):
    @extend_schema(responses={200: RouterModelSerializer(many=True)})
    def get(self, request):
        return Response(RouterModelSerializer(RouterModel.objects.all()[:50], many=True).data)

    @extend_schema(
        request=None,
        responses={201: RouterModelSerializer, 409: OpenApiResponse(ErrorSerializer, description="Too few attempts")},
    )
    def post(self, request):
        """Train a new version now, from every graded attempt (the beat task does so as attempts grow)."""
        version = router_train(force=True)
        snapshot_forget()
        return Response(RouterModelSerializer(version).data, status=status.HTTP_201_CREATED)
