"""What the LoRA job and adapter tests share: graded train-split practice for a dataset, a tiny trainable model
registered like any local model, a quick training config, and adapters registered without training."""

from __future__ import annotations

import secrets

import pytest

from hobbies.models import Activity, Attempt
from models_suite.evaluation.suites import get_suite
from models_suite.services.registry import model_register
from tests.hobbies.metrics_factories import started
from tests.models_suite.tiny_models import build_tiny_adapter, build_tiny_model

# Seconds on a CPU: 20 steps of a one-layer model, a checkpoint every 5, progress every 5.
QUICK = {
    "r": 4,
    "alpha": 8,
    "dropout": 0.0,
    "learning_rate": 1e-2,
    "batch_size": 2,
    "max_steps": 20,
    "warmup_steps": 2,
    "save_steps": 5,
    "logging_steps": 5,
}


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("lora-base") / "tiny", n_ctx=48, initializer_range=0.5)


@pytest.fixture
def tiny(db, tiny_dir):
    """The tiny transformers model, registered (kind "hf") under the name "tiny-lora"."""
    return model_register(target=str(tiny_dir), name="tiny-lora")


@pytest.fixture
def lora_dirs(settings, tmp_path):
    settings.TRAINING_DIR = tmp_path / "training"
    settings.ADAPTERS_DIR = tmp_path / "adapters"
    settings.DATASETS_DIR = tmp_path / "datasets"
    return settings


def practised(count: int, *, suite: str = "sorting", start: int = 0) -> Activity:
    """A completed train-split activity that answered `count` distinct suite items, every one right."""
    items = get_suite(suite).items("train", limit=start + count)[start:]
    activity = started(hobby_type="SKILL_PRACTICE")
    for item in items:
        Attempt.objects.create(
            activity=activity,
            item_id=item.id,
            skill=item.skill,
            prompt=item.prompt,
            expected=item.answer,
            answer=item.answer,
            correct=True,
            score=1.0,
        )
    Activity.objects.filter(pk=activity.pk).update(
        status="completed", split="train", score=0.5, completed_at=activity.started_at
    )
    return activity


def dirs_empty(settings) -> bool:
    """Nothing under the datasets, training and adapters folders (missing counts as empty)."""
    return not any(
        path.exists() and any(path.iterdir())
        for path in (settings.DATASETS_DIR, settings.TRAINING_DIR, settings.ADAPTERS_DIR)
    )


def finished_job(base, *, hobby_type: str = ""):
    """A TrainingJob row that says it finished (its dataset a bare row): what adapter_register needs."""
    from learning.models import TrainingDataset, TrainingJob

    version = (TrainingDataset.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    dataset = TrainingDataset.objects.create(
        version=version, path=f"/nowhere/v{version}", sha256="0" * 64, train_count=12
    )
    return TrainingJob.objects.create(
        job_id=f"job_{secrets.token_hex(4)}",
        base_model=base,
        dataset=dataset,
        hobby_type=hobby_type,
        status="completed",
        config=dict(QUICK),
    )


def registered(base, tmp_path, *, seed: int = 1, hobby_type: str = "", metrics: dict | None = None):
    """An adapter trained by nobody (random LoRA weights), registered through adapter_register."""
    from learning.loop.adapters import adapter_register

    trained = build_tiny_adapter(base.path, tmp_path / f"trained-{secrets.token_hex(3)}", seed=seed)
    return adapter_register(
        job=finished_job(base, hobby_type=hobby_type),
        trained_dir=trained,
        metrics=metrics or {"validation_loss": 1.0 + seed},
    )
