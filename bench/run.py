"""Runs every bench/bench_*.py in its own process; each prints its ratio against a baseline last."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
failed = 0
benchmarks = sorted(here.glob("bench_*.py"))
for path in benchmarks:
    print(f"== {path.stem}", flush=True)
    failed += subprocess.call([sys.executable, str(path)], cwd=here.parent) != 0
print(f"{len(benchmarks)} benchmarks, {failed} failed")
sys.exit(1 if failed else 0)
