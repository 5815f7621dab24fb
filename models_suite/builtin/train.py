"""Build the base model: a small GPT-2 trained from scratch on (prompt, answer) pairs, saved in transformers format.

Reproducible: the weights are initialized from `config.seed`, the data order comes from its own seeded RNG, and
deterministic algorithms are switched on for the build, so the same config and corpus give byte-identical
model.safetensors on the same software stack, whenever the build is stopped by its step budget.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal, cast

import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from .config import BaseModelConfig, BuildProgress, BuildReport, WrittenFile
from .data import IGNORE_INDEX, PackedBatches, corpus_fingerprint, encode_pairs
from .tokenizer import ANSWER_END, build_char_tokenizer

ProgressCallback = Callable[[BuildProgress], None]
BUILD_INFO = "build_info.json"


def gpt2_config(config: BaseModelConfig, tokenizer: PreTrainedTokenizerFast) -> GPT2Config:
    return GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=config.n_ctx,
        n_embd=config.n_embd,
        n_layer=config.n_layer,
        n_head=config.n_head,
        resid_pdrop=config.dropout,
        embd_pdrop=config.dropout,
        attn_pdrop=config.dropout,
        # GPT-2's defaults point at token 50256, which this vocabulary does not have.
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


@contextlib.contextmanager
def _quiet_padding_warning() -> Iterator[None]:
    """Packed rows end in padding and carry no attention mask on purpose (see the training loop); transformers
    would warn about that once per process, which would only alarm whoever reads the log."""
    logger = logging.getLogger("transformers.modeling_utils")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


@contextlib.contextmanager
def _deterministic(enabled: bool) -> Iterator[None]:
    """Deterministic kernels and a private RNG stream for the build; the caller's settings come back after."""
    previous = torch.are_deterministic_algorithms_enabled()
    previous_warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    with torch.random.fork_rng(devices=[]):  # seeding must not disturb the caller's random stream
        if enabled:
            torch.use_deterministic_algorithms(True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(previous, warn_only=previous_warn_only)


def _learning_rate(config: BaseModelConfig, step: int, total_steps: int | None) -> float:
    """Linear warm-up, then cosine decay to min_lr_ratio; the peak rate until the total is known."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    if total_steps is None or total_steps <= config.warmup_steps:
        return config.learning_rate
    progress = min(1.0, (step - config.warmup_steps) / (total_steps - config.warmup_steps))
    floor = config.min_lr_ratio
    return config.learning_rate * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def _optimizer(model: torch.nn.Module, config: BaseModelConfig) -> torch.optim.Optimizer:
    # Decay matrices only: shrinking biases and layer-norm gains towards zero does not regularize anything useful.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.learning_rate, betas=(0.9, 0.95))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_base_model(
    config: BaseModelConfig | None,
    corpus_pairs: Iterable[tuple[str, str]],
    out_dir: str | os.PathLike[str],
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Train the base model on the pairs and save model + tokenizer to out_dir; returns what was done."""
    config = config or BaseModelConfig()
    pairs = [(str(prompt), str(answer)) for prompt, answer in corpus_pairs]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_char_tokenizer(config.n_ctx)
    examples, skipped = encode_pairs(pairs, tokenizer, config.n_ctx, config.loss_on)
    batches = PackedBatches(examples, config.n_ctx, config.batch_size, tokenizer.pad_token_id, config.seed)

    with _deterministic(config.deterministic), _quiet_padding_warning():
        torch.manual_seed(config.seed)
        model = GPT2LMHeadModel(gpt2_config(config, tokenizer))
        model.generation_config.eos_token_id = [tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids(ANSWER_END)]
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        optimizer = _optimizer(model, config)
        model.train()

        total_steps = config.max_steps  # None until calibrated when only max_seconds was given
        stopped_by: Literal["steps", "time"] = "steps"
        tokens_seen = step = 0
        interval_loss, interval_steps = 0.0, 0
        final_loss = float("nan")
        history: list[tuple[int, float]] = []
        started = time.perf_counter()
        for batch in batches:
            lr = _learning_rate(config, step, total_steps)
            for group in optimizer.param_groups:
                group["lr"] = lr
            # No attention mask and no cache: only then does transformers read the restarting position ids as
            # packed sequences and mask them from one another (test_packed_examples_do_not_see_each_other).
            logits = model(input_ids=batch.input_ids, position_ids=batch.position_ids, use_cache=False).logits
            loss = F.cross_entropy(
                logits[:, :-1].reshape(-1, logits.size(-1)), batch.targets[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()

            step += 1
            tokens_seen += batch.tokens
            interval_loss += float(loss.detach())
            interval_steps += 1
            elapsed = time.perf_counter() - started
            if total_steps is None and config.max_seconds is not None and step >= config.calibration_steps:
                # Time-only budget: fix the step count from the measured pace so the schedule can decay to its end.
                total_steps = max(step, int(config.max_seconds * step / elapsed))
            out_of_time = config.max_seconds is not None and elapsed >= config.max_seconds
            done = total_steps is not None and step >= total_steps
            if out_of_time and not done:
                stopped_by, done = "time", True
            if done or step % config.log_every == 0:
                final_loss = interval_loss / interval_steps
                history.append((step, final_loss))
                interval_loss, interval_steps = 0.0, 0
                if progress is not None:
                    planned = step if done else (total_steps or step)
                    eta = elapsed / step * (planned - step)
                    progress(BuildProgress(step, planned, final_loss, tokens_seen / elapsed, elapsed, eta))
            if done:
                break
        seconds = time.perf_counter() - started

    parameters = sum(parameter.numel() for parameter in model.parameters())
    report = BuildReport(
        out_dir=str(out),
        parameters=parameters,
        steps=step,
        planned_steps=total_steps or step,
        stopped_by=stopped_by,
        tokens_seen=tokens_seen,
        tokens_per_s=tokens_seen / seconds if seconds else 0.0,
        seconds=seconds,
        final_loss=final_loss,
        examples=len(examples),
        skipped_examples=skipped,
        epochs=batches.examples_seen / len(examples),
        loss_history=history,
        config=config.to_dict(),
    )
    info = {
        # Only what the build determines (no timings), so that reproduced builds write identical files.
        "config": config.to_dict(),
        "corpus_sha256": corpus_fingerprint(pairs),
        "corpus_pairs": len(pairs),
        "skipped_examples": skipped,
        "parameters": parameters,
        "steps": step,
        "tokens_seen": tokens_seen,
        "stopped_by": stopped_by,
    }
    report.files = _save(model, tokenizer, info, out)
    return report


def _save(model: GPT2LMHeadModel, tokenizer: PreTrainedTokenizerFast, info: dict, out: Path) -> list[WrittenFile]:
    """Write into a scratch folder beside out_dir, then move each file in: a failed save leaves no half files."""
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=out.parent))
    try:
        model.save_pretrained(scratch)  # model.safetensors, config.json, generation_config.json
        tokenizer.save_pretrained(scratch)  # tokenizer.json, tokenizer_config.json
        (scratch / BUILD_INFO).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
        written = []
        for path in sorted(scratch.iterdir()):
            if path.is_file():
                # Some writers create private (0600) files; a model directory is meant to be read by other users.
                path.chmod(0o644)
                written.append(WrittenFile(path.name, path.stat().st_size, _sha256(path)))
                os.replace(path, out / path.name)
        return written
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def load_base_model(out_dir: str | os.PathLike[str]) -> tuple[GPT2LMHeadModel, PreTrainedTokenizerFast]:
    """Load a built model and its tokenizer from disk only (never from a hub), in eval mode."""
    model = AutoModelForCausalLM.from_pretrained(out_dir, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(out_dir, local_files_only=True)
    model.eval()
    # The Auto classes cannot know that a built model is a GPT-2 with a fast tokenizer.
    return cast(GPT2LMHeadModel, model), cast(PreTrainedTokenizerFast, tokenizer)
