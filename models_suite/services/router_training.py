"""Training the learned router from graded attempts, and versioning what it learned.

Graded attempts come from this app's evaluation runs (each item of a completed run: the model, the item's prompt
regenerated from its suite, whether the answer was right) and from sources higher apps register in their
AppConfig.ready() (hobbies registers its practice attempts). A new version is trained when the attempts grew by
GROWTH since the last one (the beat task asks every hour) or when an operator asks.

Each version is measured on a fifth of the attempts held out by the prompt's hash (the same prompt never sits on
both sides): per candidate, accuracy of its right/wrong prediction, Brier score, and the base rate to compare.
Its regularisation strength is chosen per candidate inside the other four fifths (choose_strengths).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from statistics import mean
from typing import cast

from django.db import IntegrityError, transaction

from core.errors import Conflict
from models_suite.evaluation.base import Split
from models_suite.evaluation.fresh import split_items
from models_suite.evaluation.suites import get_suite
from models_suite.models import EvalRun, RouterModel
from models_suite.routing.learned import MIN_ATTEMPTS, GradedAttempt, LearnedRouter, train_learned_router
from models_suite.services.adapter_resolution import candidate_name

# The regularisation strengths (C, inverse L2) a version chooses among, per candidate: stronger regularisation for
# few or noisy attempts, weaker where the request's wording says much (the benchmark's choice moved from 1 to 16
# with the learning loop's champion, bench/bench_router_learned.py).
STRENGTHS = (0.25, 1.0, 4.0, 16.0)
GROWTH = 1.2  # retrain when there are 20 % more graded attempts than the last version saw
MAX_ATTEMPTS_PER_SOURCE = 50_000  # the newest ones: what the models answer now

AttemptSource = Callable[[int], Iterable[GradedAttempt]]
_sources: list[AttemptSource] = []


def graded_attempts_source_register(source: AttemptSource) -> None:
    """A higher app's graded attempts (called with a limit); registered once per source."""
    if source not in _sources:
        _sources.append(source)


def eval_run_attempts(limit: int) -> Iterable[GradedAttempt]:
    """Items of completed evaluation runs, under the candidate that answered: the bare model's name, or
    "<model>:<adapter id>" for a registered adapter's run (a route's "<model>:champion" is looked up by the id
    the alias names when it decides). Runs of directories nobody registered name no candidate and are left out."""
    count = 0
    names: dict[tuple[int, str], str | None] = {}
    runs = EvalRun.objects.filter(status=EvalRun.Status.COMPLETED).select_related("model")
    for run in runs.order_by("-finished_at").iterator():
        key = (run.model_id, run.adapter)
        if key not in names:
            names[key] = candidate_name(run.model, run.adapter)
        candidate = names[key]
        if candidate is None:
            continue
        try:
            items = split_items(get_suite(run.suite), cast(Split, run.split), run.limit)  # a choice of SPLIT_CHOICES
            prompts = {item.id: item.prompt for item in items}
        except Exception:  # noqa: BLE001 - a suite since removed or changed: its runs say nothing usable
            continue
        for result in run.results:
            prompt = prompts.get(result.get("id"))
            if prompt is None:
                continue
            yield GradedAttempt(candidate=candidate, prompt=prompt, correct=bool(result.get("correct")))
            count += 1
            if count >= limit:
                return


def graded_attempts() -> list[GradedAttempt]:
    attempts = list(eval_run_attempts(MAX_ATTEMPTS_PER_SOURCE))
    for source in _sources:
        attempts.extend(source(MAX_ATTEMPTS_PER_SOURCE))
    return attempts


def _held_out(prompt: str) -> bool:
    return hashlib.sha256(prompt.encode()).digest()[0] < 256 // 5


def evaluate(router: LearnedRouter, attempts: list[GradedAttempt]) -> dict:
    by_candidate: dict[str, list[GradedAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_candidate[attempt.candidate].append(attempt)
    report = {}
    for candidate, rows in sorted(by_candidate.items()):
        if candidate not in router.models:
            continue
        chances = [router.chances(r.prompt, [candidate])[candidate] for r in rows]
        truth = [1.0 if r.correct else 0.0 for r in rows]
        base = mean(truth)
        report[candidate] = {
            "attempts": len(rows),
            "right_rate": round(base, 4),
            "accuracy": round(mean((c >= 0.5) == (t == 1.0) for c, t in zip(chances, truth)), 4),
            "majority_accuracy": round(max(base, 1 - base), 4),
            "brier": round(mean((c - t) ** 2 for c, t in zip(chances, truth)), 4),
            "base_rate_brier": round(mean((base - t) ** 2 for t in truth), 4),
        }
    return report


def _validation(prompt: str) -> bool:
    # Another byte of the hash than _held_out's: a fifth of the training attempts, where the strength is chosen.
    return hashlib.sha256(prompt.encode()).digest()[1] < 256 // 5


def choose_strengths(train: list[GradedAttempt]) -> dict[str, dict]:
    """Per candidate the regularisation strength C (of STRENGTHS) whose router, trained on four fifths of `train`,
    predicts the other fifth best (the lowest Brier score): {candidate: {"c", "validation_brier": {C: score}}}.
    Chosen inside the training attempts, so the version's own measurement (evaluate on the held-out fifth) stays
    a measurement. A candidate with too few attempts on either side keeps C = 1."""
    fit = [a for a in train if not _validation(a.prompt)]
    check = [a for a in train if _validation(a.prompt)]
    scores: dict[str, dict[float, float]] = defaultdict(dict)
    for c in STRENGTHS:
        for candidate, figures in evaluate(train_learned_router(fit, c=c), check).items():
            scores[candidate][c] = figures["brier"]
    return {
        candidate: {
            "c": min(by_c, key=lambda c: (by_c[c], abs(math.log(c)))),
            "validation_brier": {str(c): b for c, b in by_c.items()},
        }
        for candidate, by_c in scores.items()
        if len(by_c) == len(STRENGTHS) and sum(a.candidate == candidate for a in check) >= MIN_ATTEMPTS
    }


def router_train(*, force: bool = False) -> RouterModel | None:
    """A new version from every graded attempt; None when the attempts did not grow enough (unless forced)."""
    attempts = graded_attempts()
    latest = RouterModel.objects.order_by("-version").first()
    if not force and latest is not None and len(attempts) < latest.attempt_count * GROWTH:
        return None
    started = time.perf_counter()
    train = [a for a in attempts if not _held_out(a.prompt)]
    held = [a for a in attempts if _held_out(a.prompt)]
    strengths = choose_strengths(train)
    router = train_learned_router(train, c={candidate: chosen["c"] for candidate, chosen in strengths.items()})
    if len(router.models) < 2:
        raise Conflict(
            f"The learned router needs at least {MIN_ATTEMPTS} graded attempts of two candidates; it has "
            f"{len(attempts)} in all ({', '.join(sorted({a.candidate for a in attempts})) or 'none'}). Evaluation "
            "runs and practice record them.",
            code="too_few_attempts",
        )
    evaluation = {
        candidate: {**figures, "strength": strengths.get(candidate, {"c": 1.0, "validation_brier": {}})}
        for candidate, figures in evaluate(router, held).items()
    }
    seconds = time.perf_counter() - started
    try:
        with transaction.atomic():
            version = (latest.version if latest else 0) + 1
            return RouterModel.objects.create(
                version=version,
                attempt_count=len(attempts),
                attempts_by_candidate=router.attempts,
                evaluation=evaluation,
                weights=router.to_dict(),
                trained_seconds=round(seconds, 3),
            )
    except IntegrityError:  # another process stored this version number first: its version stands
        return RouterModel.objects.order_by("-version").first()
