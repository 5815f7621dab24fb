"""LoRA fine-tuning of a local causal LM with peft: a config, one training function with checkpoints, resume,
progress and a stop hook. Pure (torch, transformers, peft; no Django).

A plain torch loop rather than transformers' Trainer: measured on the built-in model it runs as fast (the
calibration notes: 10.8-11.6k against 10.7-11.1k tokens/s), and it lets a resumed run continue exactly where
the checkpoint left it: the data order is a pure function of the seed, so resuming replays the order up to the
checkpoint's step without computing anything. Examples are packed into rows of the model's context with
restarting position ids, as the built-in model was trained (models_suite.builtin.data), and each token's loss
is weighted by its example's weight.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from learning.training.checkpoints import checkpoint_load, checkpoint_save, rng_restore
from learning.training.distill import StartingModel, kept_knowledge_loss
from models_suite.builtin.config import LossOn
from models_suite.builtin.data import IGNORE_INDEX, PackedBatches, corpus_fingerprint, encode_pairs, pack_rows

log = logging.getLogger(__name__)
INFO = "training_info.json"
GPT2_MODULES = ["c_attn", "c_proj", "c_fc"]  # attention and MLP: the calibration's choice for the built-in model


class ConfigError(ValueError):
    """Invalid hyperparameters: `errors` maps each bad field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


class Unsupported(RuntimeError):
    """Asked for something this machine cannot do (QLoRA without a GPU or bitsandbytes)."""


class Stopped(Exception):
    """should_stop() said stop (cancelled, or the job's lease was lost); the checkpoint is saved first."""

    def __init__(self, reason: str, step: int):
        self.reason, self.step = reason, step
        super().__init__(f"stopped at step {step}: {reason}")


@dataclass
class LoraTrainConfig:
    """The originals' defaults (r 8, alpha 16, dropout 0.05, learning rate 3e-4, 3 epochs, batch 4, 512 tokens)."""

    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    learning_rate: float = 3e-4
    epochs: int = 3
    batch_size: int = 4  # packed rows per step
    max_seq_length: int = 512  # capped by the model's own context
    warmup_steps: int = 10
    save_steps: int = 50  # checkpoint every this many steps (and when stopped)
    logging_steps: int = 10  # progress every this many steps (and at the last)
    max_steps: int | None = None  # overrides epochs
    seed: int = 0
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    loss_on: LossOn = "answer"  # "answer": the completion's tokens; "all": the prompt's too
    # Learning without forgetting (learning.training.distill): the weight of the KL from the starting model (the
    # parent adapter, or the bare base) on the answer tokens it predicted right; 0: cross-entropy alone.
    keep_weight: float = 0.0
    target_modules: list[str] | None = None  # None: attention and MLP layers (GPT-2), every linear layer otherwise
    quantize_4bit: bool = False  # QLoRA: needs a CUDA GPU and bitsandbytes

    @classmethod
    def from_dict(cls, data: dict) -> LoraTrainConfig:
        """Validated: unknown fields and values out of range raise ConfigError naming each of them."""
        known = {f.name for f in fields(cls)}
        errors = {name: "unknown hyperparameter" for name in data if name not in known}
        values = {name: value for name, value in data.items() if name in known}
        try:
            config = cls(**values)
        except TypeError as error:
            raise ConfigError({**errors, "config": str(error)}) from None
        errors.update(config.errors())
        if errors:
            raise ConfigError(errors)
        return config

    def errors(self) -> dict[str, str]:
        checks = {
            "r": (int, 1, 256),
            "alpha": (int, 1, 4096),
            "dropout": (float, 0.0, 0.9),
            "learning_rate": (float, 1e-6, 1e-2),
            "epochs": (int, 1, 10),
            "batch_size": (int, 1, 512),
            "max_seq_length": (int, 8, 32768),
            "warmup_steps": (int, 0, 100000),
            "save_steps": (int, 1, 10**6),
            "logging_steps": (int, 1, 10**6),
            "seed": (int, 0, 2**31 - 1),
            "weight_decay": (float, 0.0, 1.0),
            "grad_clip": (float, 0.0, 1000.0),
            "keep_weight": (float, 0.0, 100.0),
        }
        errors = {}
        for name, (kind, low, high) in checks.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
                errors[name] = f"must be a{'n integer' if kind is int else ' number'}"
            elif not low <= value <= high:
                errors[name] = f"must be between {low:g} and {high:g}, got {value}"
        if self.max_steps is not None and (not isinstance(self.max_steps, int) or self.max_steps < 1):
            errors["max_steps"] = "must be a positive integer or null"
        if self.loss_on not in ("answer", "all"):
            errors["loss_on"] = "must be 'answer' or 'all'"
        if self.target_modules is not None and (
            not isinstance(self.target_modules, list) or not all(isinstance(m, str) and m for m in self.target_modules)
        ):
            errors["target_modules"] = "must be a list of module names or null"
        if not isinstance(self.quantize_4bit, bool):
            errors["quantize_4bit"] = "must be true or false"
        return errors


@dataclass
class TrainProgress:
    step: int
    total_steps: int
    loss: float  # mean over the steps since the last report
    learning_rate: float
    tokens_per_second: float
    elapsed_seconds: float
    eta_seconds: float


@dataclass
class TrainResult:
    steps: int
    total_steps: int
    resumed_from_step: int
    examples: int
    skipped_examples: int  # longer than the context: left out rather than cut
    tokens: int  # non-padding tokens trained on, this run
    seconds: float
    tokens_per_second: float
    train_loss: float
    validation_loss: float | None
    peak_memory_bytes: int
    device: str
    trainable_parameters: int


Examples = Sequence[tuple[str, str, float]]  # (prompt, completion, weight)


def qlora_available() -> str | None:
    """None when QLoRA can run here, else why not."""
    if not torch.cuda.is_available():
        return "QLoRA (a 4-bit base) needs a CUDA GPU; this machine has none. Train without quantize_4bit."
    try:
        import bitsandbytes  # optional dependency  # noqa: F401
    except ImportError:
        return "QLoRA needs the bitsandbytes package, which is not installed. Train without quantize_4bit."
    return None


def load_for_training(base_dir: Path, config: LoraTrainConfig, init_adapter_dir: Path | None = None):
    """(peft model, tokenizer, device) with fresh LoRA weights seeded from config.seed, or, with init_adapter_dir,
    an adapter's trained weights to continue from (its own rank, alpha and modules: config's are ignored)."""
    # heavy: torch/transformers load only when a model is used
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    options: dict = {"local_files_only": True}
    if config.quantize_4bit:
        if reason := qlora_available():
            raise Unsupported(reason)
        from transformers import BitsAndBytesConfig  # heavy: torch/transformers load only when a model is used

        options["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        )
    tokenizer = AutoTokenizer.from_pretrained(base_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(base_dir, **options)
    if config.quantize_4bit:
        from peft import prepare_model_for_kbit_training  # heavy: torch/transformers load only when a model is used

        model = prepare_model_for_kbit_training(model)
    else:
        model.to(device)  # type: ignore[arg-type]  # @wraps(Module.to) hides the bound signature from mypy
    if init_adapter_dir is not None:
        torch.manual_seed(config.seed)  # dropout masks
        return PeftModel.from_pretrained(model, init_adapter_dir, is_trainable=True), tokenizer, device
    is_gpt2 = model.config.model_type == "gpt2"
    torch.manual_seed(config.seed)
    lora = LoraConfig(
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        task_type="CAUSAL_LM",
        target_modules=config.target_modules or (GPT2_MODULES if is_gpt2 else "all-linear"),
        fan_in_fan_out=is_gpt2,
    )  # GPT-2's Conv1D layers store their weights transposed
    return get_peft_model(model, lora), tokenizer, device


def context_of(model, config: LoraTrainConfig) -> int:
    limit = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
    return min(config.max_seq_length, limit or config.max_seq_length)


def learning_rate_at(step: int, total: int, config: LoraTrainConfig) -> float:
    """Linear warm-up, then cosine decay to 10 % of the peak: a function of the step alone, so a resumed run
    continues the same schedule."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, total - config.warmup_steps)
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def weighted_loss(model, batch, device: str, starting: StartingModel | None = None, keep: float = 0.0) -> torch.Tensor:
    """Mean cross-entropy over the tokens that count, each scaled by its example's weight; with `starting`, plus
    `keep` x the KL from the starting model on the tokens it predicted right (learning.training.distill)."""
    input_ids, position_ids = batch.input_ids.to(device), batch.position_ids.to(device)
    logits = model(input_ids=input_ids, position_ids=position_ids, use_cache=False).logits
    targets = batch.targets[:, 1:].to(device)
    per_token = F.cross_entropy(
        logits[:, :-1].reshape(-1, logits.size(-1)).float(),
        targets.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="none",
    ).view_as(targets)
    counted = targets != IGNORE_INDEX
    weights = batch.weights[:, 1:].to(device) if batch.weights is not None else torch.ones_like(per_token)
    loss = (per_token * weights * counted).sum() / counted.sum().clamp(min=1)
    if starting is None or not keep:
        return loss
    start_logits = starting.logits(input_ids, position_ids)
    return loss + keep * kept_knowledge_loss(logits[:, :-1], start_logits[:, :-1], targets, counted)


def continued_shape(adapter_dir: Path) -> dict:
    """The rank, alpha and dropout an adapter was trained with (peft's adapter_config.json): continuing it keeps
    them, whatever a new config says."""
    saved = json.loads((adapter_dir / "adapter_config.json").read_text())
    return {"r": saved["r"], "alpha": saved["lora_alpha"], "dropout": saved["lora_dropout"]}


def train_lora(
    *,
    base_dir: str | os.PathLike,
    train: Examples,
    validation: Examples = (),
    config: LoraTrainConfig,
    out_dir: str | os.PathLike,
    checkpoint_dir: str | os.PathLike,
    progress: Callable[[TrainProgress], None] | None = None,
    should_stop: Callable[[], str | None] | None = None,
    init_adapter_dir: str | os.PathLike | None = None,
) -> TrainResult:
    """Train a LoRA on (prompt, completion, weight) examples and save it to out_dir (peft's files plus
    training_info.json). With init_adapter_dir the training continues that adapter's weights (continual learning:
    what earlier runs taught is the starting point) instead of fresh ones. Resumes from checkpoint_dir when a
    checkpoint of the same config, data and starting adapter is there. should_stop() returning a reason stops the
    run after saving a checkpoint (raises Stopped)."""
    if errors := config.errors():
        raise ConfigError(errors)
    init = Path(init_adapter_dir) if init_adapter_dir else None
    if init is not None:  # the continued adapter keeps its own shape: record that, not what config asked for
        config = replace(config, **continued_shape(init))
    model, tokenizer, device = load_for_training(Path(base_dir), config, init)
    n_ctx = context_of(model, config)
    pairs = [(prompt, completion) for prompt, completion, _ in train]
    examples, skipped = encode_pairs(pairs, tokenizer, n_ctx, config.loss_on, [w for _, _, w in train])
    if not examples:
        raise ValueError(f"No training example fits the model's context of {n_ctx} tokens ({len(train)} given)")
    rows_per_epoch = len(pack_rows(examples, n_ctx, tokenizer.pad_token_id))
    total = config.max_steps or config.epochs * max(1, math.ceil(rows_per_epoch / config.batch_size))
    fingerprint = corpus_fingerprint(pairs) + json.dumps([w for _, _, w in train])
    if init is not None:  # a checkpoint continues the same starting weights, not another adapter's
        fingerprint += hashlib.sha256((init / "adapter_model.safetensors").read_bytes()).hexdigest()
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)
    batches = iter(PackedBatches(examples, n_ctx, config.batch_size, tokenizer.pad_token_id, config.seed))
    # After the optimizer took its parameters: the starting model's copy is never trained.
    starting = StartingModel(model, init) if config.keep_weight else None

    checkpoints = Path(checkpoint_dir)
    state = checkpoint_load(checkpoints, config, fingerprint)
    start = 0
    if state is not None:
        from peft import set_peft_model_state_dict  # heavy: torch/transformers load only when a model is used

        set_peft_model_state_dict(model, state["adapter"])
        optimizer.load_state_dict(state["optimizer"])
        rng_restore(state.get("rng") or {"torch": state["torch_rng"]})  # (a checkpoint from before CUDA's was kept)
        start = state["step"]
        for _ in range(start):  # the same order as the interrupted run: packing only, no compute
            next(batches)

    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if device == "cuda" and torch.cuda.is_bf16_supported()
        else torch.autocast("cpu", enabled=False)
    )
    model.train()
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    tokens, interval_loss, interval_steps, losses = 0, 0.0, 0, []
    started = time.perf_counter()
    step = start
    while step < total:
        if should_stop is not None and (reason := should_stop()):
            checkpoint_save(checkpoints, model, optimizer, step, config, fingerprint)
            raise Stopped(reason, step)
        batch = next(batches)
        rate = learning_rate_at(step, total, config)
        for group in optimizer.param_groups:
            group["lr"] = rate
        with autocast:
            loss = weighted_loss(model, batch, device, starting, config.keep_weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip:
            torch.nn.utils.clip_grad_norm_(trainable, config.grad_clip)
        optimizer.step()
        step += 1
        tokens += batch.tokens
        interval_loss += float(loss.detach())
        interval_steps += 1
        if step % config.save_steps == 0 and step < total:
            checkpoint_save(checkpoints, model, optimizer, step, config, fingerprint)
        if step % config.logging_steps == 0 or step == total:
            losses.append(interval_loss / interval_steps)
            elapsed = time.perf_counter() - started
            if progress is not None:
                done = step - start
                progress(
                    TrainProgress(
                        step, total, losses[-1], rate, tokens / elapsed, elapsed, elapsed / done * (total - step)
                    )
                )
            interval_loss, interval_steps = 0.0, 0
    seconds = time.perf_counter() - started
    if starting is not None:
        starting.close()  # only the trained adapter is measured and saved
    validation_loss = evaluate_loss(model, tokenizer, validation, n_ctx, config, device)
    result = TrainResult(
        steps=step,
        total_steps=total,
        resumed_from_step=start,
        examples=len(examples),
        skipped_examples=skipped,
        tokens=tokens,
        seconds=round(seconds, 3),
        tokens_per_second=tokens / seconds if seconds else 0.0,
        train_loss=losses[-1] if losses else float("nan"),
        validation_loss=validation_loss,
        peak_memory_bytes=peak_memory_bytes(device),
        device=device,
        trainable_parameters=sum(parameter.numel() for parameter in trainable),
    )
    _adapter_save(
        model,
        Path(out_dir),
        {
            "config": asdict(config),
            "result": asdict(result),
            "base_dir": str(base_dir),
            "continued_from": str(init) if init else None,
        },
    )
    shutil.rmtree(checkpoints, ignore_errors=True)  # finished: nothing to resume
    return result


@torch.no_grad()
def evaluate_loss(
    model, tokenizer, examples: Examples, n_ctx: int, config: LoraTrainConfig, device: str
) -> float | None:
    """Mean answer-token cross-entropy on held-out examples (None without any)."""
    encoded, _ = encode_pairs([(p, c) for p, c, _ in examples], tokenizer, n_ctx, "answer")
    if not encoded:
        return None
    model.eval()
    rows = pack_rows(encoded, n_ctx, tokenizer.pad_token_id)
    total, count = 0.0, 0
    for start in range(0, len(rows), 32):
        chunk = rows[start : start + 32]
        logits = model(
            input_ids=torch.tensor([r.ids for r in chunk], device=device),
            position_ids=torch.tensor([r.positions for r in chunk], device=device),
            use_cache=False,
        ).logits
        targets = torch.tensor([r.targets for r in chunk], device=device)[:, 1:]
        total += float(
            F.cross_entropy(
                logits[:, :-1].reshape(-1, logits.size(-1)).float(),
                targets.reshape(-1),
                ignore_index=IGNORE_INDEX,
                reduction="sum",
            )
        )
        count += int((targets != IGNORE_INDEX).sum())
    model.train()
    return total / count if count else None


def peak_memory_bytes(device: str) -> int:
    if device == "cuda":
        return int(torch.cuda.max_memory_allocated())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the process's peak resident set
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _adapter_save(model, out: Path, info: dict) -> None:
    """Into a scratch folder beside out_dir, then renamed: a reader never sees half an adapter."""
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".adapter-", dir=out.parent))
    try:
        model.save_pretrained(scratch)  # adapter_model.safetensors, adapter_config.json
        (scratch / INFO).write_text(json.dumps(info, indent=2, default=str) + "\n")
        if out.exists():
            shutil.rmtree(out)
        scratch.rename(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
