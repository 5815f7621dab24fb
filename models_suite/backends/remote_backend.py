"""A model behind an OpenAI-compatible endpoint: a cloud model, llama.cpp server, vLLM, Ollama.

httpx with timeouts; 429 and 5xx are retried with exponential backoff (honouring Retry-After), anything
else fails at once with the endpoint's own message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from models_suite.backends.base import BackendError, BackendUnavailable, GenerationRequest, GenerationResult

RETRY_STATUSES = {429, 500, 502, 503, 504}


class RemoteBackend:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        context_length: int = 0,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        max_retries: int = 4,
        backoff_seconds: float = 0.5,
    ):
        self.base_url, self.model = base_url.rstrip("/"), model
        self.context_length = context_length
        self.max_retries, self.backoff_seconds = max_retries, backoff_seconds
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=connect_timeout))

    def _payload(self, request: GenerationRequest, stream: bool) -> tuple[str, dict]:
        request.validate()
        body = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stream": stream,
        }
        if request.stop:
            body["stop"] = request.stop
        if request.seed is not None:
            body["seed"] = request.seed
        if request.messages is not None:
            return "/chat/completions", {**body, "messages": request.messages}
        return "/completions", {**body, "prompt": request.prompt}

    def _send(self, path: str, body: dict, stream: bool) -> httpx.Response:
        for attempt in range(self.max_retries + 1):
            try:
                response = self.client.send(
                    self.client.build_request("POST", self.base_url + path, json=body), stream=stream
                )
            except httpx.TransportError as exc:
                if attempt == self.max_retries:
                    raise BackendUnavailable(f"{self.base_url} unreachable: {type(exc).__name__}: {exc}") from None
                time.sleep(self.backoff_seconds * 2**attempt)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                wait = _retry_after(response) or self.backoff_seconds * 2**attempt
                response.close()
                time.sleep(wait)
                continue
            if response.status_code != 200:
                detail = response.read().decode(errors="replace")[:500]
                raise BackendError(f"{self.base_url}{path} answered {response.status_code}: {detail}")
            return response
        raise AssertionError("unreachable")  # the loop returns or raises

    def generate(self, request: GenerationRequest) -> GenerationResult:
        path, body = self._payload(request, stream=False)
        started = time.perf_counter()
        response = self._send(path, body, stream=False)
        seconds = time.perf_counter() - started
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"]["content"] if "message" in choice else choice["text"]
            usage = data.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError):
            raise BackendError(f"{self.base_url}{path} answered something that is not a completion") from None
        return GenerationResult(
            text=text or "",
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            finish_reason=choice.get("finish_reason") or "stop",
            seconds=seconds,
        )

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        path, body = self._payload(request, stream=True)
        response = self._send(path, body, stream=True)
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    return
                choice = json.loads(payload)["choices"][0]
                piece = (choice.get("delta") or {}).get("content") if "delta" in choice else choice.get("text")
                if piece:
                    yield piece
        finally:
            response.close()

    def close(self) -> None:
        self.client.close()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(float(response.headers.get("Retry-After", "")), 30.0)
    except ValueError:
        return None
