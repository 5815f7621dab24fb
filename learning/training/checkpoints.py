"""A LoRA run's checkpoint: the adapter's weights, the optimizer, every random generator a step draws from, the
config and a fingerprint of the data, written atomically, so that a stopped or killed run resumes to the very
weights of an uninterrupted one (learning.training.lora)."""

from __future__ import annotations

import logging
import os
import random
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

CHECKPOINT = "checkpoint.pt"
log = logging.getLogger(__name__)


def rng_state() -> dict:
    """Every generator a training step may draw from: torch's CPU generator, each CUDA device's (LoRA dropout on a
    GPU draws there, not on the CPU), Python's and NumPy's. What accelerate's save_state keeps, without wrapping
    the model and optimizer in an Accelerator and its own checkpoint layout."""
    return {
        "torch": torch.get_rng_state(),
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }


def rng_restore(state: dict) -> None:
    """Put back what rng_state() kept. CUDA generators are restored when this machine has as many devices as the
    one that saved them; a run resumed on other hardware draws other dropout masks (and says so in the log)."""
    torch.set_rng_state(state["torch"])
    if "python" in state:
        random.setstate(state["python"])
        np.random.set_state(state["numpy"])
    saved_cuda, devices = state.get("cuda"), torch.cuda.device_count() if torch.cuda.is_available() else 0
    if saved_cuda is not None and len(saved_cuda) == devices:
        torch.cuda.set_rng_state_all(saved_cuda)
    elif saved_cuda is not None or devices:
        log.warning(
            "resuming on %d CUDA device(s), saved on %d: the CUDA generators start afresh, so dropout "
            "masks differ from an uninterrupted run",
            devices,
            len(saved_cuda or []),
        )


def checkpoint_save(directory: Path, model, optimizer, step: int, config, fingerprint: str) -> None:
    """Atomically: a kill mid-save leaves the previous checkpoint whole."""
    from peft import get_peft_model_state_dict  # heavy: torch/transformers load only when a model is used

    directory.mkdir(parents=True, exist_ok=True)
    state = {
        "step": step,
        "adapter": get_peft_model_state_dict(model),
        "optimizer": optimizer.state_dict(),
        "rng": rng_state(),
        "config": asdict(config),
        "fingerprint": fingerprint,
    }
    # torch's zip writer names the archive after the file and refuses a name starting with a dot
    handle, scratch = tempfile.mkstemp(prefix="partial-", suffix=".pt", dir=directory)
    os.close(handle)
    torch.save(state, scratch)
    os.replace(scratch, directory / CHECKPOINT)


def checkpoint_load(directory: Path, config, fingerprint: str) -> dict | None:
    """The checkpoint when it belongs to this config and data; None otherwise (a fresh start)."""
    path = directory / CHECKPOINT
    if not path.exists():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception:  # a damaged file: start over rather than fail the job
        return None
    if state.get("config") != asdict(config) or state.get("fingerprint") != fingerprint:
        return None
    return state
