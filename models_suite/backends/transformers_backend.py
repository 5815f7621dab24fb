"""Local transformers models: CPU, or CUDA with bf16 when present; peft adapters attached, switched and
detached at run time on the resident base, never reloading it."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from models_suite.backends.base import (
    SAMPLING_MIN_TEMPERATURE,
    BackendError,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    cut_at_stop,
    transcript,
)


def pick_device(requested: str = "auto") -> str:
    import torch  # heavy: torch/transformers load only when a model is used

    if requested != "auto":
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


class TransformersBackend:
    def __init__(self, model_dir: str | Path, *, device: str = "auto"):
        # heavy: torch/transformers load only when a model is used
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.device = pick_device(device)
        dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True, dtype=dtype)
        except (OSError, ValueError) as exc:
            raise BackendError(f"cannot load {model_dir}: {exc}") from None
        self.model.to(self.device).eval()  # type: ignore[arg-type]  # @wraps(Module.to) hides the bound signature from mypy
        config = self.model.config
        self.context_length = int(getattr(config, "n_positions", 0) or getattr(config, "max_position_embeddings", 0))
        self.adapters: dict[str, str] = {}  # name -> path
        self._stop_cache: dict[tuple[str, ...], object] = {}
        self.active_adapter: str | None = None
        # One generation at a time per resident model: adapter switches must not land mid-generation.
        self.lock = threading.Lock()

    # --- adapters --------------------------------------------------------------------------------------------
    def load_adapter(self, name: str, path: str | Path) -> None:
        with self.lock:
            try:
                self.model.load_adapter(str(path), adapter_name=name)
            except (OSError, ValueError, RuntimeError, KeyError) as exc:
                raise BackendError(f"cannot attach adapter {name!r} from {path}: {exc}") from None
            self.adapters[name] = str(path)
            self._activate(self.active_adapter)  # loading must not change what answers

    def use_adapter(self, name: str | None) -> None:
        with self.lock:
            self._activate(name)

    def unload_adapter(self, name: str) -> None:
        with self.lock:
            if name not in self.adapters:
                return
            self.model.delete_adapter(name)
            del self.adapters[name]
            if self.active_adapter == name:
                self._activate(None)

    def _activate(self, name: str | None) -> None:
        if name is not None and name not in self.adapters:
            raise BackendError(f"adapter {name!r} is not attached; attached: {sorted(self.adapters)}")
        if self.adapters:
            if name is None:
                self.model.disable_adapters()
            else:
                self.model.enable_adapters()
                self.model.set_adapter(name)
        self.active_adapter = name

    # --- generation ------------------------------------------------------------------------------------------
    def render(self, request: GenerationRequest) -> str:
        if request.prompt is not None:
            return request.prompt
        assert request.messages is not None  # validate(): a prompt or messages
        if getattr(self.tokenizer, "chat_template", None):
            # tokenize=False: the text (its stubs cannot tell the return type from the flag)
            return cast(
                str, self.tokenizer.apply_chat_template(request.messages, add_generation_prompt=True, tokenize=False)
            )
        # A base model without a chat template: a plain transcript it can continue.
        return transcript(request.messages)

    def _encode(self, text: str) -> list[int]:
        """A prompt's token ids, the same alone and in a batch. An empty prompt starts from the begin-of-sequence
        token (eos where there is none, as GPT-2 does): a model needs one token to attend to, and a row of
        padding alone would be all masked, which transformers reads as right padding."""
        ids = list(self.tokenizer(text)["input_ids"])
        if ids:
            return ids
        for start in (self.tokenizer.bos_token_id, self.tokenizer.eos_token_id, self.tokenizer.pad_token_id):
            if start is not None:
                return [start]
        raise InvalidRequest("the prompt is empty and this model's tokenizer has no token to start from")

    def _inputs(self, request: GenerationRequest):
        import torch  # heavy: torch/transformers load only when a model is used

        request.validate()
        ids = self._encode(self.render(request))
        prompt_tokens = len(ids)
        if prompt_tokens >= self.context_length:
            raise InvalidRequest(
                f"the prompt is {prompt_tokens} tokens; this model's context is {self.context_length} tokens"
            )
        max_new = min(request.max_tokens, self.context_length - prompt_tokens)
        input_ids = torch.tensor([ids], device=self.device)
        return {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids)}, prompt_tokens, max_new

    def _generate_kwargs(self, request: GenerationRequest, max_new: int) -> dict:
        import torch  # heavy: torch/transformers load only when a model is used

        kwargs = {
            "max_new_tokens": max_new,
            "pad_token_id": self.tokenizer.pad_token_id
            if self.tokenizer.pad_token_id is not None
            else self.tokenizer.eos_token_id,
        }
        if request.temperature >= SAMPLING_MIN_TEMPERATURE:
            if request.seed is not None:
                torch.manual_seed(request.seed)
            kwargs.update(do_sample=True, temperature=request.temperature, top_p=request.top_p)
        else:
            kwargs.update(do_sample=False)
        if request.stop:
            kwargs.update(stopping_criteria=self._stop_criteria(tuple(request.stop)))
        return kwargs

    def _stop_criteria(self, stops: tuple[str, ...]):
        # Building a StopStringCriteria maps every token of the vocabulary onto the stop strings: far more
        # work than a short generation, so it is built once per set of stop strings, not per request.
        # heavy: torch/transformers load only when a model is used
        from transformers import StoppingCriteriaList, StopStringCriteria

        if stops not in self._stop_cache:
            self._stop_cache[stops] = StoppingCriteriaList([StopStringCriteria(self.tokenizer, list(stops))])
        return self._stop_cache[stops]

    def generate(self, request: GenerationRequest) -> GenerationResult:
        import torch  # heavy: torch/transformers load only when a model is used

        inputs, prompt_tokens, max_new = self._inputs(request)
        with self.lock, torch.inference_mode():
            started = time.perf_counter()
            output = self.model.generate(**inputs, **self._generate_kwargs(request, max_new))  # type: ignore[misc]  # the Auto class's return type is not one generate()'s self-type accepts
            seconds = time.perf_counter() - started
        new_tokens = output[0, prompt_tokens:]
        decoded = cast(str, self.tokenizer.decode(new_tokens, skip_special_tokens=True))  # one sequence: one string
        text, stopped = cut_at_stop(decoded, request.stop)
        eos = self.tokenizer.eos_token_id
        ended = stopped or (len(new_tokens) < max_new) or (eos is not None and int(new_tokens[-1]) == eos)
        return GenerationResult(
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=len(new_tokens),
            finish_reason="stop" if ended else "length",
            seconds=seconds,
        )

    def generate_batch(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        """Several prompts in one left-padded batch, with the first request's parameters for all: how an
        evaluation answers its items, many times faster on CPU than one at a time."""
        import torch  # heavy: torch/transformers load only when a model is used

        for request in requests:
            request.validate()
        prompts = [self.render(request) for request in requests]
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        ids = [self._encode(p) for p in prompts]
        longest = max(len(row) for row in ids)
        if longest >= self.context_length:
            raise InvalidRequest(f"a prompt is {longest} tokens; this model's context is {self.context_length} tokens")
        # Left padding: every row's next token is predicted from the last column.
        input_ids = torch.tensor([[pad_id] * (longest - len(row)) + row for row in ids], device=self.device)
        attention = torch.tensor([[0] * (longest - len(row)) + [1] * len(row) for row in ids], device=self.device)
        max_new = min(requests[0].max_tokens, self.context_length - longest)
        with self.lock, torch.inference_mode():
            started = time.perf_counter()
            output = self.model.generate(  # type: ignore[misc]  # the Auto class's return type is not one generate()'s self-type accepts
                input_ids=input_ids, attention_mask=attention, **self._generate_kwargs(requests[0], max_new)
            )
            seconds = time.perf_counter() - started
        results = []
        eos = self.tokenizer.eos_token_id
        for row, request in zip(range(len(requests)), requests):
            new_tokens = output[row, longest:].tolist()
            # Rows that finished early are padded to the batch's length: after a row's eos comes only padding
            # (even where padding is eos itself); a row cut by a stop string ends in padding.
            if eos is not None and eos in new_tokens:
                new_tokens = new_tokens[: new_tokens.index(eos) + 1]
            else:
                while new_tokens and new_tokens[-1] == pad_id:
                    new_tokens.pop()
            decoded = cast(str, self.tokenizer.decode(new_tokens, skip_special_tokens=True))  # one sequence: one string
            text, stopped = cut_at_stop(decoded, request.stop)
            ended = stopped or bool(new_tokens and new_tokens[-1] == eos) or len(new_tokens) < max_new
            results.append(
                GenerationResult(
                    text=text,
                    prompt_tokens=len(ids[row]),
                    completion_tokens=len(new_tokens),
                    finish_reason="stop" if ended else "length",
                    seconds=seconds / len(requests),
                )
            )
        return results

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        from transformers import TextIteratorStreamer  # heavy: torch/transformers load only when a model is used

        inputs, _, max_new = self._inputs(request)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []

        def run():
            import torch  # heavy: torch/transformers load only when a model is used

            try:
                with self.lock, torch.inference_mode():
                    self.model.generate(**inputs, **self._generate_kwargs(request, max_new), streamer=streamer)
            except BaseException as exc:  # surfaced to the reader below, not lost in the thread
                failure.append(exc)
                streamer.end()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        sent, stopped = "", False
        for piece in streamer:
            candidate, stopped = cut_at_stop(sent + piece, request.stop)
            if candidate[len(sent) :]:
                yield candidate[len(sent) :]
            sent = candidate
            if stopped:
                break
        if stopped:
            for _ in streamer:  # drain, so the generating thread finishes and releases the lock
                pass
        thread.join()
        if failure:
            raise BackendError(f"generation failed: {failure[0]}")

    def memory_bytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.model.parameters())

    def close(self) -> None:
        import torch  # heavy: torch/transformers load only when a model is used

        del self.model
        gc.collect()
        if self.device.startswith("cuda"):
            torch.cuda.empty_cache()
