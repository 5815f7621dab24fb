"""Hot swap: the new model loads first, new leases go to it, the old one finishes what it serves and only
then unloads. Fake backends for the ordering, then real tiny models (same name, new weights)."""

import threading

import pytest

from models_suite.backends import GenerationRequest
from models_suite.backends.transformers_backend import TransformersBackend
from models_suite.host import BudgetExceeded, ModelHost, ModelSpec, transformers_loader
from models_suite.host.fakes import FakeLoader, FakeMemory, FakeProbe
from tests.models_suite.test_host_budget import Recorder
from tests.models_suite.tiny_models import build_tiny_model

PROMPT = GenerationRequest(prompt="Q:12+34=", max_tokens=8)


@pytest.fixture
def memory():
    return FakeMemory()


@pytest.fixture
def loader(memory):
    return FakeLoader(memory)


def fake_spec(name, size=300, **kw):
    return ModelSpec(name=name, path=f"/models/{name}", estimated_bytes=size, **kw)


def generate_in_thread(lease):
    answer = {}

    def run():
        answer["text"] = lease.backend.generate(PROMPT).text
        lease.release()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, answer


def test_swap_keeps_the_in_flight_request_and_routes_new_ones(loader, memory):
    listener = Recorder()
    host = ModelHost(loader, probe=FakeProbe(memory, total=1000), listener=listener)
    host.acquire(fake_spec("v1")).release()
    old = loader.backends["v1"]
    old.gate = threading.Event()  # its next generation waits until we let it finish
    thread, answer = generate_in_thread(host.acquire(fake_spec("v1")))
    assert old.started.wait(5)

    info = host.swap("v1", fake_spec("v2"))  # returns while v1 is still generating
    assert info.name == "v2" and host.routes() == {"v1": "v2"}
    with host.acquire(fake_spec("v1")) as backend:  # asked by the old name: the new model answers
        assert backend.generate(PROMPT).text == "v2"
    by_name = {r.name: r for r in host.resident()}
    assert by_name["v1"].draining and by_name["v1"].in_flight == 1 and not old.closed

    old.gate.set()
    thread.join(5)
    assert answer["text"] == "v1"  # the request in flight was not dropped
    assert [r.name for r in host.resident()] == ["v2"] and old.closed
    assert ("unloaded", "v1", "swapped") in listener.events
    # The listener hears v1 leave routing (at the swap, while it still drains) before v2 arrives, so a
    # same-name swap reads as "row gone, row back" to the Django side.
    assert listener.events.index(("unloaded", "v1", "swapped")) < listener.events.index(("loaded", "v2"))


def test_swap_needs_room_for_both_and_keeps_the_old_one_when_there_is_none(loader, memory):
    host = ModelHost(loader, probe=FakeProbe(memory, total=1000))
    host.acquire(fake_spec("v1", size=500)).release()
    with pytest.raises(BudgetExceeded, match=r"v1 \(500 B, being swapped out\)"):
        host.swap("v1", fake_spec("v2", size=500))
    with host.acquire(fake_spec("v1", size=500)) as backend:
        assert backend.generate(PROMPT).text == "v1"
    assert host.routes() == {}


def test_swap_evicts_others_but_not_the_old_one(loader, memory):
    host = ModelHost(loader, probe=FakeProbe(memory, total=1000))
    host.acquire(fake_spec("other")).release()
    host.acquire(fake_spec("v1")).release()  # v1 is the most recent, other the LRU
    host.swap("v1", fake_spec("v2"))
    assert [r.name for r in host.resident()] == ["v2"]  # other evicted for room, v1 swapped out


def test_swapping_back_and_a_swap_of_something_not_resident(loader, memory):
    host = ModelHost(loader, probe=FakeProbe(memory, total=10_000))
    host.swap("v1", fake_spec("v2"))  # v1 was never loaded: v2 loads, and v1's name routes to it
    assert [r.name for r in host.resident()] == ["v2"] and host.routes() == {"v1": "v2"}
    host.swap("v2", fake_spec("v1"))
    assert host.routes() == {"v2": "v1"}
    with host.acquire("v2") as backend:
        assert backend.generate(PROMPT).text == "v1"


def test_a_pin_follows_the_swap(loader, memory):
    host = ModelHost(loader, probe=FakeProbe(memory, total=10_000))
    host.acquire(fake_spec("v1")).release()
    host.pin("v1")
    assert host.swap("v1", fake_spec("v2")).pinned


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory):
    return (
        build_tiny_model(tmp_path_factory.mktemp("old"), seed=0),
        build_tiny_model(tmp_path_factory.mktemp("new"), seed=1),
    )


def test_hot_swap_of_real_models_under_one_name(tiny_pair):
    old_dir, new_dir = tiny_pair
    expected_old = TransformersBackend(old_dir, device="cpu").generate(PROMPT).text
    expected_new = TransformersBackend(new_dir, device="cpu").generate(PROMPT).text
    assert expected_old != expected_new

    host = ModelHost(transformers_loader)
    lease = host.acquire(ModelSpec(name="tiny", path=str(old_dir)))
    lease.backend.lock.acquire()  # the old model's generation will start once we let go of this

    answer = {}

    def run():
        answer["text"] = lease.backend.generate(PROMPT).text
        lease.release()

    thread = threading.Thread(target=run)
    thread.start()
    info = host.swap("tiny", ModelSpec(name="tiny", path=str(new_dir)))
    assert info.name == "tiny" and host.routes() == {}
    with host.acquire("tiny") as backend:
        assert backend is not lease.backend and backend.generate(PROMPT).text == expected_new
    assert [(r.name, r.draining) for r in host.resident()] == [("tiny", False), ("tiny", True)]
    lease.backend.lock.release()
    thread.join(30)
    assert answer["text"] == expected_old  # finished on the old weights
    assert [(r.name, r.draining, r.id) for r in host.resident()] == [("tiny", False, info.id)]
    host.close()
