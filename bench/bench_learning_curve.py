"""The compounding learning loop against the loop before it, side by side, on the built-in model.

compounding: each challenger continues the champion's adapter, the skill comes from the bandit over measured
gains, the recipe adapts, the replay is weighted by risk (learning.loop.cycle's defaults).
baseline: the loop as it was (continual=False, choose="weakest"): a fresh LoRA from the bare base every cycle,
the weakest skill first, the base recipe.

Both arms run the same number of cycles with the same seeds, each in a process of its own on a scratch database
and folders (so neither sees the other's champion), one after the other so that each has the machine's two cores.
Per arm: the champion's held-out accuracy per skill at the start and at the end (the same items), the mean gain
over all skills, the weakest skill's gain, the worst change, promotions and seconds. The last line is the ratio
of the mean gains (compounding / baseline).

BENCH_CURVE_CYCLES (default 3: 35 minutes for both arms on 2 quiet cores; the issue's goal is measured with 5 by
`manage.py learning_curve --cycles 5`) and BENCH_CURVE_SEED (default 0) set the run. The built-in model is built
first when missing (about five minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import Goal, built_model_dir, report  # noqa: E402

GOALS = (
    Goal(
        "ratio",
        source="none set: issue 14, item 9 asks for the ratio of mean gains, side by side, and names no threshold",
    ),
)

ARMS = {
    "compounding": {"continual": True, "choose": "bandit"},
    "baseline": {"continual": False, "choose": "weakest", "train_budget_seconds": None},
}


def run_arm(arm: str, cycles: int, seed: int, model_dir: str, out: str) -> None:
    """In a child process: a scratch database and VAR_DIR, the built model registered there, the cycles run."""
    from common import django_on_scratch_database

    django_on_scratch_database()
    from learning.loop.curve import curve_run
    from models_suite.services.builtin import BUILTIN_NAME
    from models_suite.services.registry import model_register_local

    model_register_local(path=Path(model_dir), name=BUILTIN_NAME, builtin=True)
    curve = curve_run(cycles=cycles, seed=seed, echo=lambda line: print(f"  [{arm}] {line}", flush=True), **ARMS[arm])
    Path(out).write_text(json.dumps(curve))


def main() -> None:
    cycles = int(os.environ.get("BENCH_CURVE_CYCLES", "3"))
    seed = int(os.environ.get("BENCH_CURVE_SEED", "0"))
    model_dir = built_model_dir()
    results = {}
    for arm in ARMS:
        out = tempfile.mktemp(suffix=f"-{arm}.json")
        print(f"{arm}: {cycles} cycles, seed {seed}", flush=True)
        subprocess.run([sys.executable, __file__, "--arm", arm, str(cycles), str(seed), model_dir, out], check=True)
        results[arm] = json.loads(Path(out).read_text())
    print(f"{'':24}" + "".join(f"{arm:>14}" for arm in results))
    rows = [
        ("mean gain, points", "mean_gain"),
        ("weakest's gain, points", "weakest_gain"),
        ("worst change, points", "worst_drop"),
        ("promotions", "promotions"),
        ("seconds", "seconds"),
    ]
    for label, key in rows:
        print(f"{label:24}" + "".join(f"{results[arm][key]:>14}" for arm in results))
    for arm, curve in results.items():
        print(f"{arm}: " + ", ".join(f"{row['skill']} ({row['status']})" for row in curve["cycles"]))
    gain, base = results["compounding"]["mean_gain"], results["baseline"]["mean_gain"]
    ratio = gain / base if base > 0 else float("inf") if gain > 0 else float("nan")
    report(
        GOALS,
        f"compounding/baseline mean gain over {cycles} cycles: {gain:+.2f} / {base:+.2f} points = ratio {ratio:.2f}",
        ratio=ratio,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--arm":
        run_arm(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        main()
