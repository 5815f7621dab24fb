"""The built-in base model: built offline from the suites' train splits, registered, and measured."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from models_suite.builtin import BaseModelConfig, BuildReport, build_base_model
from models_suite.evaluation import builtin_suites, pretraining_pairs
from models_suite.models import EvalRun, ModelArtifact
from models_suite.services.evaluation import eval_run_create, eval_run_execute
from models_suite.services.registry import model_register_local

BUILTIN_NAME = "builtin-base"
PROFILES = {
    "default": BaseModelConfig(),
    # For tests and smoke checks: seconds, not minutes, and no claim to skill.
    "tiny": BaseModelConfig(n_layer=1, n_embd=32, n_head=2, max_steps=20, batch_size=8, log_every=10),
}


def builtin_model_dir() -> Path:
    return settings.VAR_DIR / "models" / BUILTIN_NAME


def builtin_model_present(out_dir: Path | None = None) -> bool:
    directory = out_dir or builtin_model_dir()
    artifact = ModelArtifact.objects.filter(name=BUILTIN_NAME, builtin=True).first()
    return bool(artifact and Path(artifact.path) == directory.resolve() and (directory / "config.json").exists())


def builtin_model_build(
    *, config: BaseModelConfig, out_dir: Path | None = None, progress=None
) -> tuple[ModelArtifact, BuildReport]:
    """Train on every built-in suite's train split (never held-out items), then register the result."""
    directory = out_dir or builtin_model_dir()
    report = build_base_model(config, pretraining_pairs(), directory, progress=progress)
    artifact = model_register_local(path=directory, name=BUILTIN_NAME, builtin=True)
    return artifact, report


def builtin_model_measure(*, artifact: ModelArtifact, limit: int | None = None) -> list[EvalRun]:
    """Held-out score of every suite whose prompts fit the model's context, run here and stored."""
    runs = []
    for name, suite in builtin_suites().items():
        if suite.max_chars is None or suite.max_chars >= artifact.context_length:
            continue  # e.g. code: its prompts are longer than a 64-character model can read
        run = eval_run_create(model=artifact, suite=name, split="heldout", limit=limit, enqueue=False)
        runs.append(eval_run_execute(eval_run_id=run.pk))
    return runs
