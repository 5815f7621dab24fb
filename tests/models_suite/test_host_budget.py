"""The model host's bookkeeping on fake backends: lazy loading, LRU eviction under a budget, pins, leases,
idle unload, explicit unload, listener callbacks. Memory is a number here (FakeProbe); see
test_host_real.py for the real probe on a real model."""

import threading
import time

import pytest

from models_suite.backends import BackendError, GenerationRequest
from models_suite.host import BudgetExceeded, ModelHost, ModelSpec, UnknownModel
from models_suite.host.fakes import FakeLoader, FakeMemory, FakeProbe


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


class Recorder:
    def __init__(self):
        self.events = []

    def on_loaded(self, resident):
        self.events.append(("loaded", resident.name))
        self.last_loaded = resident

    def on_unloaded(self, name, reason):
        self.events.append(("unloaded", name, reason))

    def on_used(self, name):
        self.events.append(("used", name))

    def of(self, kind):
        return [e[1:] for e in self.events if e[0] == kind]


@pytest.fixture
def memory():
    return FakeMemory()


@pytest.fixture
def loader(memory):
    return FakeLoader(memory)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def listener():
    return Recorder()


@pytest.fixture
def host(loader, memory, clock, listener):
    # total 1000, budget 800: two 300-byte models fit, a third does not
    host = ModelHost(loader, probe=FakeProbe(memory, total=1000), listener=listener, clock=clock)
    yield host
    host.close()


def spec(name, size=300, **kw):
    return ModelSpec(name=name, path=f"/models/{name}", estimated_bytes=size, **kw)


def use(host, clock, name, **kw):
    clock.advance()
    with host.acquire(spec(name, **kw)) as backend:
        return backend.generate(GenerationRequest(prompt="hi")).text


def names(host):
    return [r.name for r in host.resident()]


def test_first_acquire_loads_lazily_and_later_ones_reuse_it(host, loader, clock):
    assert host.resident() == [] and loader.loaded == []
    lease = host.acquire(spec("a"))
    (info,) = host.resident()
    assert (info.name, info.device, info.in_flight, info.pinned) == ("a", "cpu", 1, False)
    assert info.measured_bytes == 300 and info.backend_bytes == 300 and info.load_seconds >= 0
    assert info.loaded_at == clock.now and info.path == "/models/a"
    lease.release()
    lease.release()  # idempotent
    assert host.resident()[0].in_flight == 0
    assert use(host, clock, "a") == "a" and use(host, clock, "a") == "a"
    assert loader.loaded == ["a"]
    assert host.resident()[0].last_used == clock.now
    assert use(host, clock, "b") == "b" and loader.loaded == ["a", "b"]


def test_acquire_by_name_works_for_known_models_only(host, clock):
    use(host, clock, "a")
    with host.acquire("a") as backend:
        assert backend.generate(GenerationRequest(prompt="x")).text == "a"
    with pytest.raises(UnknownModel, match="'nope' is neither resident nor known"):
        host.acquire("nope")


def test_concurrent_first_acquires_load_once(host, loader):
    results = []

    def worker():
        with host.acquire(spec("a")) as backend:
            results.append(backend)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loader.loaded == ["a"] and len(results) == 8 and len({id(b) for b in results}) == 1


def test_least_recently_used_is_evicted_first(host, loader, clock, listener):
    use(host, clock, "a")
    use(host, clock, "b")
    use(host, clock, "a")  # b is now the least recently used
    use(host, clock, "c")  # 300 + 300 + 300 > 800: one must go
    assert names(host) == ["a", "c"]
    use(host, clock, "d")
    assert names(host) == ["c", "d"]
    assert listener.of("unloaded") == [("b", "evicted"), ("a", "evicted")]
    assert loader.backends["a"].closed and loader.backends["b"].closed and not loader.backends["c"].closed


def test_eviction_stops_as_soon_as_it_fits(host, clock):
    use(host, clock, "a", size=200)
    use(host, clock, "b", size=200)
    use(host, clock, "c", size=200)
    use(host, clock, "d", size=300)  # 600 + 300 > 800: evicting a alone is enough
    assert names(host) == ["b", "c", "d"]


def test_pinned_models_are_never_evicted(host, clock, listener):
    use(host, clock, "a")
    host.pin("a")
    use(host, clock, "b")
    use(host, clock, "c")  # a is the least recently used but pinned: b goes
    assert names(host) == ["a", "c"] and host.resident()[0].pinned
    host.pin("c")
    with pytest.raises(BudgetExceeded) as caught:
        use(host, clock, "d")
    assert caught.value.pinned == ["a", "c"] and names(host) == ["a", "c"]
    host.unpin("a")
    use(host, clock, "d")
    assert names(host) == ["c", "d"]


def test_a_spec_can_ask_to_be_pinned(host, clock):
    use(host, clock, "a", pinned=True)
    use(host, clock, "b")
    use(host, clock, "c")
    assert names(host) == ["a", "c"]


def test_models_in_use_are_never_evicted(host, clock):
    with host.acquire(spec("a")):
        use(host, clock, "b")
        use(host, clock, "c")  # a is older but in use: b goes
        assert names(host) == ["a", "c"]
        with host.acquire(spec("c")):
            with pytest.raises(BudgetExceeded) as caught:
                use(host, clock, "d")
            assert caught.value.in_use == ["a", "c"]
    use(host, clock, "d")  # both free again: the older one, a, goes
    assert names(host) == ["c", "d"]


def test_budget_exceeded_names_what_is_resident_pinned_and_in_use(host, clock):
    use(host, clock, "alpha")
    host.pin("alpha")
    with host.acquire(spec("beta")), pytest.raises(BudgetExceeded) as caught:
        use(host, clock, "gamma")
    error = caught.value
    message = str(error)
    assert "cannot load 'gamma' on cpu" in message
    assert "Resident: alpha (300 B, pinned); beta (300 B, in use by 1)" in message
    assert "Pinned: alpha." in message and "In use: beta." in message
    assert "budget of 800 B (80% of 1000 B)" in message
    assert (error.name, error.needed, error.used, error.budget) == ("gamma", 300, 600, 800)
    assert error.resident == ["alpha", "beta"] and error.pinned == ["alpha"] and error.in_use == ["beta"]
    assert names(host) == ["alpha", "beta"]  # nothing was touched


def test_a_model_larger_than_the_budget_evicts_nothing(host, clock):
    use(host, clock, "a")
    with pytest.raises(BudgetExceeded, match="more than the whole budget of 800 B"):
        use(host, clock, "huge", size=900)
    assert names(host) == ["a"]


def test_idle_models_are_unloaded_after_their_keep_alive(host, clock, listener):
    use(host, clock, "short", size=100, keep_alive_seconds=10)
    use(host, clock, "default", size=100)  # 300 s
    use(host, clock, "forever", size=100, keep_alive_seconds=None)
    use(host, clock, "pinned", size=100, keep_alive_seconds=1)
    host.pin("pinned")
    busy = host.acquire(spec("busy", size=100, keep_alive_seconds=1))
    start = clock.now
    assert host.unload_idle(now=start + 5) == []
    assert host.unload_idle(now=start + 11) == ["short"]
    assert "short" not in names(host)
    clock.advance(400)
    assert host.unload_idle() == ["default"]
    busy.release()  # last used now: its keep-alive starts again
    assert host.unload_idle(now=clock.now + 0.5) == []
    assert host.unload_idle(now=clock.now + 2) == ["busy"]
    assert names(host) == ["forever", "pinned"]
    assert ("short", "idle") in listener.of("unloaded") and ("default", "idle") in listener.of("unloaded")


def test_a_background_thread_unloads_idle_models(host, clock):
    use(host, clock, "a", keep_alive_seconds=5)
    host.start(interval=0.01)
    try:
        clock.advance(6)
        deadline = time.monotonic() + 5
        while names(host) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert names(host) == []
    finally:
        host.stop()


def test_unload_now_or_once_its_leases_end(host, loader, clock, listener):
    use(host, clock, "a")
    assert host.unload("a") is True and names(host) == [] and loader.backends["a"].closed
    lease = host.acquire(spec("b"))
    assert host.unload("b") is False  # in use: it drains
    (info,) = host.resident()
    assert info.draining and not loader.backends["b"].closed
    assert lease.backend.generate(GenerationRequest(prompt="x")).text == "b"  # the open lease still works
    lease.release()
    assert host.resident() == [] and loader.backends["b"].closed
    with pytest.raises(UnknownModel, match="'b' is not resident"):
        host.unload("b")
    assert listener.of("unloaded") == [("a", "unloaded"), ("b", "unloaded")]


def test_a_failed_load_leaves_nothing_behind_and_tells_every_waiter(host, loader, clock):
    loader.fail.add("bad")
    with pytest.raises(BackendError, match="cannot load bad"):
        host.acquire(spec("bad"))
    assert host.resident() == []
    loader.fail.clear()
    assert use(host, clock, "bad") == "bad"


def test_listener_hears_loads_uses_and_unloads(host, clock, listener):
    use(host, clock, "a")
    use(host, clock, "a")
    use(host, clock, "b")
    use(host, clock, "c")
    host.unload("c")
    assert listener.events == [
        ("loaded", "a"),
        ("used", "a"),
        ("used", "a"),
        ("loaded", "b"),
        ("used", "b"),
        ("unloaded", "a", "evicted"),
        ("loaded", "c"),
        ("used", "c"),
        ("unloaded", "c", "unloaded"),
    ]
    assert listener.last_loaded.name == "c" and listener.last_loaded.measured_bytes == 300


def test_a_failing_listener_does_not_break_the_host(loader, memory, clock):
    class Broken:
        def on_loaded(self, resident):
            raise RuntimeError("database down")

    host = ModelHost(loader, probe=FakeProbe(memory), listener=Broken(), clock=clock)
    assert use(host, clock, "a") == "a"  # on_used and on_unloaded are simply absent


def test_close_unloads_everything(host, loader, clock):
    use(host, clock, "a")
    use(host, clock, "b")
    host.close()
    assert host.resident() == [] and all(b.closed for b in loader.backends.values())
