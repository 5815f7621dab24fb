"""LoRA training datasets: gathered from what the hobby engine graded, versioned, sealed, exported.

Examples come from completed practice activities, from their train-split items only: a correct attempt teaches
the model's own answer, a failed one the grader's reference answer. Insights join when their reward (people's,
blended with the learned model's; the current reward model's alone for an insight nobody rated) passes a
threshold, weighted by it. A held-out item can never enter: the activity must be a practice (train) activity,
the item id must name the train split, and the prompt must not be any built-in suite's held-out prompt (the last
catches a row mislabelled by hand or by a bug); the files are sealed with a sha256 that every reader checks.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from core.heavy import worker_only
from hobbies.models import Activity, Attempt, Insight
from learning.feedback.exports import insight_prompt
from learning.feedback.reward_models import insight_rewards, training_weight
from learning.models import TrainingDataset
from learning.training.examples import (
    FORMATS,
    TrainingExample,
    as_format,
    counts_by,
    deduplicate,
    from_record,
    quality_score,
    split,
    with_replay,
)
from models_suite.evaluation.suites import builtin_suites

FILES = ("train.jsonl", "validation.jsonl")


class DatasetError(ValueError):
    """Bad parameters or a damaged dataset: said plainly, nothing written."""


class TooFewExamples(DatasetError):
    """Fewer examples than asked for: nothing is written (the originals' 400 under 10 examples)."""

    def __init__(self, count: int, wanted: int, stats: dict):
        self.count, self.wanted, self.stats = count, wanted, stats
        super().__init__(f"Only {count} training examples (at least {wanted} are needed): practise more first")


@cache
def heldout_prompts() -> frozenset[str]:
    """Every held-out prompt of every built-in evaluation suite (what proficiency and A/B are measured on)."""
    return frozenset(item.prompt for suite in builtin_suites().values() for item in suite.items("heldout"))


def is_train_item(item_id: str, prompt: str) -> bool:
    """The item is from a train split and its prompt is no held-out prompt."""
    parts = item_id.split("/")
    return len(parts) >= 3 and parts[1] == "train" and prompt not in heldout_prompts()


def training_examples(
    *, since, skill: str = "", model_name: str = "", min_quality: float = 0.6, reward_threshold: float = 0.3
) -> tuple[list[TrainingExample], dict]:
    """Every candidate example of practice activities completed since `since`, in a stable order, and the
    counts of what was refused (held out), dropped (quality, reward) and kept, per reason."""
    activities = Activity.objects.filter(status=Activity.Status.COMPLETED, split="train", completed_at__gte=since)
    if model_name:
        activities = activities.filter(model_name=model_name)
    insight_counts = dict(activities.annotate(n=Count("insights")).values_list("pk", "n"))
    stats: dict[str, Any] = {
        "activities": len(insight_counts),
        "attempts": 0,
        "heldout_refused": 0,
        "low_quality": 0,
        "insights": 0,
        "insights_low_reward": 0,
    }
    examples: list[TrainingExample] = []
    attempts = (
        Attempt.objects.filter(activity__in=activities)
        .select_related("activity")
        .order_by("activity__completed_at", "id")
    )
    for attempt in attempts.iterator(chunk_size=2000):
        stats["attempts"] += 1
        if not is_train_item(attempt.item_id, attempt.prompt):
            stats["heldout_refused"] += 1
            continue
        activity = attempt.activity
        completion = attempt.answer if attempt.correct else attempt.expected
        quality = quality_score(
            completion,
            free_text=False,
            completed=True,
            difficulty=None if activity.score is None else 1 - activity.score,
            insight_count=insight_counts.get(activity.pk, 0),
        )
        if quality < min_quality or not completion.strip():
            stats["low_quality"] += 1
            continue
        examples.append(
            TrainingExample(
                prompt=attempt.prompt,
                completion=completion.strip(),
                skill=attempt.skill,
                source="attempt" if attempt.correct else "reference",
                item_id=attempt.item_id,
                quality=quality,
            )
        )
    insights = list(Insight.objects.filter(activity__in=activities).select_related("activity").order_by("id"))
    # Every candidate insight gets a reward: people's where they rated it, else the current reward model's
    # (scored here in batches if that version has not scored it yet); the stats name the version, or say none.
    rewards = insight_rewards([insight.pk for insight in insights])
    stats.update(reward_model=rewards.model, insights_model_rewarded=rewards.model_only)
    if rewards.note:
        stats["reward_note"] = rewards.note
    for insight in insights:
        stats["insights"] += 1
        reward, _ = rewards.get(insight.pk, (None, 0.0))
        weight = 0.0 if reward is None else training_weight(reward, threshold=reward_threshold)
        if weight == 0.0:  # unrated insights are not evidence of anything good
            stats["insights_low_reward"] += 1
            continue
        activity = insight.activity
        quality = quality_score(
            insight.text,
            free_text=True,
            completed=True,
            difficulty=None if activity.score is None else 1 - activity.score,
            insight_count=insight_counts.get(activity.pk, 0),
        )
        if quality < min_quality:
            stats["low_quality"] += 1
            continue
        examples.append(
            TrainingExample(
                prompt=insight_prompt(insight),
                completion=insight.text.strip(),
                skill=insight.skill,
                source="insight",
                weight=weight,
                quality=quality,
            )
        )
    if skill:
        stats["skill_examples"] = sum(example.skill == skill for example in examples)
    return examples, stats


def candidates_at_most(*, days_back: int, model_name: str = "") -> int:
    """An upper bound on the examples dataset_build could find: every attempt and insight of completed practice in
    the window, before any filter. Two COUNT queries, so a request can refuse too little data at once (the
    originals' 400) and leave the real build, which scores insights with the reward model, to a worker."""
    activities = Activity.objects.filter(
        status=Activity.Status.COMPLETED, split="train", completed_at__gte=timezone.now() - timedelta(days=days_back)
    )
    if model_name:
        activities = activities.filter(model_name=model_name)
    return (
        Attempt.objects.filter(activity__in=activities).count()
        + Insight.objects.filter(activity__in=activities).count()
    )


@worker_only
def dataset_build(
    *,
    days_back: int = 30,
    min_quality: float = 0.6,
    reward_threshold: float = 0.3,
    skill: str = "",
    replay_share: float = 0.2,
    validation_share: float = 0.1,
    seed: int = 0,
    model_name: str = "",
    min_examples: int = 0,
    replay_weights: dict[str, float] | None = None,
) -> TrainingDataset:
    """Gather, filter, deduplicate, focus (with replay of other skills) and split; write the files, then the row.
    A failure, or fewer than min_examples examples, leaves neither files nor row."""
    params = {
        "days_back": days_back,
        "min_quality": min_quality,
        "reward_threshold": reward_threshold,
        "skill": skill,
        "replay_share": replay_share,
        "validation_share": validation_share,
        "seed": seed,
        "model_name": model_name,
        "replay_weights": replay_weights,
    }
    if not 1 <= days_back <= 3650:
        raise DatasetError(f"days_back must be 1 to 3650, got {days_back}")
    examples, stats = training_examples(
        since=timezone.now() - timedelta(days=days_back),
        skill=skill,
        model_name=model_name,
        min_quality=min_quality,
        reward_threshold=reward_threshold,
    )
    unique = deduplicate(examples)
    stats.update(candidates=len(examples), exact_duplicates=unique.exact, near_duplicates=unique.near)
    kept = unique.kept
    if skill:
        focus = [example for example in kept if example.skill == skill]
        kept = with_replay(
            focus,
            [example for example in kept if example.skill != skill],
            share=replay_share,
            seed=seed,
            weights=replay_weights,
        )
    if len(kept) < min_examples:
        raise TooFewExamples(len(kept), min_examples, stats)
    train, validation = split(kept, validation_share=validation_share, seed=seed)
    stats.update(by_source=counts_by(kept, "source"), by_skill=counts_by(kept, "skill"))

    root = Path(settings.DATASETS_DIR)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        digest = hashlib.sha256()
        for name, rows in zip(FILES, (train, validation)):
            data = "".join(json.dumps(as_format(row, "jsonl"), ensure_ascii=False) + "\n" for row in rows).encode()
            (staging / name).write_bytes(data)
            digest.update(data)
        for _ in range(5):
            try:
                with transaction.atomic():
                    version = (TrainingDataset.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                    final = root / f"v{version}"
                    row = TrainingDataset.objects.create(
                        version=version,
                        skill=skill,
                        params=params,
                        stats=stats,
                        train_count=len(train),
                        validation_count=len(validation),
                        path=str(final),
                        sha256=digest.hexdigest(),
                    )
                    (staging / "dataset.json").write_text(
                        json.dumps(
                            {"version": version, "params": params, "stats": stats, "sha256": row.sha256}, indent=2
                        )
                    )
                    if final.exists():  # left by a build whose row was rolled back: not a dataset
                        shutil.rmtree(final)
                    staging.rename(final)
                return row
            except IntegrityError:
                continue  # another build took that version number
        raise DatasetError("Could not take a dataset version number")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def dataset_parts(dataset: TrainingDataset) -> tuple[list[TrainingExample], list[TrainingExample]]:
    """(train, validation), after checking the files are the ones sealed at build time (read once)."""
    directory = Path(dataset.path)
    try:
        contents = [(directory / name).read_bytes() for name in FILES]
    except OSError as error:
        raise DatasetError(f"Dataset v{dataset.version} is missing its files: {error}") from None
    if hashlib.sha256(b"".join(contents)).hexdigest() != dataset.sha256:
        raise DatasetError(f"Dataset v{dataset.version} does not match its sha256: its files were changed")
    train, validation = (
        [from_record(json.loads(line)) for line in data.decode().splitlines() if line.strip()] for data in contents
    )
    return train, validation


def dataset_examples(dataset: TrainingDataset, part: str = "train") -> list[TrainingExample]:
    """The examples of one part, checked against the seal."""
    if part not in ("train", "validation"):
        raise DatasetError(f"part must be train or validation, got {part!r}")
    train, validation = dataset_parts(dataset)
    return train if part == "train" else validation


def dataset_export_lines(dataset: TrainingDataset, *, kind: str, part: str = "train") -> Iterator[str]:
    if kind not in FORMATS:
        raise DatasetError(f"Unknown format {kind!r}: one of {', '.join(FORMATS)}")
    for example in dataset_examples(dataset, part):
        yield json.dumps(as_format(example, kind), ensure_ascii=False) + "\n"
