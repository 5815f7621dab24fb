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
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import Conflict
from core.heavy import worker_only
from core.leases import Lease, LeaseLost
from learning import reward
from learning.feedback.items import item_example, items_get
from learning.models import Feedback, RewardModel, RewardScore, RewardSignal, TargetType
from learning.reward.selection import choose
from learning.tasks import reward_model_train_task

log = logging.getLogger(__name__)
PAIRS_PER_RATER_ITEM = 20  # pairs one rated item takes part in, per rater: enough signal, no quadratic blow-up
TRAINING_LEASE = timedelta(minutes=10)  # renewed at each training step (seconds apart): only a dead worker's runs out
REWARD_MODEL_LEASE = Lease(
    model=RewardModel,
    fresh=(RewardModel.Status.PENDING,),
    held=(RewardModel.Status.TRAINING,),
    taken=RewardModel.Status.TRAINING,
    duration=TRAINING_LEASE,
)
_loaded: dict[tuple[int, str], reward.RewardModel] = {}
_loaded_guard = threading.Lock()


class NoRewardModel(LookupError):
    pass


def reward_model_active(name: str | None = None) -> RewardModel | None:
    return (
        RewardModel.objects.filter(name=name or settings.REWARD_MODEL_NAME, status=RewardModel.Status.READY)
        .order_by("-version")
        .first()
    )


def reward_model_create(*, name: str, source: str, source_detail: str = "") -> RewardModel:
    """A new pending version of `name`; the version number is taken under a unique constraint, so two
    trainings started together get two numbers."""
    for _ in range(5):
        latest = RewardModel.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                return RewardModel.objects.create(
                    name=name, version=latest + 1, source=source, source_detail=source_detail[:500]
                )
        except IntegrityError:
            continue
    raise RuntimeError(f"Could not take a version number for reward model {name!r}")


def _directory(row: RewardModel) -> Path:
    return Path(settings.REWARD_MODELS_DIR) / row.name / f"v{row.version}"


def _train_into(
    row: RewardModel, gather, *, config: reward.TrainConfig | None = None, tune=None, progress=None
) -> RewardModel:
    """Train the version `row` on gather() -> (pairs, points), exactly once. tune(pairs, points, step), if given,
    returns the config to train with and how it was chosen (kept in the metrics as "selection"); it runs inside
    the claim, so its steps renew the lease and a redelivered message does not repeat it.

    The version is claimed pending -> training with a lease that each step of training renews: a redelivered
    message finds it taken and does nothing, while a version whose worker died (lease run out) is taken over
    and trained by the next delivery."""
    claim = REWARD_MODEL_LEASE.claim(row.pk)
    if claim is None:
        row.refresh_from_db()
        return row

    def step(line: str) -> None:
        REWARD_MODEL_LEASE.renew(claim)  # raises LeaseLost: another run took the version over
        if progress:
            progress(line)

    directory = _directory(row)
    try:
        pairs, points = gather()
        config, selection = tune(pairs, points, step) if tune else (config, None)
        model, metrics = reward.train(pairs=pairs, points=points, config=config or reward.TrainConfig(), progress=step)
        if selection is not None:
            metrics["selection"] = selection
        if directory.exists():
            shutil.rmtree(directory)
        model.save(directory)
    except LeaseLost:
        row.refresh_from_db()
        return row
    except Exception as error:
        REWARD_MODEL_LEASE.finish(claim, RewardModel.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        raise
    REWARD_MODEL_LEASE.finish(
        claim,
        RewardModel.Status.READY,
        path=str(directory),
        metrics=metrics,
        finished_at=timezone.now(),
        train_pairs=metrics.get("train_pairs") or 0,
        train_points=metrics.get("train_points") or 0,
    )
    row.refresh_from_db()
    return row


def reward_model_train_pairs_file(
    *, path: str, name: str, config: reward.TrainConfig | None = None, select: bool = True, progress=None
) -> RewardModel:
    """Train a new version of `name` on a file of {"chosen", "rejected"} dialogues (held-out split inside).
    select: first choose the knobs by cross-validation on the file's pairs (learning.reward.selection, the inner
    procedure the benchmark nests), starting from `config`; the choice is kept in the version's metrics."""
    dialogues = reward.load_pairs(path)  # ValueError naming the line on a malformed file, before any row exists
    pairs = [
        (reward.example_from_dialogue(chosen), reward.example_from_dialogue(rejected)) for chosen, rejected in dialogues
    ]
    row = reward_model_create(name=name, source=RewardModel.Source.PAIRS_FILE, source_detail=str(path))

    def tune(pairs, points, step) -> tuple[reward.TrainConfig | None, dict]:  # None: _train_into's default
        return choose(pairs, config=config, progress=step) if select else (config, {"chosen_by": "given"})

    return _train_into(row, lambda: (pairs, []), config=config, tune=tune, progress=progress)


def feedback_training_data() -> tuple[list, list]:
    """Points: every rating, as (item, (rating - 3) / 2). Pairs: per rater, two items of one kind rated
    differently, the better one chosen (a rater's own scale cancels out)."""
    rows = cast(  # no rating is None: the filter leaves them out
        "list[tuple[int, str, str, int]]",
        list(
            Feedback.objects.filter(rating__isnull=False).values_list("rater_id", "target_type", "target_id", "rating")
        ),
    )
    items = items_get(sorted({(kind, ident) for _, kind, ident, _ in rows}))
    examples = {key: item_example(key[0], obj) for key, obj in items.items()}
    points = [
        (examples[(kind, ident)], (rating - 3) / 2) for _, kind, ident, rating in rows if (kind, ident) in examples
    ]
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
    ratings = Feedback.objects.filter(rating__isnull=False).count()
    if ratings < 2:
        raise Conflict(f"Too little feedback to train on: {ratings} ratings (at least 2)")
    row = reward_model_create(
        name=name or settings.REWARD_MODEL_NAME,
        source=RewardModel.Source.FEEDBACK,
        source_detail=f"{ratings} ratings when requested",
    )
    transaction.on_commit(lambda: reward_model_train_task.delay(row.pk))
    return row


@worker_only
def reward_model_train_from_feedback(*, model_pk: int) -> RewardModel:
    """The training queue's side of reward_model_train_request: gathers the feedback once it holds the claim."""
    row = RewardModel.objects.get(pk=model_pk)

    def gather():
        pairs, points = feedback_training_data()
        RewardModel.objects.filter(pk=row.pk).update(
            source_detail=f"{len(points)} ratings, {len(pairs)} preference pairs"
        )
        return pairs, points

    return _train_into(row, gather)


def scorer(row: RewardModel) -> reward.RewardModel:
    """The trained model of a version, loaded once per process."""
    with _loaded_guard:
        key = (row.pk, row.path)  # the path too: a test database may hand a pk out again
        if key not in _loaded:
            _loaded[key] = reward.RewardModel.load(Path(row.path))
        return _loaded[key]


def reward_model_evaluate_pairs(*, path: str, name: str) -> dict:
    row = reward_model_active(name)
    if row is None:
        raise NoRewardModel(f"No trained reward model named {name!r}: train one with reward_train first")
    dialogues = reward.load_pairs(path)
    pairs = [(reward.example_from_dialogue(c), reward.example_from_dialogue(r)) for c, r in dialogues]
    return {"pairs": len(pairs), "accuracy": round(reward.pairwise_accuracy(scorer(row), pairs), 4)}


SCORE_BATCH = 256  # items embedded and stored per step: MiniLM's memory stays small, a crash keeps what was done
LOOKUP_CHUNK = 2000  # ids per IN (...) query: under every database's limit on bound parameters


def _stored_scores(row: RewardModel, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[float, float]]:
    stored = {}
    for kind in {kind for kind, _ in keys}:
        idents = [ident for k, ident in keys if k == kind]
        for start in range(0, len(idents), LOOKUP_CHUNK):
            stored.update(
                {
                    (kind, ident): (mean, std)
                    for ident, mean, std in RewardScore.objects.filter(
                        model=row, target_type=kind, target_id__in=idents[start : start + LOOKUP_CHUNK]
                    ).values_list("target_id", "mean", "std")
                }
            )
    return stored


def _score_batch(row: RewardModel, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[float, float]]:
    """Score these items with the version `row` and store the scores (its cache: RewardScore rows are per version,
    so a new version scores everything anew and an old one's scores stay with it)."""
    items = items_get(keys)
    found = [key for key in keys if key in items]
    if not found:
        return {}
    means, stds = scorer(row).score([item_example(key[0], items[key]) for key in found])
    new = [
        RewardScore(model=row, target_type=k, target_id=i, mean=float(m), std=float(s))
        for (k, i), m, s in zip(found, means, stds)
    ]
    RewardScore.objects.bulk_create(new, ignore_conflicts=True)  # a parallel scorer's rows win; same model, same value
    return {(s.target_type, s.target_id): (s.mean, s.std) for s in new}


def items_score(
    keys: list[tuple[str, str]], *, row: RewardModel | None = None, compute_limit: int | None = None
) -> dict[tuple[str, str], tuple[float, float]]:
    """(mean, std) per item under the version `row` (default: the active one). Stored scores are reused; missing
    ones, up to compute_limit (None: all), are computed SCORE_BATCH at a time and stored. Empty without a trained
    model. Items that no longer exist are left out."""
    row = row or reward_model_active()
    if row is None or not keys:
        return {}
    keys = list(dict.fromkeys(keys))
    stored = _stored_scores(row, keys)
    missing = [key for key in keys if key not in stored][:compute_limit]
    for start in range(0, len(missing), SCORE_BATCH):
        stored.update(_score_batch(row, missing[start : start + SCORE_BATCH]))
    return {key: stored[key] for key in keys if key in stored}


def blended_reward(*, learned: float | None, feedback_reward: float | None, confidence: float = 0.0) -> float | None:
    """People's reward where they gave feedback, the learned model's elsewhere, blended by the confidence of the
    feedback (the originals' 0..1); None when neither is known."""
    if feedback_reward is None:
        return learned
    if learned is None:
        return feedback_reward
    return confidence * feedback_reward + (1 - confidence) * learned


class Rewards(dict):
    """Insight pk -> (reward in -1..1, people's confidence), plus what the learned part came from: `model` names
    the version that scored the unrated ones ("default v3"), None when there was none (people's ratings only,
    and `note` says why); `model_only` counts the insights whose reward is the model's alone."""

    def __init__(self, values: dict[int, tuple[float | None, float]], *, model: str | None, note: str, model_only: int):
        super().__init__(values)
        self.model, self.note, self.model_only = model, note, model_only


def insight_rewards(insight_pks: list[int] | None = None, *, score_missing: bool | None = None) -> Rewards:
    """The reward of the given insights (None: every one) that people rated or the current reward model scores:
    people's where they rated, blended with the model's by their confidence, the model's elsewhere. The one
    place datasets, the hobby policy and exports read it from.

    score_missing (default: yes for a list, no for every insight) scores the insights the current version has not
    scored yet, in batches, and keeps the scores per version: a second call reads them, a new version scores
    anew. Without a trained version (or with one whose files cannot be read) it is people's ratings only."""
    keys = None if insight_pks is None else [str(pk) for pk in dict.fromkeys(insight_pks)]
    score_missing = keys is not None if score_missing is None else score_missing
    signals = RewardSignal.objects.filter(target_type=TargetType.INSIGHT, feedback_count__gt=0)
    chunks = (
        [signals]
        if keys is None
        else [
            signals.filter(target_id__in=keys[start : start + LOOKUP_CHUNK])
            for start in range(0, len(keys), LOOKUP_CHUNK)
        ]
    )
    people = {
        int(ident): (value, confidence)
        for chunk in chunks
        for ident, value, confidence in chunk.values_list("target_id", "reward_score", "confidence")
    }
    active, learned, note = reward_model_active(), {}, ""
    if active is None:
        note = "no trained reward model: people's ratings only"
    elif keys is None:
        learned = {
            int(ident): mean
            for ident, mean in RewardScore.objects.filter(model=active, target_type=TargetType.INSIGHT).values_list(
                "target_id", "mean"
            )
        }
    else:
        try:
            scores = items_score(
                [(TargetType.INSIGHT, key) for key in keys], row=active, compute_limit=None if score_missing else 0
            )
        except ValueError as error:  # a ready version whose files are gone or damaged: say so, do not fail the caller
            log.error("Reward model %s v%s cannot score: %s", active.name, active.version, error)
            active, note = None, f"reward model unreadable ({error}): people's ratings only"
        else:
            learned = {int(ident): mean for (_, ident), (mean, _) in scores.items()}
    found = {}
    for pk in set(people) | set(learned):
        feedback_reward, confidence = people.get(pk, (None, 0.0))
        found[pk] = (
            blended_reward(learned=learned.get(pk), feedback_reward=feedback_reward, confidence=confidence),
            confidence,
        )
    return Rewards(
        found,
        model=f"{active.name} v{active.version}" if active is not None else None,
        note=note,
        model_only=len(set(learned) - set(people)),
    )


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
    return {
        "id": row.pk,
        "name": row.name,
        "version": row.version,
        "status": row.status,
        "source": row.source,
        "source_detail": row.source_detail,
        "metrics": row.metrics,
        "train_pairs": row.train_pairs,
        "train_points": row.train_points,
        "error": row.error,
        "created_at": row.created_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }
