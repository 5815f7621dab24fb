"""Routes through the real gateway: the official openai client, a real models worker, a cloud on loopback.

A route of a tiny local model (context 48) and the cloud: light work stays local, heavy work goes to the cloud,
a failing cloud hands the request to the local model in the same request, and once its breaker is open the
cloud is not asked again until the cool-down ends.
"""

import httpx
import openai
import pytest

from models_suite.models import BreakerTransition, Route
from models_suite.services.breakers import breakers_reset
from models_suite.services.hosting import host_shutdown
from models_suite.services.registry import model_register
from models_suite.services.routes import route_save
from models_suite.services.routing import snapshot_forget
from tests.models_suite.tiny_models import build_tiny_model

pytestmark = pytest.mark.slow


@pytest.fixture
def routed(start_worker, live_server, tmp_path, personas, cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    tiny = model_register(target=str(build_tiny_model(tmp_path / "tiny", n_ctx=48)), name="tiny")
    tiny.machine = "alpha"
    tiny.save()
    model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY", name="cloud")
    route_save(
        name="auto",
        candidates=["tiny", "cloud"],
        policy={"failure_threshold": 2, "cooldown_seconds": 600, "timeout_seconds": 20},
    )
    start_worker("alpha", roles=["models"])
    snapshot_forget()
    breakers_reset()
    client = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=personas["agent"].token, max_retries=0)
    yield client
    snapshot_forget()
    breakers_reset()
    host_shutdown()


def ask(client, text, **extra):
    raw = client.chat.completions.with_raw_response.create(
        model="auto", messages=[{"role": "user", "content": text}], max_tokens=4, temperature=0, **extra
    )
    return raw.parse(), raw.headers.get("x-autodidact-route", "")


def test_light_work_stays_local_and_heavy_work_goes_to_the_cloud(routed, cloud):
    reply, reason = ask(routed, "hi!")
    assert reply.model == "tiny" and reason.startswith("content:") and not cloud.requests

    reply, reason = ask(routed, "hi!", extra_body={"metadata": {"task_type": "code_generation"}})
    assert reply.model == "cloud" and reply.choices[0].message.content == "echo"[:4]  # the cloud's own answer
    assert reason.startswith("rule: task type code_generation") and len(cloud.requests) == 1

    # past the local context (48 characters): the cloud, whatever it asks
    reply, reason = ask(routed, "Good morning to you and to everyone in the whole team!!")
    assert reply.model == "cloud" and "only cloud can read it" in reason

    # streaming through a route: the same text as the plain answer, in pieces
    pieces = [
        chunk.choices[0].delta.content or ""
        for chunk in routed.chat.completions.create(
            model="auto", messages=[{"role": "user", "content": "hi!"}], max_tokens=4, temperature=0, stream=True
        )
    ]
    assert "".join(pieces) == ask(routed, "hi!")[0].choices[0].message.content


def test_a_failing_or_hanging_cloud_hands_the_request_to_the_local_model_then_its_breaker_opens(
    routed, cloud, personas
):
    code = {"extra_body": {"metadata": {"task_type": "code_generation"}}}
    cloud.failures = [503, 500]  # the endpoint fails twice (the worker does not retry a routed request)
    for _ in range(2):
        reply, reason = ask(routed, "hi!", **code)
        assert reply.model == "tiny" and "after cloud:" in reason
    assert len(cloud.requests) == 2
    assert list(BreakerTransition.objects.values_list("candidate", "state")) == [("cloud", "open")]

    reply, reason = ask(routed, "hi!", **code)  # open: skipped, without a request to the cloud
    assert reply.model == "tiny" and len(cloud.requests) == 2

    site = str(routed.base_url).rstrip("/").removesuffix("/v1")
    metrics = httpx.get(f"{site}/metrics", headers={"Authorization": f"Bearer {personas['operator'].token}"}).text
    assert 'router_fallbacks_total{candidate="cloud"' in metrics
    assert 'router_decisions_total{candidate="cloud",reason="rule",route="auto"}' in metrics

    # A hanging cloud: each request pays the route's timeout until the breaker opens (a fresh one here)
    breakers_reset()
    BreakerTransition.objects.all().delete()
    cloud.failures = []
    assert ask(routed, "hi!")[0].model == "tiny"  # resident now: its answer takes milliseconds, not a load
    Route.objects.filter(name="auto").update(policy={"timeout_seconds": 3, "failure_threshold": 1})
    snapshot_forget()
    cloud.delay_seconds = 6
    reply, reason = ask(routed, "hi!", extra_body={"metadata": {"task_type": "code_generation"}})
    # the worker's call times out (its timeout is the route's) or the gateway stops waiting, whichever is first
    assert reply.model == "tiny" and ("no answer in 3 s" in reason or "ReadTimeout" in reason), reason
    assert list(BreakerTransition.objects.values_list("state", flat=True)) == ["open"]
