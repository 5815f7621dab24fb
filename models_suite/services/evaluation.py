"""Evaluation runs: a model answers every item of a suite's split, each answer is graded and stored."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.heavy import worker_only
from models_suite.backends import Backend, BackendError, GenerationRequest
from models_suite.evaluation import Split, SuiteError, fingerprint, get_suite, grade
from models_suite.evaluation.fresh import split_items
from models_suite.host import HostError
from models_suite.models import EvalRun, ModelArtifact
from models_suite.services.hosting import model_in_use
from models_suite.tasks import eval_run_task

ANSWER_MAX_TOKENS = 24  # the longest reference answer of the built-in suites is under 20 characters
BATCH_SIZE = 64


class EvaluationError(Exception):
    """The evaluation cannot be started as asked; the message says why."""


def eval_run_create(
    *,
    model: ModelArtifact,
    suite: str,
    split: str = "heldout",
    limit: int | None = None,
    adapter: str = "",
    enqueue: bool = True,
) -> EvalRun:
    """A pending run, sent to the model's machine after commit (enqueue=False: the caller executes it)."""
    try:
        get_suite(suite)
    except SuiteError as exc:
        raise EvaluationError(str(exc)) from None
    if split not in {"train", "heldout"}:
        raise EvaluationError(f"split must be train or heldout, not {split!r}")
    if model.status != ModelArtifact.Status.AVAILABLE:
        raise EvaluationError(f"model {model.name} is {model.status}")
    run = EvalRun.objects.create(model=model, suite=suite, split=split, limit=limit, adapter=adapter)
    if enqueue:
        transaction.on_commit(lambda: eval_run_task.delay(eval_run_id=run.pk))
    return run


def _claim(eval_run_id: int) -> bool:
    """pending -> running, once: a redelivered message finds the row taken and does nothing."""
    return bool(
        EvalRun.objects.filter(pk=eval_run_id, status=EvalRun.Status.PENDING).update(
            status=EvalRun.Status.RUNNING, started_at=timezone.now(), machine=settings.MACHINE_NAME
        )
    )


@worker_only
def eval_run_execute(*, eval_run_id: int) -> EvalRun:
    if not _claim(eval_run_id):
        return EvalRun.objects.get(pk=eval_run_id)
    run = EvalRun.objects.select_related("model").get(pk=eval_run_id)
    items = split_items(get_suite(run.suite), cast(Split, run.split), run.limit)  # a choice of SPLIT_CHOICES
    results: list[dict[str, Any]]
    results, by_skill = [], defaultdict(list)
    try:
        with model_in_use(run.model, adapter=run.adapter) as backend:
            started = time.perf_counter()
            answers = answers_for(backend, [item.prompt for item in items])
            generation_seconds = time.perf_counter() - started
    except (BackendError, HostError) as exc:
        return _fail(run, f"{run.model.name}: {exc}")
    for item, answer in zip(items, answers):
        verdict = grade(item, answer)
        by_skill[item.skill].append(verdict.score)
        results.append(
            {
                "id": item.id,
                "skill": item.skill,
                "answer": answer,
                "expected": item.answer,
                "correct": verdict.correct,
                "score": verdict.score,
                "detail": verdict.detail,
            }
        )
    run.results = results
    run.item_count = len(results)
    run.correct_count = sum(r["correct"] for r in results)
    run.score = sum(r["score"] for r in results) / len(results) if results else None
    run.scores_by_skill = {skill: sum(s) / len(s) for skill, s in sorted(by_skill.items())}
    run.suite_fingerprint = fingerprint(items)
    run.generation_seconds = generation_seconds
    run.status, run.finished_at = EvalRun.Status.COMPLETED, timezone.now()
    run.save()
    return run


def answers_for(backend: Backend, prompts: list[str], *, max_tokens: int = ANSWER_MAX_TOKENS) -> list[str]:
    """Greedy one-line answers, batched where the backend can (local models), one by one otherwise. Answers of
    several parts (hobbies' creative and research items) ask for more tokens."""
    requests = [GenerationRequest(prompt=p, max_tokens=max_tokens, stop=["\n"]) for p in prompts]
    batch = getattr(backend, "generate_batch", None)
    if batch is None:
        return [backend.generate(request).text for request in requests]
    return [
        r.text for start in range(0, len(requests), BATCH_SIZE) for r in batch(requests[start : start + BATCH_SIZE])
    ]


def _fail(run: EvalRun, message: str) -> EvalRun:
    run.status, run.error, run.finished_at = EvalRun.Status.FAILED, message, timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return run
