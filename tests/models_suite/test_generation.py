"""Generation in a models worker, replying to the gateway: answers, refusals, streams and failures."""

import pytest

from models_suite.services import generation
from workers.replies import new_reply_key, replies, reply


def test_an_answer_and_a_stream_reach_the_waiter(tiny):
    key = new_reply_key()
    generation.generate_reply(model_name="tiny", request={"prompt": "Q:1+1=", "max_tokens": 4}, reply_key=key)
    answer = reply(key, timeout=5)["result"]
    assert answer["completion_tokens"] <= 4 and answer["prompt_tokens"] == len("Q:1+1=")

    key = new_reply_key()
    generation.generate_reply(
        model_name="tiny", request={"prompt": "Q:1+1=", "max_tokens": 4}, reply_key=key, stream=True
    )
    messages = list(replies(key, timeout=5))
    assert messages[-1] == {"end": True}
    assert "".join(m["piece"] for m in messages[:-1]) == answer["text"]


def test_a_callers_mistake_is_an_answer_with_its_status(tiny):
    key = new_reply_key()
    generation.generate_reply(model_name="tiny", request={"prompt": "x" * 500, "max_tokens": 4}, reply_key=key)
    error = reply(key, timeout=5)["error"]
    assert error["status"] == 400 and "context" in error["message"]


def test_an_unexpected_failure_tells_the_waiter_and_still_fails_the_task(tiny, monkeypatch):
    def broken(**_):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(generation, "generate", broken)
    key = new_reply_key()
    with pytest.raises(RuntimeError):  # recorded as the task's failure, with its traceback, for operators
        generation.generate_reply(model_name="tiny", request={"prompt": "Q:", "max_tokens": 1}, reply_key=key)
    error = reply(key, timeout=5)["error"]
    # The worker failed, not the web process: 502 worker_failed, as for every view that waits on a worker
    assert (error["status"], error["code"]) == (502, "worker_failed")
    assert "disk on fire" not in error["message"]  # no internals to the client
