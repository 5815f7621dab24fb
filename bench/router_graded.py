"""Graded attempts of the built-in model and of a remote model that knows every answer, on the suites' items:
what bench_router_learned.py trains and measures the learned router on, and router_learned_ceiling.py reads.

setup() registers both models on the scratch database the caller opened (the remote one is a FakeCloud server on
loopback that answers each item's true answer); graded() has both answer a split through evaluation runs.
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
# BENCH_ROUTER_ADAPTER=<adapter directory>: the local model answers with that LoRA adapter, for example the
# champion `make demo` leaves (var/adapters/builtin-base/all/v<N>); unset, the bare built-in model answers.
LOCAL_ADAPTER = os.environ.get("BENCH_ROUTER_ADAPTER", "")

logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per remote answer would drown the output


def setup(model_dir: str):
    """(the local model, the remote one, the cloud server to close)."""
    from models_suite.evaluation.suites import get_suite
    from models_suite.services.builtin import BUILTIN_NAME
    from models_suite.services.registry import model_register, model_register_local
    from tests.models_suite.fake_cloud import FakeCloud

    os.environ["ORACLE_KEY"] = "sk-oracle"
    cloud = FakeCloud(model="oracle", api_key="sk-oracle")
    cloud.answers = {
        item.prompt: item.answer
        for suite in SUITES
        for split in ("train", "heldout")
        for item in get_suite(suite).items(
            split, limit=TRAIN_PER_SUITE if split == "train" else HELDOUT_PER_SUITE + VALIDATION_PER_SUITE
        )
    }
    local = model_register_local(path=Path(model_dir), name=BUILTIN_NAME, builtin=True)
    remote = model_register(target=cloud.base_url, remote_model="oracle", name="oracle", api_key_env="ORACLE_KEY")
    return local, remote, cloud


def graded(models, split: str, limit: int) -> dict[str, list[tuple[str, str, bool]]]:
    """Per model: (item id, prompt, right) of every item of every suite, answered through an evaluation run."""
    from models_suite.evaluation.suites import get_suite
    from models_suite.models import EvalRun
    from models_suite.services.evaluation import eval_run_create, eval_run_execute

    out: dict[str, list[tuple[str, str, bool]]] = {}
    for model in models:
        for suite in SUITES:
            adapter = LOCAL_ADAPTER if model.kind != "remote" else ""
            run = eval_run_create(model=model, suite=suite, split=split, limit=limit, adapter=adapter, enqueue=False)
            run = eval_run_execute(eval_run_id=run.pk)
            assert run.status == EvalRun.Status.COMPLETED, run.error
            prompts = {item.id: item.prompt for item in get_suite(suite).items(split, limit=limit)}
            out.setdefault(model.name, []).extend((r["id"], prompts[r["id"]], bool(r["correct"])) for r in run.results)
    return out
