"""Dataclasses for building the built-in base model: what to build, how far along it is, what came out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# A step budget rather than a clock budget is the default because a build stopped by the clock depends on the
# machine's speed that day and so is not reproducible (the build's time on 2 cores is in the README).
DEFAULT_MAX_STEPS = 1600

LossOn = Literal["answer", "all"]


@dataclass(frozen=True)
class BaseModelConfig:
    """How to build the base model. Every field takes part in the build's fingerprint (see build_info.json)."""

    n_layer: int = 4
    n_embd: int = 128
    n_head: int = 4
    n_ctx: int = 64  # context length: the longest prompt + answer + "\n" the model is trained and run on
    seed: int = 1234
    learning_rate: float = 3e-3
    min_lr_ratio: float = 0.1  # cosine decay ends at learning_rate * min_lr_ratio
    warmup_steps: int = 50
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    batch_size: int = 32  # packed rows of n_ctx tokens per optimizer step
    # Training budget: max_steps is the primary, reproducible control. max_seconds is a wall-clock cap on top of
    # it; with max_steps=None the step count is derived from max_seconds by timing the first steps, and the
    # build is then reproducible only up to where the clock stopped it (BuildReport.stopped_by says which).
    max_steps: int | None = DEFAULT_MAX_STEPS
    max_seconds: float | None = None
    calibration_steps: int = 20  # steps timed to turn max_seconds into a step count when max_steps is None
    # "all": loss on every token; "answer": only on answer tokens and the terminating "\n". The base model
    # trains on "all": modelling the prompts too keeps it from memorizing the answers, and it generalized better
    # on held-out arithmetic (LoRA training on its answers uses "answer").
    loss_on: LossOn = "all"
    dropout: float = 0.0  # the model underfits in its budget; dropout would only slow it down
    log_every: int = 10  # steps between progress callbacks (the last step is always reported)
    deterministic: bool = True  # torch.use_deterministic_algorithms during the build

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")
        if self.max_steps is None and self.max_seconds is None:
            raise ValueError("give max_steps, max_seconds or both")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        if self.loss_on not in ("answer", "all"):
            raise ValueError(f"loss_on must be 'answer' or 'all', not {self.loss_on!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BuildProgress:
    """Handed to the progress callback every `log_every` steps and on the last step."""

    step: int  # optimizer steps done, 1-based
    total_steps: int  # planned steps (may change once, after calibration, when only max_seconds was given)
    loss: float  # mean training loss over the steps since the previous report
    tokens_per_s: float  # non-padding tokens per second of training so far
    elapsed_s: float
    eta_s: float

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0


@dataclass(frozen=True)
class WrittenFile:
    name: str  # relative to out_dir
    bytes: int
    sha256: str


@dataclass
class BuildReport:
    out_dir: str
    parameters: int
    steps: int
    planned_steps: int
    stopped_by: Literal["steps", "time"]
    tokens_seen: int  # non-padding tokens fed to the model
    tokens_per_s: float
    seconds: float  # training time (excludes data preparation and saving)
    final_loss: float  # mean loss over the last logging interval
    examples: int  # corpus pairs used
    skipped_examples: int  # pairs longer than n_ctx, left out
    epochs: float  # passes over the corpus
    loss_history: list[tuple[int, float]] = field(default_factory=list)  # (step, mean loss) per report
    files: list[WrittenFile] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)

    def file_sha256(self, name: str) -> str:
        for written in self.files:
            if written.name == name:
                return written.sha256
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
