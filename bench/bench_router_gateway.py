"""What the router adds to a gateway request, and what an outage of the primary costs (issue 17, item 7).

gunicorn and a models worker with a tiny local model resident, as bench_gateway_overhead runs them.
1. Added latency: the same light request to the route `auto` [bench, cloud] (answered by bench) and to bench
   directly, interleaved; p50 of each, the difference.
2. The primary down, heavy requests (task type code_generation) to a route whose remote candidate is
   (a) refused: a closed port; (b) hanging: an endpoint that accepts and never answers (route timeout 2 s).
   The first requests pay for the failures until the breaker opens (failure_threshold 2); then every request
   skips the primary. Added p95 = p95 of the routed requests once open - p95 of direct requests to bench.
Last line: the route's p50 over the direct p50.
"""

from __future__ import annotations

import logging
import os
import statistics
import time

from common import Goal, django_on_scratch_database, gateway_processes, report, wait_until

GOALS = (
    Goal("added_p50_ms", at_most=1, source="issue 17, item 7: the router's added latency on a gateway request, p50"),
    Goal("refused_open_added_p95_ms", at_most=50, source="issue 17, item 7: primary refused, breaker open, p95"),
    Goal("hanging_open_added_p95_ms", at_most=50, source="issue 17, item 7: primary hanging, breaker open, p95"),
    Goal("refused_first_failures_ms", source="what each of the first requests paid while the breaker was closed"),
    Goal("hanging_first_failures_ms", source="what each of the first requests paid (the route's 2 s timeout)"),
    Goal("ratio", source="p50 through the route over p50 direct"),
)
ROUNDS = 300

django_on_scratch_database()
logging.getLogger("httpx").setLevel(logging.WARNING)

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402

from core.embedded_redis import free_loopback_port  # noqa: E402
from models_suite.services.registry import model_register  # noqa: E402
from models_suite.services.routes import route_save  # noqa: E402
from tests.models_suite.fake_cloud import FakeCloud  # noqa: E402
from tests.models_suite.tiny_models import build_tiny_model  # noqa: E402

os.environ["CLOUD_KEY"] = "sk-test"
cloud, hanging = FakeCloud(), FakeCloud(model="hangs")
hanging.delay_seconds = 3600
artifact = model_register(target=str(build_tiny_model(settings.VAR_DIR / "bench-model", n_ctx=64)), name="bench")
artifact.machine = "bench"
artifact.save()
model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY", name="cloud")
model_register(target=hanging.base_url, remote_model="hangs", api_key_env="CLOUD_KEY", name="hangs")
closed_port = free_loopback_port()
model_register(target=f"http://127.0.0.1:{closed_port}/v1", remote_model="x", name="refuses", verify=False)
outage = {"failure_threshold": 2, "cooldown_seconds": 3600, "timeout_seconds": 2}
route_save(name="auto", candidates=["bench", "cloud"])
route_save(name="auto-refused", candidates=["bench", "refuses"], policy=outage)
route_save(name="auto-hanging", candidates=["bench", "hangs"], policy=outage)

token, port, processes = gateway_processes()


def post(model: str, heavy: bool = False) -> tuple[float, httpx.Response]:
    body = {"model": model, "prompt": "Q:12+34=", "max_tokens": 1, "temperature": 0}
    if heavy:
        body["metadata"] = {"task_type": "code_generation"}
    started = time.perf_counter()
    response = http.post("/v1/completions", json=body)
    return (time.perf_counter() - started) * 1e3, response


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * len(values))]


try:
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    # both servers up, the model resident on the worker
    wait_until(lambda: post("bench")[1].status_code == 200 and post("auto")[1].status_code == 200, what="the gateway")
    routed, direct = [], []
    for _ in range(ROUNDS):
        ms, response = post("auto")
        assert response.status_code == 200 and response.json()["model"] == "bench", response.text
        routed.append(ms)
        direct.append(post("bench")[0])
    added_p50 = statistics.median(routed) - statistics.median(direct)
    print(f"light request: p50 via route {statistics.median(routed):.2f} ms, direct {statistics.median(direct):.2f} ms")

    outages = {}
    for name in ("refused", "hanging"):
        first = []
        for _ in range(2):  # failure_threshold: these pay for the failures
            ms, response = post(f"auto-{name}", heavy=True)
            assert response.status_code == 200 and response.json()["model"] == "bench", response.text
            assert "after" in response.headers["x-autodidact-route"], response.headers["x-autodidact-route"]
            first.append(ms)
        after, base = [], []
        for _ in range(100):
            ms, response = post(f"auto-{name}", heavy=True)
            assert response.status_code == 200 and "circuit breaker open" in response.headers["x-autodidact-route"]
            after.append(ms)
            base.append(post("bench")[0])
        outages[name] = (statistics.mean(first), p95(after) - p95(base))
        print(
            f"primary {name}: first {len(first)} requests {[round(x) for x in first]} ms; once open p95 "
            f"{p95(after):.1f} ms vs direct {p95(base):.1f} ms"
        )
finally:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(30)
    cloud.close()
    hanging.server.shutdown()

report(
    GOALS,
    f"router overhead: p50 {added_p50:+.2f} ms over direct; ratio {statistics.median(routed) / statistics.median(direct):.3f}",
    added_p50_ms=added_p50,
    refused_open_added_p95_ms=outages["refused"][1],
    hanging_open_added_p95_ms=outages["hanging"][1],
    refused_first_failures_ms=outages["refused"][0],
    hanging_first_failures_ms=outages["hanging"][0],
    ratio=statistics.median(routed) / statistics.median(direct),
)
