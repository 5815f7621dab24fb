"""Adapters addressed as "base:adapter": the base loads once, each adapter attaches to it at run time, and a
lease keeps its adapter selected while it generates, even with other adapters in use on other threads."""

import threading

import pytest

from models_suite.backends import GenerationRequest
from models_suite.backends.transformers_backend import TransformersBackend
from models_suite.host import ModelHost, ModelSpec, UnknownModel, transformers_loader
from models_suite.host.fakes import FakeLoader, FakeMemory, FakeProbe
from tests.models_suite.test_host_budget import Clock, Recorder
from tests.models_suite.tiny_models import build_tiny_adapter, build_tiny_model

PROMPT = GenerationRequest(prompt="Q:12+34=", max_tokens=10)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    base = build_tiny_model(tmp_path_factory.mktemp("base"))
    first = build_tiny_adapter(base, tmp_path_factory.mktemp("first"), seed=1)
    second = build_tiny_adapter(base, tmp_path_factory.mktemp("second"), seed=2)
    return base, first, second


@pytest.fixture(scope="module")
def expected(dirs):
    """What each variant answers, computed on a plain backend outside the host."""
    base, first, second = dirs
    backend = TransformersBackend(base, device="cpu")
    answers = {"base": backend.generate(PROMPT).text}
    backend.load_adapter("first", first)
    backend.load_adapter("second", second)
    for name in ("first", "second"):
        backend.use_adapter(name)
        answers[name] = backend.generate(PROMPT).text
    assert len(set(answers.values())) == 3, answers  # the adapters really change the answer
    return answers


class CountingLoader:
    def __init__(self):
        self.loaded = []

    def __call__(self, spec):
        self.loaded.append(spec.name)
        return transformers_loader(spec)


def specs(dirs):
    base_dir, first_dir, second_dir = dirs
    base = ModelSpec(name="base", path=str(base_dir))
    return base, ModelSpec.for_adapter(base, "first", first_dir), ModelSpec.for_adapter(base, "second", second_dir)


def test_two_adapters_on_one_base_load_the_base_once(dirs, expected):
    loader, listener = CountingLoader(), Recorder()
    host = ModelHost(loader, listener=listener)
    base, first, second = specs(dirs)
    assert first.name == "base:first" and first.device == "cpu"
    with host.acquire(first) as backend:
        assert backend.generate(PROMPT).text == expected["first"]
    with host.acquire(second) as backend:
        assert backend.generate(PROMPT).text == expected["second"]
    with host.acquire(base) as backend:  # the bare base: no adapter selected for its lease
        assert backend.generate(PROMPT).text == expected["base"]
    with host.acquire("base:first") as backend:
        assert backend.generate(PROMPT).text == expected["first"]
    assert loader.loaded == ["base"]
    listing = {r.name: r for r in host.resident()}
    assert sorted(listing) == ["base", "base:first", "base:second"]
    assert listing["base:first"].base == "base" and listing["base:first"].adapter == "first"
    assert listing["base:first"].backend_bytes > 0 and listing["base:first"].load_seconds > 0
    assert listener.of("loaded") == [("base",), ("base:first",), ("base:second",)]
    assert ("used", "base") in listener.events and ("used", "base:second") in listener.events
    host.close()


def test_concurrent_leases_keep_their_own_adapter_selected(dirs, expected):
    host = ModelHost(transformers_loader)
    base, first, second = specs(dirs)
    wanted = [base, first, second] * 3
    answers: dict[int, str] = {}

    def worker(index, spec):
        with host.acquire(spec) as backend:
            answers[index] = backend.generate(PROMPT).text

    threads = [threading.Thread(target=worker, args=(i, s)) for i, s in enumerate(wanted)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == {i: expected[s.adapter_name or "base"] for i, s in enumerate(wanted)}
    host.close()


def test_unloading_an_adapter_keeps_the_base_and_unloading_the_base_takes_its_adapters(dirs, expected):
    loader, listener = CountingLoader(), Recorder()
    host = ModelHost(loader, listener=listener)
    _base, first, second = specs(dirs)
    host.acquire(first).release()
    host.acquire(second).release()
    assert host.unload("base:first") is True
    assert sorted(r.name for r in host.resident()) == ["base", "base:second"]
    with host.acquire(first) as backend:  # attached again, same name, right answer
        assert backend.generate(PROMPT).text == expected["first"]
    host.unload("base")
    assert host.resident() == [] and loader.loaded == ["base"]
    assert sorted(listener.of("unloaded")) == [
        ("base", "unloaded"),
        ("base:first", "unloaded"),
        ("base:first", "unloaded"),
        ("base:second", "unloaded"),
    ]


def test_adapter_names_need_their_base_spec():
    with pytest.raises(ValueError, match="use ModelSpec.for_adapter"):
        ModelSpec(name="base:first", path="/x")
    base = ModelSpec(name="base", path="/b")
    with pytest.raises(ValueError, match="named 'base:<adapter>'"):
        ModelSpec(name="other:first", path="/a", base=base)


@pytest.fixture
def fake():
    memory = FakeMemory()
    loader = FakeLoader(memory)
    return loader, ModelHost(loader, probe=FakeProbe(memory, total=1000), clock=Clock())


def test_a_pinned_adapter_keeps_its_base(fake):
    _loader, host = fake
    base = ModelSpec(name="b", path="/b", estimated_bytes=300)
    host.acquire(ModelSpec.for_adapter(base, "p", "/p", pinned=True)).release()  # b + b:p = 310
    host.clock.advance()
    host.acquire(ModelSpec(name="x", path="/x", estimated_bytes=300)).release()
    host.clock.advance()
    host.acquire(ModelSpec(name="y", path="/y", estimated_bytes=300)).release()  # b is the LRU, but pinned through b:p
    assert sorted(r.name for r in host.resident()) == ["b", "b:p", "y"]


def test_an_idle_adapter_goes_alone(fake):
    loader, host = fake
    base = ModelSpec(name="b", path="/b", estimated_bytes=300)
    host.acquire(ModelSpec.for_adapter(base, "i", "/i", keep_alive_seconds=1)).release()
    host.clock.advance(5)
    host.acquire(base).release()
    assert host.unload_idle() == ["b:i"]
    assert [r.name for r in host.resident()] == ["b"] and loader.backends["b"].adapters == {}


def test_an_adapter_follows_its_base_through_a_swap(fake):
    _loader, host = fake
    old = ModelSpec(name="b1", path="/b1", estimated_bytes=100)
    new = ModelSpec(name="b2", path="/b2", estimated_bytes=100)
    with host.acquire(ModelSpec.for_adapter(old, "a", "/a")) as backend:
        assert backend.generate(PROMPT).text == "b1+a"
    host.swap("b1", new)
    with host.acquire(ModelSpec.for_adapter(old, "a", "/a")) as backend:
        assert backend.generate(PROMPT).text == "b2+a"
    assert sorted(r.name for r in host.resident()) == ["b2", "b2:a"]
    with pytest.raises(UnknownModel):
        host.acquire("b3:a")


def test_a_lease_for_another_adapter_waits_until_the_base_is_free(fake):
    _loader, host = fake
    base = ModelSpec(name="b", path="/b", estimated_bytes=100)
    x, y = ModelSpec.for_adapter(base, "x", "/x"), ModelSpec.for_adapter(base, "y", "/y")
    held = host.acquire(x)
    same = host.acquire(x)  # the same selection shares the base at once
    same.release()
    got = threading.Event()
    answer = {}

    def other():
        with host.acquire(y) as backend:
            got.set()
            answer["text"] = backend.generate(PROMPT).text

    thread = threading.Thread(target=other)
    thread.start()
    assert not got.wait(0.2)  # b:y waits: b must keep x selected while held is open
    assert held.backend.generate(PROMPT).text == "b+x"
    held.release()
    thread.join(5)
    assert answer["text"] == "b+y"
    with host.acquire(base) as backend:
        assert backend.generate(PROMPT).text == "b"
