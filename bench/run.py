"""Runs every bench/bench_*.py in its own process (or only those named: `run.py learning_curve reward_model`,
`make bench BENCH="learning_curve"`); each prints its ratio against a baseline last."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
failed = 0
benchmarks = sorted(here.glob("bench_*.py"))
if sys.argv[1:]:
    unknown = [name for name in sys.argv[1:] if not (here / f"bench_{name}.py").exists()]
    if unknown:
        sys.exit(f"no benchmark {', '.join(unknown)}; there are {', '.join(p.stem[6:] for p in benchmarks)}")
    benchmarks = [here / f"bench_{name}.py" for name in sys.argv[1:]]
for path in benchmarks:
    print(f"== {path.stem}", flush=True)
    failed += subprocess.call([sys.executable, str(path)], cwd=here.parent) != 0
print(f"{len(benchmarks)} benchmarks, {failed} failed")
sys.exit(1 if failed else 0)
