"""The router's decision, in process: what it sends where on requests it never trained on, and what it costs.

Quality (issue 17, item 5): bench/data/routing_test2.jsonl, 365 requests written apart from the training file
(models_suite/routing/data/requests_train.jsonl) by someone who saw neither it nor the first held-out file, and
never used to choose anything, routed between a local model and a remote one:
  - content: a local model that can read them all (context 100,000), so the content step decides alone;
  - built-in: the built-in model's context (64 characters), as a route of the built-in model has it: whatever
    does not fit goes remote by the fit rule, light or not;
  - task type given (metadata.task_type): code_generation for the heavy ones, simple_chat for the light ones.
The nested cross-validation of the classifier's C and threshold on the training file is printed too (outer
folds), and the figures on bench/data/routing_heldout.jsonl, the first held-out file: after it showed plans phrased
as questions routed local, requests of that sort were added to the training file, so it is no longer unseen and
its figures are reported only.

Speed (item 7): decide() on those requests, a third with a task type, with the learned router present, the
local candidate large enough that the content and learned steps both run; against the originals' select_backend
(the complexity table and size factors alone) side by side. Last line: decisions per second, ours over theirs.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Goal, report  # noqa: E402

from models_suite.evaluation.suites import get_suite  # noqa: E402
from models_suite.routing import tune  # noqa: E402
from models_suite.routing.complexity import DEFAULT_TASK_COMPLEXITY, task_complexity  # noqa: E402
from models_suite.routing.content import default_content_classifier, load_examples, request_facts_of  # noqa: E402
from models_suite.routing.decision import LOCAL, REMOTE, Candidate, Policy, decide  # noqa: E402
from models_suite.routing.learned import GradedAttempt, train_learned_router  # noqa: E402

GOALS = (
    Goal("heavy_remote_pct", at_least=97, source="issue 17, item 5: at least 97 % of heavy requests routed remote"),
    Goal("light_remote_pct", at_most=10, source="issue 17, item 5: at most 10 % of light requests routed remote"),
    Goal("first_heldout_heavy_pct", source="the first held-out file: seen, its failures taught; reported only"),
    Goal("first_heldout_light_pct", source="the first held-out file: seen, its failures taught; reported only"),
    Goal("builtin_heavy_remote_pct", source="the same set through a route of the built-in model (context 64)"),
    Goal("builtin_light_remote_pct", source="the fit rule sends light requests past 64 characters remote"),
    Goal("task_type_right_pct", at_least=100, source="issue 17, item 5: 100 % when the task type is given"),
    Goal("nested_cv_heavy_pct", source="outer folds of the nested cross-validation on the training file"),
    Goal("nested_cv_light_pct", source="outer folds of the nested cross-validation on the training file"),
    Goal("decision_p99_ms", at_most=1, source="issue 17, item 7: a decision in process p99 at most 1 ms"),
    Goal("decisions_per_s", at_least=20000, source="issue 17, item 7: at least 20,000 decisions/s"),
    Goal("ratio", source="decisions/s of ours over the originals' table-only rule: what reading the request costs"),
)
DATA = Path(__file__).resolve().parent / "data"
examples = load_examples(DATA / "routing_test2.jsonl")
first_heldout = load_examples(DATA / "routing_heldout.jsonl")
content = default_content_classifier()
cloud = Candidate("cloud", REMOTE, context_length=128_000, supports_tools=True)
big_local = Candidate("local", LOCAL, context_length=100_000)
builtin = Candidate("builtin", LOCAL, context_length=64, chars_per_token=1.0)


def remote_share(candidates, label, task_type=None, requests=None) -> float:
    chosen = [
        decide(request_facts_of(e), candidates, Policy(), content=content, task_type=task_type).backend == REMOTE
        for e in (examples if requests is None else requests)
        if e["label"] == label
    ]
    return 100.0 * sum(chosen) / len(chosen)


heavy, light = remote_share([big_local, cloud], "heavy"), remote_share([big_local, cloud], "light")
first_heavy = remote_share([big_local, cloud], "heavy", requests=first_heldout)
first_light = remote_share([big_local, cloud], "light", requests=first_heldout)
b_heavy, b_light = remote_share([builtin, cloud], "heavy"), remote_share([builtin, cloud], "light")
typed = (
    remote_share([big_local, cloud], "heavy", "code_generation")
    + (100 - remote_share([big_local, cloud], "light", "simple_chat"))
) / 2
by_kind = {}
for e in examples:
    routed = decide(request_facts_of(e), [big_local, cloud], Policy(), content=content).backend == REMOTE
    by_kind.setdefault((e["label"], e["kind"]), []).append(routed)
print(f"held-out requests: {len(examples)}; remote share by kind (content step):")
for (label, kind), routed in sorted(by_kind.items()):
    print(f"  {label:5} {kind:15} {100 * sum(routed) / len(routed):5.1f} % of {len(routed)}")
print(
    f"content: heavy {heavy:.1f} % remote, light {light:.1f} %; built-in route: heavy {b_heavy:.1f} %, light {b_light:.1f} %"
)

nested = tune.nested(tune.load_examples(tune.TRAINING_DATA))
print(
    f"nested CV on the training file (outer folds): heavy {nested['heavy_recall']['mean']:.1%} ± "
    f"{nested['heavy_recall']['sd']:.1%}, light {nested['light_remote']['mean']:.1%} ± {nested['light_remote']['sd']:.1%}; "
    f"choice {nested['choice']}"
)

# Speed: a learned router of realistic size (graded attempts of two candidates on the suites' train items).
rng = random.Random(0)
attempts = []
for suite in ("arithmetic", "sequences", "json_extraction"):
    try:
        items = get_suite(suite).items("train", limit=400)
    except Exception:  # noqa: BLE001 - a suite this checkout does not have
        continue
    for item in items:
        attempts.append(GradedAttempt("local", item.prompt, rng.random() < 0.6))
        attempts.append(GradedAttempt("cloud", item.prompt, rng.random() < 0.95))
learned = train_learned_router(attempts)
# Raw requests: reading one (its facts and pieces) is part of every decision's cost.
workload = [(e, "code_generation" if i % 3 == 0 else None) for i, e in enumerate(examples * 3)]
workload += [({"prompt": a.prompt}, None) for a in attempts[:300]]
rng.shuffle(workload)
candidates = [big_local, cloud]


def ours(example, task_type):
    facts = request_facts_of(example)
    return decide(facts, candidates, Policy(), content=content, learned=learned, task_type=task_type)


def originals(example, task_type):
    """select_backend: the table (substring match), size factors, threshold 0.7."""
    facts = request_facts_of(example)
    complexity = 0.0
    if task_type and (rule := task_complexity(task_type, DEFAULT_TASK_COMPLEXITY)):
        complexity = rule[1]
    tokens = facts.estimated_tokens()
    complexity = max(complexity, 0.8 if tokens > 2000 else 0.6 if tokens > 1000 else 0.0)
    return "cloud" if complexity >= 0.7 else "local"


for fn in (ours, originals):  # warm
    for facts, task_type in workload[:200]:
        fn(facts, task_type)
latencies = []
for facts, task_type in workload:
    started = time.perf_counter()
    ours(facts, task_type)
    latencies.append(time.perf_counter() - started)
latencies.sort()
p99_ms = latencies[int(0.99 * len(latencies))] * 1e3
rates = {"ours": [], "originals": []}
for _ in range(5):
    for name, fn in (("ours", ours), ("originals", originals)):
        started = time.perf_counter()
        for facts, task_type in workload:
            fn(facts, task_type)
        rates[name].append(len(workload) / (time.perf_counter() - started))
per_s, theirs = statistics.median(rates["ours"]), statistics.median(rates["originals"])
print(
    f"decide(): p50 {latencies[len(latencies) // 2] * 1e3:.3f} ms, p99 {p99_ms:.3f} ms over {len(workload)} decisions"
)
report(
    GOALS,
    f"router decisions: {per_s:.0f}/s ours, {theirs:.0f}/s the originals' table-only rule; ratio {per_s / theirs:.3f}",
    heavy_remote_pct=heavy,
    light_remote_pct=light,
    first_heldout_heavy_pct=first_heavy,
    first_heldout_light_pct=first_light,
    builtin_heavy_remote_pct=b_heavy,
    builtin_light_remote_pct=b_light,
    task_type_right_pct=typed,
    nested_cv_heavy_pct=100 * nested["heavy_recall"]["mean"],
    nested_cv_light_pct=100 * nested["light_remote"]["mean"],
    decision_p99_ms=p99_ms,
    decisions_per_s=per_s,
    ratio=per_s / theirs,
)
