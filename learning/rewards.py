"""The learned reward model, Django side: versions, training (from a pairs file or from people's feedback),
scoring the items people rate, and what it weighs in training data.

The model itself is pure code in learning/reward/; this module stores its versions and feeds it.
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import timedelta
from itertools import combinations
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from learning import reward
from learning.models import Feedback, RewardModel, RewardScore, RewardSignal, TargetType

log = logging.getLogger(__name__)
PAIRS_PER_RATER_ITEM = 20  # pairs one rated item takes part in, per rater: enough signal, no quadratic blow-up
TRAINING_LEASE = timedelta(minutes=10)  # renewed at each training step (seconds apart): only a dead worker's runs out
_loaded: dict[int, reward.RewardModel] = {}
_loaded_guard = threading.Lock()


class NoRewardModel(LookupError):
    pass


def reward_model_active(name: str | None = None) -> RewardModel | None:
    return (RewardModel.objects.filter(name=name or settings.REWARD_MODEL_NAME, status=RewardModel.Status.READY)
            .order_by("-version").first())


def reward_model_create(*, name: str, source: str, source_detail: str = "") -> RewardModel:
    """A new pending version of `name`; the version number is taken under a unique constraint, so two
    trainings started together get two numbers."""
    for _ in range(5):
        latest = RewardModel.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                return RewardModel.objects.create(name=name, version=latest + 1, source=source,
                                                  source_detail=source_detail[:500])
        except IntegrityError:
            continue
    raise RuntimeError(f"Could not take a version number for reward model {name!r}")


def _directory(row: RewardModel) -> Path:
    return Path(settings.REWARD_MODELS_DIR) / row.name / f"v{row.version}"


def _train_into(row: RewardModel, gather, *, config: reward.TrainConfig | None = None,
                progress=None) -> RewardModel:
    """Train the version `row` on gather() -> (pairs, points), exactly once.

    The version is claimed pending -> training with a lease that each step of training renews: a redelivered
    message finds it taken and does nothing, while a version whose worker died (lease run out) is taken over
    and trained by the next delivery."""
    now = timezone.now()
    claimable = Q(status=RewardModel.Status.PENDING) | Q(status=RewardModel.Status.TRAINING, lease_until__lt=now)
    if not RewardModel.objects.filter(claimable, pk=row.pk).update(status=RewardModel.Status.TRAINING,
                                                                   lease_until=now + TRAINING_LEASE):
        row.refresh_from_db()
        return row

    def step(line: str) -> None:
        RewardModel.objects.filter(pk=row.pk, status=RewardModel.Status.TRAINING).update(
            lease_until=timezone.now() + TRAINING_LEASE)
        if progress:
            progress(line)

    directory = _directory(row)
    try:
        pairs, points = gather()
        model, metrics = reward.train(pairs=pairs, points=points, config=config or reward.TrainConfig(),
                                      progress=step)
        if directory.exists():
            shutil.rmtree(directory)
        model.save(directory)
    except Exception as error:
        RewardModel.objects.filter(pk=row.pk).update(status=RewardModel.Status.FAILED, error=str(error)[:2000],
                                                     finished_at=timezone.now(), lease_until=None)
        raise
    RewardModel.objects.filter(pk=row.pk).update(
        status=RewardModel.Status.READY, path=str(directory), metrics=metrics, finished_at=timezone.now(),
        train_pairs=metrics.get("train_pairs") or 0, train_points=metrics.get("train_points") or 0,
        lease_until=None)
    row.refresh_from_db()
    return row


def reward_model_train_pairs_file(*, path: str, name: str, config: reward.TrainConfig | None = None,
                                  progress=None) -> RewardModel:
    """Train a new version of `name` on a file of {"chosen", "rejected"} dialogues (held-out split inside)."""
    dialogues = reward.load_pairs(path)  # ValueError naming the line on a malformed file, before any row exists
    pairs = [(reward.example_from_dialogue(chosen), reward.example_from_dialogue(rejected))
             for chosen, rejected in dialogues]
    row = reward_model_create(name=name, source=RewardModel.Source.PAIRS_FILE, source_detail=str(path))
    return _train_into(row, lambda: (pairs, []), config=config, progress=progress)


def feedback_training_data() -> tuple[list, list]:
    """Points: every rating, as (item, (rating - 3) / 2). Pairs: per rater, two items of one kind rated
    differently, the better one chosen (a rater's own scale cancels out)."""
    from learning.items import item_example, items_get

    rows = list(Feedback.objects.filter(rating__isnull=False).values_list("rater_id", "target_type", "target_id",
                                                                          "rating"))
    items = items_get(sorted({(kind, ident) for _, kind, ident, _ in rows}))
    examples = {key: item_example(key[0], obj) for key, obj in items.items()}
    points = [(examples[(kind, ident)], (rating - 3) / 2) for _, kind, ident, rating in rows
              if (kind, ident) in examples]
    by_rater: dict[tuple[int, str], list[tuple[int, tuple]]] = {}
    for rater, kind, ident, rating in rows:
        if (kind, ident) in examples:
            by_rater.setdefault((rater, kind), []).append((rating, (kind, ident)))
    pairs = []
    for rated in by_rater.values():
        used: dict[tuple, int] = {}
        for (rating_a, a), (rating_b, b) in combinations(sorted(rated, reverse=True), 2):
            if rating_a > rating_b and used.get(a, 0) < PAIRS_PER_RATER_ITEM and used.get(b, 0) < PAIRS_PER_RATER_ITEM:
                pairs.append((examples[a], examples[b]))
                used[a], used[b] = used.get(a, 0) + 1, used.get(b, 0) + 1
    return pairs, points


def reward_model_train_request(*, name: str | None = None) -> RewardModel:
    """A new version trained from people's feedback by a worker on the training queue (409 with fewer than two
    ratings: nothing to learn from)."""
    from learning.tasks import reward_model_train_task

    ratings = Feedback.objects.filter(rating__isnull=False).count()
    if ratings < 2:
        from core.errors import Conflict

        raise Conflict(f"Too little feedback to train on: {ratings} ratings (at least 2)")
    row = reward_model_create(name=name or settings.REWARD_MODEL_NAME, source=RewardModel.Source.FEEDBACK,
                              source_detail=f"{ratings} ratings when requested")
    transaction.on_commit(lambda: reward_model_train_task.delay(row.pk))
    return row


def reward_model_train_from_feedback(*, model_pk: int) -> RewardModel:
    """The training queue's side of reward_model_train_request: gathers the feedback once it holds the claim."""
    row = RewardModel.objects.get(pk=model_pk)

    def gather():
        pairs, points = feedback_training_data()
        RewardModel.objects.filter(pk=row.pk).update(
            source_detail=f"{len(points)} ratings, {len(pairs)} preference pairs")
        return pairs, points

    return _train_into(row, gather)


def scorer(row: RewardModel) -> reward.RewardModel:
    """The trained model of a version, loaded once per process."""
    with _loaded_guard:
        if row.pk not in _loaded:
            _loaded[row.pk] = reward.RewardModel.load(Path(row.path))
        return _loaded[row.pk]


def reward_model_evaluate_pairs(*, path: str, name: str) -> dict:
    row = reward_model_active(name)
    if row is None:
        raise NoRewardModel(f"No trained reward model named {name!r}: train one with reward_train first")
    dialogues = reward.load_pairs(path)
    pairs = [(reward.example_from_dialogue(c), reward.example_from_dialogue(r)) for c, r in dialogues]
    return {"pairs": len(pairs), "accuracy": round(reward.pairwise_accuracy(scorer(row), pairs), 4)}


def items_score(keys: list[tuple[str, str]], *, row: RewardModel | None = None,
                compute_limit: int | None = None) -> dict[tuple[str, str], tuple[float, float]]:
    """(mean, std) per item under the active model; stored predictions are reused, up to compute_limit new
    ones are computed and stored. Empty without a trained model."""
    row = row or reward_model_active()
    if row is None or not keys:
        return {}
    from learning.items import item_example, items_get

    kinds = {kind for kind, _ in keys}
    stored = {(s.target_type, s.target_id): (s.mean, s.std) for s in RewardScore.objects.filter(
        model=row, target_type__in=kinds, target_id__in=[ident for _, ident in keys])}
    missing = [key for key in keys if key not in stored][:compute_limit]
    if missing:
        items = items_get(missing)
        found = [key for key in missing if key in items]
        if found:
            means, stds = scorer(row).score([item_example(key[0], items[key]) for key in found])
            new = [RewardScore(model=row, target_type=k, target_id=i, mean=float(m), std=float(s))
                   for (k, i), m, s in zip(found, means, stds)]
            RewardScore.objects.bulk_create(new, ignore_conflicts=True)
            stored.update({(s.target_type, s.target_id): (s.mean, s.std) for s in new})
    return {key: stored[key] for key in keys if key in stored}


def blended_reward(*, learned: float | None, feedback_reward: float | None, confidence: float = 0.0) -> float | None:
    """People's reward where they gave feedback, the learned model's elsewhere, blended by the confidence of the
    feedback (the originals' 0..1); None when neither is known."""
    if feedback_reward is None:
        return learned
    if learned is None:
        return feedback_reward
    return confidence * feedback_reward + (1 - confidence) * learned


def insight_rewards(insight_pks: list[int] | None = None) -> dict[int, tuple[float, float]]:
    """Insight pk -> (blended reward in -1..1, people's confidence) for the given insights (None: every one)
    that people rated or the active model scored; the one place exports and the hobby policy read it from."""
    keys = None if insight_pks is None else [str(pk) for pk in insight_pks]
    signals = RewardSignal.objects.filter(target_type=TargetType.INSIGHT, feedback_count__gt=0)
    people = {int(ident): (value, confidence) for ident, value, confidence in (
        signals if keys is None else signals.filter(target_id__in=keys)).values_list(
        "target_id", "reward_score", "confidence")}
    active, learned = reward_model_active(), {}
    if active is not None:
        scores = RewardScore.objects.filter(model=active, target_type=TargetType.INSIGHT)
        learned = {int(ident): mean for ident, mean in (
            scores if keys is None else scores.filter(target_id__in=keys)).values_list("target_id", "mean")}
    found = {}
    for pk in set(people) | set(learned):
        feedback_reward, confidence = people.get(pk, (None, 0.0))
        found[pk] = (blended_reward(learned=learned.get(pk), feedback_reward=feedback_reward,
                                    confidence=confidence), confidence)
    return found


def training_weight(reward_value: float | None, *, threshold: float = 0.0) -> float:
    """How much one training example counts; 0 drops it. Unknown reward: 1 (neither favoured nor dropped). At or
    below `threshold`: dropped. Above it, from 0.5 to 1.5 with the reward, so good examples count more without
    letting one dominate a batch."""
    if reward_value is None:
        return 1.0
    return 0.0 if reward_value <= threshold else round(1.0 + reward_value / 2, 4)


def reward_model_stats() -> dict:
    """For GET /hobby/reward/model: the active version, its held-out metrics, and every version."""
    active = reward_model_active()
    versions = list(RewardModel.objects.order_by("name", "-version")[:50])
    return {
        "active": version_shape(active) if active else None,
        "name": settings.REWARD_MODEL_NAME,
        "features": active.metrics.get("features") if active else None,
        "scored_items": RewardScore.objects.filter(model=active).count() if active else 0,
        "targets": TargetType.values,
        "versions": [version_shape(v) for v in versions],
    }


def version_shape(row: RewardModel) -> dict:
    return {"id": row.pk, "name": row.name, "version": row.version, "status": row.status, "source": row.source,
            "source_detail": row.source_detail, "metrics": row.metrics, "train_pairs": row.train_pairs,
            "train_points": row.train_points, "error": row.error, "created_at": row.created_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None}
