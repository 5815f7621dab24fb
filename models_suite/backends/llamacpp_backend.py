"""GGUF files through llama-cpp-python, an optional extra (`pip install -r requirements-gguf.txt`).

Resident in the model host like a transformers model. Without the package, loading a GGUF model is refused
with a message that says how to install it. Adapters attach to transformers models only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

from models_suite.backends.base import (
    BackendUnavailable,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    cut_at_stop,
    transcript,
)

INSTALL_HINT = "GGUF models need the optional llama-cpp-python package: pip install -r requirements-gguf.txt"


class LlamaCppBackend:
    def __init__(
        self, path: str | Path, *, device: str = "cpu", context_length: int | None = None, threads: int | None = None
    ):
        try:
            from llama_cpp import Llama  # optional dependency
        except ImportError:
            raise BackendUnavailable(INSTALL_HINT) from None
        self.path = Path(path)
        self.device = device
        # Every layer on the GPU when there is one (and this llama.cpp was built for it), none otherwise.
        self.llm = Llama(
            model_path=str(self.path),
            n_ctx=context_length or 0,
            n_threads=threads,
            n_gpu_layers=-1 if device.startswith("cuda") else 0,
            verbose=False,
        )
        # llama.cpp rounds its context up (to 256); the model knows no positions past what it was trained on.
        trained = self.llm.metadata.get(f"{self.llm.metadata.get('general.architecture')}.context_length")
        self.context_length = min(self.llm.n_ctx(), int(trained)) if trained else self.llm.n_ctx()
        self.lock = threading.Lock()  # one llama.cpp context: one generation at a time

    def use_adapter(self, name: str | None) -> None:
        if name is not None:
            raise BackendUnavailable(f"adapters attach to transformers models only, not to {self.path.name}")

    def render(self, request: GenerationRequest) -> str:
        if request.prompt is not None:
            return request.prompt
        assert request.messages is not None  # validate(): a prompt or messages
        template = self.llm.metadata.get("tokenizer.chat_template")
        if template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter  # optional dependency

            formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=self._token_text(self.llm.token_eos()),
                bos_token=self._token_text(self.llm.token_bos()),
            )
            return formatter(messages=request.messages).prompt
        return transcript(request.messages)

    def _token_text(self, token: int) -> str:
        return self.llm.detokenize([token], special=True).decode("utf-8", errors="ignore")

    def _prepare(self, request: GenerationRequest) -> tuple[str, int, int]:
        request.validate()
        prompt = self.render(request)
        prompt_tokens = len(self.llm.tokenize(prompt.encode(), add_bos=True, special=True))
        if prompt_tokens >= self.context_length:
            raise InvalidRequest(
                f"the prompt is {prompt_tokens} tokens; this model's context is {self.context_length} tokens"
            )
        return prompt, prompt_tokens, min(request.max_tokens, self.context_length - prompt_tokens)

    def _sampling(self, request: GenerationRequest, max_new: int) -> dict:
        # temperature 0 is greedy in llama.cpp; a seed makes sampling reproducible.
        options = {
            "max_tokens": max_new,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "stop": list(request.stop) or None,
        }
        if request.seed is not None:
            options["seed"] = request.seed
        return options

    def generate(self, request: GenerationRequest) -> GenerationResult:
        prompt, prompt_tokens, max_new = self._prepare(request)
        with self.lock:
            started = time.perf_counter()
            out = self.llm.create_completion(prompt, **self._sampling(request, max_new))
            seconds = time.perf_counter() - started
        choice, usage = out["choices"][0], out["usage"]
        return GenerationResult(
            text=choice["text"],
            prompt_tokens=usage["prompt_tokens"],
            completion_tokens=usage["completion_tokens"],
            finish_reason="length" if choice["finish_reason"] == "length" else "stop",
            seconds=seconds,
        )

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        prompt, _, max_new = self._prepare(request)
        with self.lock:
            sent = ""
            for chunk in self.llm.create_completion(prompt, stream=True, **self._sampling(request, max_new)):
                # llama.cpp holds back text that may begin a stop string; cut_at_stop is a second guard.
                text, stopped = cut_at_stop(sent + chunk["choices"][0]["text"], request.stop)
                if text[len(sent) :]:
                    yield text[len(sent) :]
                sent = text
                if stopped:
                    return

    def memory_bytes(self) -> int:
        return self.path.stat().st_size  # the weights, mapped from the file

    def close(self) -> None:
        self.llm.close()
