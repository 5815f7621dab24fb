"""Generation for the OpenAI-compatible gateway: run on the model's machine, reply to the waiting request.

The web process never holds models: a request becomes a task on the models queue of the machine where the
model lives (any models worker, for a remote endpoint), whose host has it resident or loads it. The answer,
or the streamed pieces one by one, go back through workers.replies.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from core.heavy import worker_only
from models_suite.backends import BackendError, GenerationRequest
from models_suite.host import HostError
from models_suite.models import ModelArtifact
from models_suite.services.adapter_resolution import AdapterRefused
from models_suite.services.hosting import model_in_use, model_named_in_use
from workers.replies import reply_push
from workers.results import WORKER_FAILED, refusal_for

logger = logging.getLogger(__name__)


@worker_only
def generate(*, model_name: str, request: dict, on_piece=None, remote_timeout: float | None = None) -> dict:
    """Runs in a models worker: {"result": ...}, or {"error": {status, code, message}} for the caller's
    mistakes (too long, bad parameters, over budget), which are answers, not failures of the product.
    With on_piece, the text is streamed to it as it is generated and the result carries no text."""
    generation = GenerationRequest(**request)
    try:
        with _in_use(model_name, remote_timeout) as backend:
            if on_piece is None:
                return {"result": asdict(backend.generate(generation))}
            for piece in backend.stream(generation):
                on_piece(piece)
            return {"result": {"streamed": True}}
    except AdapterRefused as exc:  # an adapter gone or damaged since the gateway looked
        return _refusal(exc.status, exc.code, str(exc))
    except (BackendError, HostError) as exc:  # too long, over budget, unavailable: the one table's status
        refusal = refusal_for(exc)
        assert refusal is not None  # both are in WORKER_ERRORS' table: refusals, never failures
        return refusal


def _in_use(model_name: str, remote_timeout: float | None):
    """The model, or "<model>:<adapter>" with that adapter (resolved and checked against its seal by
    adapter_resolution, as every other use of an adapter is: a damaged one is refused, never loaded)."""
    base, _, reference = model_name.partition(":")
    if not reference:
        return model_named_in_use(model_name, remote_timeout=remote_timeout)
    return model_in_use(ModelArtifact.objects.get(name=base), adapter=reference, remote_timeout=remote_timeout)


def generate_reply(
    *, model_name: str, request: dict, reply_key: str, stream: bool = False, remote_timeout: float | None = None
) -> None:
    """generate(), pushed to reply_key: pieces as {"piece"}, then {"end"}, {"result"} or {"error"}."""
    try:
        on_piece = (lambda piece: reply_push(reply_key, {"piece": piece})) if stream else None
        outcome = generate(model_name=model_name, request=request, on_piece=on_piece, remote_timeout=remote_timeout)
    except Exception:
        reply_push(
            reply_key,
            _refusal(*WORKER_FAILED, f"Generation with {model_name} failed; the error is recorded for operators."),
        )
        raise  # recorded as the task's failure
    reply_push(reply_key, {"end": True} if stream and "result" in outcome else outcome)


def _refusal(status: int, code: str, message: str) -> dict:
    return {"error": {"status": status, "code": code, "message": message}}
