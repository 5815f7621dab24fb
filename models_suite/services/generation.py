"""Generation for the OpenAI-compatible gateway: run on the model's machine, answer or stream back.

The web process never holds models: a request becomes a task on the models queue of the machine where the
model lives (any models worker, for a remote endpoint), whose host has it resident or loads it. Streamed
pieces travel back through a Redis list the web process reads as they arrive.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict

from django.conf import settings

from core.redis_clients import client_for
from models_suite.backends import BackendError, GenerationRequest, InvalidRequest
from models_suite.host import BudgetExceeded, HostError
from models_suite.models import ModelArtifact

STREAM_END = "__end__"
STREAM_TTL_SECONDS = 600


def _stream_client():
    return client_for(settings.CACHES["default"]["LOCATION"])


def new_stream_key() -> str:
    return f"autodidact:gateway:stream:{uuid.uuid4().hex}"


def generate(*, model_name: str, request: dict, stream_key: str | None = None) -> dict:
    """Runs in a models worker. Returns the result, or {"error": {status, code, message}} for the caller's
    mistakes (too long, bad parameters, over budget): those are answers, not failures of the product."""
    from models_suite.services.hosting import model_in_use

    artifact = ModelArtifact.objects.get(name=model_name)
    generation = GenerationRequest(**request)
    try:
        with model_in_use(artifact) as backend:
            if stream_key is None:
                return {"result": asdict(backend.generate(generation))}
            pieces = _stream_client()
            for piece in backend.stream(generation):
                pieces.rpush(stream_key, json.dumps({"text": piece}))
                pieces.expire(stream_key, STREAM_TTL_SECONDS)
            pieces.rpush(stream_key, json.dumps({"end": True}))
            return {"result": {"streamed": True}}
    except InvalidRequest as exc:
        return _refusal(stream_key, 400, "invalid_request", str(exc))
    except BudgetExceeded as exc:
        return _refusal(stream_key, 409, "over_memory_budget", str(exc))
    except (BackendError, HostError) as exc:
        return _refusal(stream_key, 503, "model_unavailable", f"{model_name}: {exc}")


def _refusal(stream_key: str | None, status: int, code: str, message: str) -> dict:
    error = {"status": status, "code": code, "message": message}
    if stream_key is not None:
        _stream_client().rpush(stream_key, json.dumps({"error": error}))
        _stream_client().expire(stream_key, STREAM_TTL_SECONDS)
    return {"error": error}


def read_stream(stream_key: str, *, timeout: float):
    """Pieces as the worker pushes them: {"text"}, then {"end"} or {"error"}; None if nothing came in time."""
    import redis

    # A connection of its own: a blocking pop outlasts the shared clients' socket timeout.
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=timeout + 5)
    try:
        while True:
            popped = client.blpop([stream_key], timeout=timeout)
            if popped is None:
                yield None
                return
            message = json.loads(popped[1])
            yield message
            if "text" not in message:
                return
    finally:
        client.delete(stream_key)
        client.close()
