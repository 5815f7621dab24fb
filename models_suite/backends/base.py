"""The one interface every backend speaks: a prompt or chat messages and sampling parameters in; text,
token counts and timings out (or a stream of text pieces)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

# Below this a temperature is greedy decoding: sampling at 1e-46 divides the logits into infinities and the softmax
# into NaN (a fuzzed request found it), and at 1e-3 it already picks the likeliest token every time.
SAMPLING_MIN_TEMPERATURE = 1e-3


class BackendError(Exception):
    """A backend failed to produce an answer."""


class BackendUnavailable(BackendError):
    """The backend cannot run here (an optional package is missing, an endpoint is down)."""


class InvalidRequest(BackendError):
    """The request itself is wrong: too long for the context, bad sampling parameters."""


@dataclass
class GenerationRequest:
    prompt: str | None = None
    messages: list[dict] | None = None  # [{"role": "user", "content": "..."}]
    max_tokens: int = 64
    temperature: float = 0.0  # 0 (or below SAMPLING_MIN_TEMPERATURE): greedy, reproducible
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None

    def validate(self) -> None:
        if (self.prompt is None) == (self.messages is None):
            raise InvalidRequest("give either a prompt or messages")
        if self.messages is not None:
            if not self.messages or not all(
                isinstance(m, dict)
                and isinstance(m.get("content"), str)
                and m.get("role") in {"system", "user", "assistant"}
                for m in self.messages
            ):
                raise InvalidRequest("messages must be a non-empty list of {role: system|user|assistant, content}")
        if not 1 <= self.max_tokens <= 32768:
            raise InvalidRequest(f"max_tokens must be between 1 and 32768, not {self.max_tokens}")
        if not 0.0 <= self.temperature <= 2.0:
            raise InvalidRequest(f"temperature must be between 0 and 2, not {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise InvalidRequest(f"top_p must be in (0, 1], not {self.top_p}")
        if len(self.stop) > 4 or not all(isinstance(s, str) and s for s in self.stop):
            raise InvalidRequest("stop takes at most 4 non-empty strings")


@dataclass
class GenerationResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" (eos or a stop string) or "length"
    seconds: float  # wall time of generation, prompt processing included
    first_token_seconds: float | None = None

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds > 0 else 0.0


class Backend(Protocol):
    context_length: int

    def generate(self, request: GenerationRequest) -> GenerationResult: ...

    def stream(self, request: GenerationRequest) -> Iterator[str]: ...

    def close(self) -> None: ...


def transcript(messages: list[dict]) -> str:
    """Chat messages as a plain transcript a base model without a chat template can continue."""
    return "\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\nassistant:"


def cut_at_stop(text: str, stops: list[str]) -> tuple[str, bool]:
    """The text up to the first stop string, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
