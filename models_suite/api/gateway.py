"""The OpenAI-compatible gateway: /v1/models, /v1/completions, /v1/chat/completions (streaming too).

Authenticated with the product's API tokens (Bearer); sub-agents (role agent) and operators may generate,
viewers may list models. Errors keep the product's shape, whose error.message is what OpenAI clients read.

`<model>:champion`, `<model>:<alias>` and `<model>:<adapter id>` generate with that adapter of the learning loop:
the alias is resolved here, once, and the worker is sent the adapter id, so the reply's `model`
("<model>:<adapter id>") names what answered even if the alias has moved since. Every generation request is
recorded (models_suite.services.served) for the watch after a promotion.
"""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import AppError, JsonTypesMixin, ServiceUnavailable, error_body
from core.schema import ErrorSerializer
from models_suite.models import ModelArtifact
from models_suite.routing.request_text import facts_of
from models_suite.services.adapter_resolution import adapter_named, served_name
from models_suite.services.routing import breaker_for, fallback_record, is_route, route_decide
from models_suite.services.served import served_request_record
from models_suite.tasks import generate_task
from workers.queues import QueueRole, queue_name
from workers.replies import new_reply_key, replies
from workers.results import WorkerError, refusal_error


class SamplingSerializer(JsonTypesMixin, serializers.Serializer):
    model = serializers.CharField()
    max_tokens = serializers.IntegerField(min_value=1, max_value=32768, required=False)
    max_completion_tokens = serializers.IntegerField(min_value=1, max_value=32768, required=False)
    temperature = serializers.FloatField(min_value=0, max_value=2, default=1.0)
    top_p = serializers.FloatField(min_value=0, max_value=1, default=1.0)
    stop = serializers.JSONField(required=False, allow_null=True)
    stream = serializers.BooleanField(default=False)
    seed = serializers.IntegerField(required=False, allow_null=True)
    n = serializers.IntegerField(
        min_value=1, max_value=1, default=1, error_messages={"max_value": "Only n=1 is supported."}
    )

    def validate_top_p(self, value):
        if value <= 0:
            raise serializers.ValidationError("top_p must be greater than 0.")
        return value

    def validate_stop(self, value):
        stops = [value] if isinstance(value, str) else (value or [])
        if not isinstance(stops, list) or len(stops) > 4 or not all(isinstance(s, str) and s for s in stops):
            raise serializers.ValidationError("stop is a string or a list of at most 4 non-empty strings.")
        return stops


class ChatSerializer(SamplingSerializer):
    messages = serializers.ListField(child=serializers.DictField(), allow_empty=False)

    def validate_messages(self, messages):
        for index, message in enumerate(messages):
            if message.get("role") not in {"system", "user", "assistant"} or not isinstance(
                message.get("content"), str
            ):
                raise serializers.ValidationError(
                    f"message {index} needs a role (system, user or assistant) and text content."
                )
        return [{"role": m["role"], "content": m["content"]} for m in messages]


class CompletionSerializer(SamplingSerializer):
    prompt = serializers.CharField(trim_whitespace=False, allow_blank=False)


def _resolve(name: str):
    """(the base model's row, the adapter "<model>:<reference>" names or None). The adapter's seal is checked by
    the worker that loads it, on the machine whose disk holds it."""
    base, _, reference = name.partition(":")
    # Only what routing needs: a whole row (JSON facts and all) costs the hot path more than the query.
    artifact = (
        ModelArtifact.objects.filter(name=base, status=ModelArtifact.Status.AVAILABLE).only("name", "machine").first()
    )
    if artifact is None:
        raise exceptions.NotFound(f"The model {name!r} does not exist; GET /v1/models lists the available ones.")
    if "/" in reference:  # a directory is for sub-agents' own adapters, not for clients to name
        raise exceptions.NotFound(
            f"{base} has no adapter {reference!r}: an adapter id of GET "
            "/api/v1/learning/adapters/, or champion, challenger, previous"
        )
    return artifact, adapter_named(artifact, reference)


def _queue_for(artifact: ModelArtifact) -> str | None:
    """The models queue of the artifact's machine, from the row already read (no second query in the router);
    None lets the router pick a live models worker (a remote endpoint runs anywhere)."""
    return queue_name(QueueRole.MODELS, artifact.machine) if artifact.machine else None


def _usage(result: dict) -> dict:
    return {
        "prompt_tokens": result["prompt_tokens"],
        "completion_tokens": result["completion_tokens"],
        "total_tokens": result["prompt_tokens"] + result["completion_tokens"],
    }


ROUTE_HEADER = "X-Autodidact-Route"
TASK_TYPE_HEADER = "HTTP_X_AUTODIDACT_TASK_TYPE"
# A candidate's answer that sends the request on to the next one: no answer in time (None), a refusal of the
# model's host for lack of room (409), the endpoint's or the worker's failure (5xx), or a rate limit (429).
# A 400 is the caller's mistake and goes back to the caller.
FAILOVER_STATUSES = {409, 429}


def failover_cause(first: dict | None) -> str | None:
    if first is None:
        return "timeout"
    status = first.get("error", {}).get("status") if "error" in first else None
    if status is None:
        return None
    if status >= 500 or status in FAILOVER_STATUSES:
        return first["error"].get("code") or str(status)
    return None


def task_type_of(request) -> str | None:
    """metadata.task_type in the body, else the X-Autodidact-Task-Type header."""
    metadata = request.data.get("metadata") if isinstance(request.data, dict) else None
    given = metadata.get("task_type") if isinstance(metadata, dict) else None
    given = given or request.META.get(TASK_TYPE_HEADER)
    return given if isinstance(given, str) and given.strip() else None


def _header_safe(text: str) -> str:
    return " ".join(text.encode("ascii", "replace").decode().split())[:500]


def _first_answer(first: dict | None, model: str) -> dict:
    """The first message, or the error it stands for. Until it arrives nothing is sent, so a refusal is still a
    proper HTTP error."""
    if first is None:
        raise ServiceUnavailable(f"No models worker answered for {model} within {settings.GATEWAY_TIMEOUT_SECONDS} s.")
    if "error" in first:  # the worker's refusal: its status and code (workers.results.WORKER_ERRORS)
        raise refusal_error(first) or WorkerError(
            502, "worker_failed", f"The models worker's answer for {model} was not understood."
        )
    return first


def _recorder(artifact, adapter, route: str, stream: bool, started: float):
    def record(status: int) -> None:
        served_request_record(
            model=artifact.name,
            adapter_id=adapter.adapter_id if adapter else "",
            route=route,
            stream=stream,
            status=status,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    return record


class GatewayView(APIView):
    role_scope = "agent"  # sub-agents and operators generate; viewers may only list
    serializer_class: type[SamplingSerializer]
    object_name: str  # each subclass names these: the reply's "object", its chunks', its id's prefix, its route
    chunk_object: str
    id_prefix: str
    route: str

    def payload(self, data: dict) -> dict:
        """What the request asks of the model: messages or a prompt."""
        raise NotImplementedError

    def choice(self, result: dict) -> dict:
        """The reply's one choice, from the model's result."""
        raise NotImplementedError

    def chunk(self, text: str, finish_reason: str | None) -> dict:
        """One streamed piece, as a choice."""
        raise NotImplementedError

    def post(self, request):
        started = time.perf_counter()
        params = self.serializer_class(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if is_route(data["model"]):
            return self._routed(request, data, started)
        artifact, adapter = _resolve(data["model"])
        record = _recorder(artifact, adapter, self.route, data["stream"], started)
        model = served_name(artifact, adapter)
        try:
            messages = self._send(artifact, model, self._generation(data), stream=data["stream"])
            return self._reply(data, model, _first_answer(next(messages), model), messages, record)
        except APIException as exc:
            record(exc.status_code)
            raise
        except AppError as exc:  # a worker's refusal, no worker in time
            record(exc.status)
            raise
        except Exception:
            record(500)
            raise

    def _routed(self, request, data, started):
        """A route's request: the router's choice, then each next candidate while they fail (connection refused,
        timeout, 5xx, 429, or a local host out of room), skipping those whose breaker is open."""
        facts = facts_of(
            messages=data.get("messages"),
            prompt=data.get("prompt"),
            tools=request.data.get("tools"),
            max_tokens=self._max_tokens(data),
        )
        routing = route_decide(data["model"], facts, task_type=task_type_of(request))
        generation, failures = self._generation(data), []
        for name in routing.decision.order:
            target = routing.targets[name]
            breaker = breaker_for(name, routing.policy)
            if not breaker.allows():
                failures.append(f"{name}: circuit breaker open")
                continue
            adapter = adapter_named(target.artifact, target.adapter) if target.adapter else None
            model = served_name(target.artifact, adapter)
            record = _recorder(target.artifact, adapter, self.route, data["stream"], started)
            timeout = routing.policy.timeout_seconds
            messages = self._send(target.artifact, model, generation, stream=data["stream"], routed_timeout=timeout)
            first = next(messages)
            cause = failover_cause(first)
            if cause is not None:
                messages.close()
                detail = f"no answer in {timeout:g} s" if first is None else first["error"]["message"]
                breaker.failure(detail)
                fallback_record(routing, name, cause)
                record(504 if first is None else first["error"]["status"])
                failures.append(f"{name}: {detail}")
                continue
            breaker.success()
            try:
                response = self._reply(data, model, _first_answer(first, model), messages, record)
            except AppError as exc:  # the caller's mistake (a 4xx refusal): no other candidate would take it
                record(exc.status)
                raise
            reason = routing.decision.reason + (f"; after {'; '.join(failures)}" if failures else "")
            response[ROUTE_HEADER] = _header_safe(f"{routing.decision.step}: {reason}")
            return response
        raise ServiceUnavailable(f"No candidate of route {data['model']!r} answered: " + "; ".join(failures))

    @staticmethod
    def _max_tokens(data) -> int:
        return data.get("max_completion_tokens") or data.get("max_tokens") or 256

    def _generation(self, data) -> dict:
        return {
            "max_tokens": self._max_tokens(data),
            "temperature": data["temperature"],
            "top_p": data["top_p"],
            "stop": data.get("stop") or [],
            "seed": data.get("seed"),
            **self.payload(data),
        }

    def _reply(self, data, model: str, first: dict, messages, record):
        reply_id = f"{self.id_prefix}-{uuid.uuid4().hex[:24]}"
        if not data["stream"]:
            result = first["result"]
            record(200)
            return Response(
                {
                    "id": reply_id,
                    "object": self.object_name,
                    "created": int(time.time()),
                    "model": model,
                    "choices": [self.choice(result)],
                    "usage": _usage(result),
                }
            )
        response = StreamingHttpResponse(
            self._events(model, reply_id, first, messages, record), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        return response

    @staticmethod
    def _send(artifact, model: str, generation, *, stream: bool, routed_timeout: float | None = None):
        """The request to the model's models worker; the messages that come back. A routed request waits only
        the route's timeout, and its worker calls a remote endpoint once (the router fails over instead)."""
        key = new_reply_key()
        kwargs = {"model_name": model, "request": generation, "reply_key": key, "stream": stream}
        if routed_timeout is not None:
            kwargs["remote_timeout"] = routed_timeout
        generate_task.apply_async(kwargs=kwargs, queue=_queue_for(artifact))
        return replies(key, timeout=routed_timeout or settings.GATEWAY_TIMEOUT_SECONDS)

    def _events(self, model: str, reply_id, first, messages, record):
        created = int(time.time())
        message = first
        # A stream is recorded when it ends: failed (the worker's error, or 504 when it fell silent), or 499,
        # nginx's "client closed request", when the client left before the end (not a failure of the model).
        status = 499
        try:
            while message is not None:
                if "piece" in message:
                    chunk = self.chunk(message["piece"], None)
                elif "error" in message:
                    status = message["error"]["status"]
                    yield f"data: {json.dumps(error_body(message['error']['code'], message['error']['message']))}\n\n"
                    break
                else:
                    chunk = self.chunk("", "stop")
                yield (
                    "data: "
                    + json.dumps(
                        {
                            "id": reply_id,
                            "object": self.chunk_object,
                            "created": created,
                            "model": model,
                            "choices": [chunk],
                        }
                    )
                    + "\n\n"
                )
                if "end" in message:
                    status = 200
                    break
                message = next(messages, None)
            else:
                status = 504
            yield "data: [DONE]\n\n"
        finally:
            record(status)


# What both generation routes answer (OpenAPI): the completion as JSON, or with "stream": true the same as
# server-sent events; the refusals of workers.results.WORKER_ERRORS in the product's error shape.
GENERATION_RESPONSES = {
    (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="The completion"),
    # The schema of an event stream describes one event (OpenAPI 3.0; 3.2 calls it itemSchema).
    (200, "text/event-stream"): OpenApiResponse(
        {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {"type": "string", "description": "A completion chunk as JSON, or [DONE] last"},
                "event": {"type": "string"},
                "id": {"type": "string"},
            },
        },
        description='With "stream": true: server-sent events, one `data: {...}` chunk per piece of text, a last '
        "chunk with its finish_reason, then `data: [DONE]`; an error after the first piece comes as a "
        '`data: {"error": ...}` event',
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such available model, or no such adapter of it"),
    409: OpenApiResponse(
        ErrorSerializer, description="Refused by the model's host: not resident, over its memory budget"
    ),
    502: OpenApiResponse(ErrorSerializer, description="The models worker failed (recorded for operators)"),
    503: OpenApiResponse(ErrorSerializer, description="No models worker answered in time, or the model cannot run now"),
}


class ChatCompletionsView(GatewayView):
    serializer_class = ChatSerializer
    object_name, chunk_object, id_prefix, route = "chat.completion", "chat.completion.chunk", "chatcmpl", "chat"

    def payload(self, data):
        return {"messages": data["messages"]}

    def choice(self, result):
        return {
            "index": 0,
            "message": {"role": "assistant", "content": result["text"]},
            "finish_reason": result["finish_reason"],
        }

    def chunk(self, text, finish_reason):
        delta = {"role": "assistant", "content": text} if text else {}
        return {"index": 0, "delta": delta, "finish_reason": finish_reason}

    @extend_schema(request=ChatSerializer, responses=GENERATION_RESPONSES, tags=["gateway"])
    def post(self, request):
        return super().post(request)


class CompletionsView(GatewayView):
    serializer_class = CompletionSerializer
    object_name, chunk_object, id_prefix, route = "text_completion", "text_completion", "cmpl", "completions"

    def payload(self, data):
        return {"prompt": data["prompt"]}

    def choice(self, result):
        return {"index": 0, "text": result["text"], "finish_reason": result["finish_reason"], "logprobs": None}

    def chunk(self, text, finish_reason):
        return {"index": 0, "text": text, "finish_reason": finish_reason, "logprobs": None}

    @extend_schema(request=CompletionSerializer, responses=GENERATION_RESPONSES, tags=["gateway"])
    def post(self, request):
        return super().post(request)


class ModelsView(APIView):
    role_scope = "agent"

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["gateway"])
    def get(self, request):
        models = ModelArtifact.objects.filter(status=ModelArtifact.Status.AVAILABLE)
        return Response(
            {
                "object": "list",
                "data": [
                    {
                        "id": m.name,
                        "object": "model",
                        "created": int(m.created_at.timestamp()),
                        "owned_by": "autodidact",
                    }
                    for m in models
                ],
            }
        )
