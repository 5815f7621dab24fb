"""Generation through the model host vs raw transformers `generate`, same model, prompt and process.

A model the size of the built-in one (4 layers, width 128, context 64; random weights generate as fast as
trained ones) answers the same prompt greedily with 32 new tokens, alternating host and raw calls.
Goal (issue 3): host throughput at least 0.95x raw. Also reports the host's load and swap times, and its
memory estimate (weights + KV cache at the full context) against what one more such model really costs
the process: the RSS growth over loading it and generating to the end of its context, in a process that
has already loaded one (a first load also pays for imports and allocator set-up, which no model owns).
Goal: within 20 %.
"""

import gc
import tempfile
import time
from pathlib import Path

import psutil
import torch
from common import Goal, report, side_by_side
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

from models_suite.artifacts import inspect_artifact
from models_suite.backends import GenerationRequest
from models_suite.builtin.tokenizer import build_char_tokenizer
from models_suite.host import ModelHost, ModelSpec, transformers_loader

GOALS = (
    Goal("ratio", at_least=0.95, source="issue 3, item 8: host generation at least 0.95x raw generate"),
    Goal(
        "memory_ratio",
        at_least=0.80,
        at_most=1.20,
        source="issue 3, item 8: memory estimate vs measured RSS within 20 %",
    ),
)

PROMPT, NEW_TOKENS = "Q:47+38=", 32


def build(directory: Path, seed: int) -> Path:
    tokenizer = build_char_tokenizer(model_max_length=64)
    torch.manual_seed(seed)
    config = GPT2Config(
        n_layer=4,
        n_embd=128,
        n_head=4,
        n_positions=64,
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


scratch = Path(tempfile.mkdtemp(prefix="autodidact-bench-host-"))
first, second = build(scratch / "a", 1), build(scratch / "b", 2)
facts = inspect_artifact(first)
host = ModelHost(transformers_loader)
spec = ModelSpec(name="base", path=str(first), estimated_bytes=facts.estimated_memory_bytes, device="cpu")

started = time.perf_counter()
with host.acquire(spec):
    pass
load_seconds = time.perf_counter() - started
[resident] = host.resident()

tokenizer = AutoTokenizer.from_pretrained(first, local_files_only=True)
raw_model = AutoModelForCausalLM.from_pretrained(first, local_files_only=True).eval()
inputs = tokenizer(PROMPT, return_tensors="pt")
# No stop strings and no eos: both sides generate exactly NEW_TOKENS tokens, so times compare like for like.
request = GenerationRequest(prompt=PROMPT, max_tokens=NEW_TOKENS)


def through_host():
    with host.acquire("base") as backend:
        backend.generate(request)


def raw():
    with torch.inference_mode():
        raw_model.generate(**inputs, max_new_tokens=NEW_TOKENS, do_sample=False, pad_token_id=tokenizer.pad_token_id)


host_seconds, raw_seconds = side_by_side(through_host, raw, rounds=7, per_round=10)

third = build(scratch / "c", 3)
gc.collect()
rss_before = psutil.Process().memory_info().rss
with host.acquire(
    ModelSpec(name="third", path=str(third), estimated_bytes=facts.estimated_memory_bytes, device="cpu")
) as backend:
    full_context = backend.generate(GenerationRequest(prompt=PROMPT * 4, max_tokens=64))
rss_growth = psutil.Process().memory_info().rss - rss_before
assert full_context.prompt_tokens + full_context.completion_tokens == 64  # the whole KV cache was used
# Measured before anything is unloaded: memory freed by an unload would be reused and hide the growth.
started = time.perf_counter()
host.swap("base", ModelSpec(name="base", path=str(second), estimated_bytes=facts.estimated_memory_bytes, device="cpu"))
swap_seconds = time.perf_counter() - started

host.close()

print(f"load {load_seconds:.2f} s, hot swap {swap_seconds:.2f} s (model of {facts.parameter_count:,} parameters)")
print(
    f"memory: estimated {facts.estimated_memory_bytes / 2**20:.2f} MiB (weights {facts.size_bytes / 2**20:.2f} + "
    f"KV {facts.kv_cache_bytes / 2**20:.2f}); one more model loaded and run to its full context grew RSS by "
    f"{rss_growth / 2**20:.2f} MiB: estimate/measured {facts.estimated_memory_bytes / rss_growth:.2f}; "
    f"the first load of the process measured {resident.measured_bytes / 2**20:.1f} MiB, "
    f"imports included"
)
print(f"{NEW_TOKENS} tokens: host {host_seconds * 1e3:.1f} ms, raw generate {raw_seconds * 1e3:.1f} ms")
report(
    GOALS,
    f"host_generation ratio (host throughput / raw generate throughput): {raw_seconds / host_seconds:.3f}",
    ratio=raw_seconds / host_seconds,
    memory_ratio=facts.estimated_memory_bytes / rss_growth,
)
