"""The built-in base model: a small character-level GPT-2 trained from scratch on suite train items, offline.

Pure torch/transformers (no Django): `build_base_model` trains on (prompt, answer) pairs and saves a model
directory that `AutoModelForCausalLM` / `AutoTokenizer.from_pretrained(dir, local_files_only=True)` load. The
pairs and the held-out scores come from elsewhere: models_suite.evaluation.pretraining_pairs() and the evaluation
service, which answers through TransformersBackend like any other local model (see models_suite.services.builtin).
"""

from __future__ import annotations

from .config import DEFAULT_MAX_STEPS, BaseModelConfig, BuildProgress, BuildReport, WrittenFile
from .progress import TerminalProgress, render_progress
from .tokenizer import ANSWER_END, CHARACTERS, build_char_tokenizer
from .train import build_base_model, gpt2_config, load_base_model

__all__ = [
    "ANSWER_END",
    "CHARACTERS",
    "DEFAULT_MAX_STEPS",
    "BaseModelConfig",
    "BuildProgress",
    "BuildReport",
    "TerminalProgress",
    "WrittenFile",
    "build_base_model",
    "build_char_tokenizer",
    "gpt2_config",
    "load_base_model",
    "render_progress",
]
