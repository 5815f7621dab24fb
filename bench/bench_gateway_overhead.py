"""The gateway's round trip over HTTP (gunicorn -> Celery -> a models worker -> back) against the same
generation called in-process on a resident model. Goal (issue 3): p50 overhead at most 10 ms.

Each side generates one token for the same prompt, interleaved, 300 times; the worker has the model
resident (warmed first), like a served model.
"""

import logging
import statistics
import sys
import time
from pathlib import Path

from common import Goal, django_on_scratch_database, gateway_processes, report, wait_until

GOALS = (
    Goal(
        "overhead_p50_ms",
        at_most=10,
        source="issue 3, item 8: gateway round trip over HTTP vs the in-process call: p50 overhead at most 10 ms",
    ),
)

django_on_scratch_database()
logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per request would be measured too

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402

from models_suite.backends import GenerationRequest  # noqa: E402
from models_suite.host import ModelHost, ModelSpec, transformers_loader  # noqa: E402
from models_suite.services.registry import model_register  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.models_suite.tiny_models import build_tiny_model  # noqa: E402

ROUNDS = 300
directory = build_tiny_model(settings.VAR_DIR / "bench-model", n_ctx=64)
artifact = model_register(target=str(directory), name="bench")
artifact.machine = "bench"
artifact.save()
token, port, processes = gateway_processes()
try:
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    body = {"model": "bench", "prompt": "Q:12+34=", "max_tokens": 1, "temperature": 0}
    # both servers up, and the worker's host warm (the first call loads the model)
    wait_until(lambda: http.post("/v1/completions", json=body).status_code == 200, what="the gateway")

    host = ModelHost(transformers_loader)
    spec = ModelSpec(name="bench", path=str(directory), device="cpu")
    request = GenerationRequest(prompt="Q:12+34=", max_tokens=1)
    with host.acquire(spec) as backend:
        backend.generate(request)  # warm

    over_http, in_process = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        assert http.post("/v1/completions", json=body).status_code == 200
        over_http.append(time.perf_counter() - started)
        started = time.perf_counter()
        with host.acquire("bench") as backend:
            backend.generate(request)
        in_process.append(time.perf_counter() - started)
    host.close()
finally:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(30)

http_p50, local_p50 = statistics.median(over_http), statistics.median(in_process)
print(f"p50 over HTTP {http_p50 * 1e3:.1f} ms, in-process {local_p50 * 1e3:.1f} ms ({ROUNDS} rounds, 1 token)")
overhead_ms = (http_p50 - local_p50) * 1e3
report(
    GOALS,
    f"gateway_overhead p50: {overhead_ms:.1f} ms; ratio http/in-process {http_p50 / local_p50:.2f}",
    overhead_p50_ms=overhead_ms,
)
