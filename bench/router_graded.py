"""Graded attempts of the built-in model and of a remote model that knows every answer, on the suites' items:
what bench_router_learned.py trains and measures the learned router on, and router_learned_ceiling.py reads.

setup() registers both models on the scratch database the caller opened (the remote one is a FakeCloud server on
loopback that answers each item's true answer); graded() has both answer a split through evaluation runs, and
graded_heldout() the held-out items the learned route is measured and tuned on.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SUITES = ("arithmetic", "sequences", "sorting", "string_transform", "json_extraction", "tool_use")
TRAIN_PER_SUITE, HELDOUT_PER_SUITE = 500, 100
VALIDATION_PER_SUITE = 200  # held-out items past the measured ones: where an operating point is chosen

logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per remote answer would drown the output


def setup(model_dir: str):
    """(the local model, the remote one, the cloud server to close)."""
    from models_suite.evaluation.fresh import split_items
    from models_suite.evaluation.suites import get_suite
    from models_suite.services.builtin import BUILTIN_NAME
    from models_suite.services.registry import model_register, model_register_local
    from tests.models_suite.fake_cloud import FakeCloud

    os.environ["ORACLE_KEY"] = "sk-oracle"
    cloud = FakeCloud(model="oracle", api_key="sk-oracle")
    cloud.answers = {
        item.prompt: item.answer
        for suite in SUITES
        for split, limit in (("train", TRAIN_PER_SUITE), ("heldout", _heldout_reach(suite)))
        for item in split_items(get_suite(suite), split, limit)
    }
    local = model_register_local(path=Path(model_dir), name=BUILTIN_NAME, builtin=True)
    remote = model_register(target=cloud.base_url, remote_model="oracle", name="oracle", api_key_env="ORACLE_KEY")
    return local, remote, cloud


def _skipped(suite: str) -> int:
    """Held-out items the learning loop reads at the head of the suite's stream: its measurement (the A/B's) and
    the watch's fresh items after it."""
    from learning.loop.comparisons import WATCH_ITEMS_PER_SUITE, measured_count

    return measured_count(suite) + WATCH_ITEMS_PER_SUITE


def _heldout_reach(suite: str) -> int:
    return _skipped(suite) + HELDOUT_PER_SUITE + VALIDATION_PER_SUITE


Rows = dict[str, list[tuple[str, str, bool]]]


def graded_heldout(models, adapter: str = "") -> tuple[Rows, Rows]:
    """(measured, validation): each model's graded answers on HELDOUT_PER_SUITE held-out items per suite and on
    VALIDATION_PER_SUITE others interleaved with them, all past what the learning loop reads (_skipped): a champion
    was promoted on its A/B's items, and measured there it would look better than it is (the winner's curse)."""
    from models_suite.evaluation.fresh import heldout_prefix
    from models_suite.evaluation.suites import get_suite

    measured_ids, validation_ids = set(), set()
    for suite in SUITES:
        past = heldout_prefix(get_suite(suite), _heldout_reach(suite))[_skipped(suite) :]
        # Interleaved, not one run after the other: a stream's mix of skills drifts along it (tool-dict is 14 of
        # the first 150 tool-use items and 121 of the first 600), and a point chosen on one stretch of it was
        # measured on another mix.
        every = (HELDOUT_PER_SUITE + VALIDATION_PER_SUITE) // HELDOUT_PER_SUITE
        measured_ids |= {item.id for i, item in enumerate(past) if i % every == 0}
        validation_ids |= {item.id for i, item in enumerate(past) if i % every != 0}
    everything = graded(models, "heldout", None, adapter=adapter)
    return (
        {name: [row for row in rows if row[0] in measured_ids] for name, rows in everything.items()},
        {name: [row for row in rows if row[0] in validation_ids] for name, rows in everything.items()},
    )


def graded(models, split: str, limit: int | None, adapter: str = "") -> Rows:
    """Per model: (item id, prompt, right) of every item of every suite, answered through an evaluation run; the
    local model with `adapter` (a LoRA directory) when given. limit None on the held-out split: as far along
    its stream as graded_heldout reads."""
    from models_suite.evaluation.fresh import split_items
    from models_suite.evaluation.suites import get_suite
    from models_suite.models import EvalRun
    from models_suite.services.evaluation import eval_run_create, eval_run_execute

    out: Rows = {}
    for model in models:
        for suite in SUITES:
            reach = limit if limit is not None or split == "train" else _heldout_reach(suite)
            run = eval_run_create(
                model=model,
                suite=suite,
                split=split,
                limit=reach,
                adapter=adapter if model.kind != "remote" else "",
                enqueue=False,
            )
            run = eval_run_execute(eval_run_id=run.pk)
            assert run.status == EvalRun.Status.COMPLETED, run.error
            prompts = {item.id: item.prompt for item in split_items(get_suite(suite), split, reach)}
            out.setdefault(model.name, []).extend((r["id"], prompts[r["id"]], bool(r["correct"])) for r in run.results)
    return out
