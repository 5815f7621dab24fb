"""The host with its real parts on CPU: the real memory probe (this process's RSS against the machine's RAM)
and a real tiny transformers model."""

import psutil
import pytest

from models_suite.backends import GenerationRequest
from models_suite.host import (
    BudgetExceeded,
    MemoryProbe,
    ModelHost,
    ModelSpec,
    transformers_loader,
)
from models_suite.host.spec import normalize_device
from tests.models_suite.tiny_models import build_tiny_model


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


def test_the_cpu_probe_reads_ram_and_this_process():
    probe = MemoryProbe()
    snapshot = probe.snapshot("cpu")
    assert snapshot.total == psutil.virtual_memory().total
    assert 0 < snapshot.used < snapshot.total and snapshot.budget == int(snapshot.total * 0.8)
    assert abs(snapshot.used - psutil.Process().memory_info().rss) < 64 << 20
    with pytest.raises(ValueError):
        MemoryProbe(budget_fraction=0)


def test_a_real_model_under_the_real_probe(model_dir):
    host = ModelHost(transformers_loader, probe=MemoryProbe(0.8))
    spec = ModelSpec(name="tiny", path=str(model_dir), estimated_bytes=1 << 20)
    with host.acquire(spec) as backend:
        result = backend.generate(GenerationRequest(prompt="Q:1+1=", max_tokens=4))
        assert result.completion_tokens >= 1
    (info,) = host.resident()
    assert info.backend_bytes == backend.memory_bytes() > 0
    assert info.measured_bytes >= 0 and info.load_seconds > 0 and info.device == "cpu"
    # More than the whole budget: refused before anything is evicted, the resident model named.
    huge = ModelSpec(name="huge", path=str(model_dir), estimated_bytes=psutil.virtual_memory().total)
    with pytest.raises(BudgetExceeded, match=r"cannot load 'huge' on cpu: .* Resident: tiny \("):
        host.acquire(huge)
    assert [r.name for r in host.resident()] == ["tiny"]
    # More than is free within the budget now: tiny, the only candidate, is evicted trying to make room.
    headroom = host.probe.snapshot("cpu").headroom
    if headroom > 0:
        tight = ModelSpec(name="tight", path=str(model_dir), estimated_bytes=headroom + (50 << 20))
        try:
            host.acquire(tight).release()
        except BudgetExceeded as exc:
            assert exc.resident == []  # tiny was evicted trying, and still it did not fit
        assert "tiny" not in [r.name for r in host.resident()]
    host.close()


def test_devices_are_normalized():
    assert normalize_device("cuda") == "cuda:0" and normalize_device("CPU") == "cpu"
    assert normalize_device("cuda:1") == "cuda:1"
    with pytest.raises(ValueError):
        normalize_device("tpu")


def test_the_cuda_probe_asks_the_driver_about_that_device(monkeypatch):
    import torch

    asked = []

    def mem_get_info(device):
        asked.append(device)
        return 30 << 30, 80 << 30  # free, total

    monkeypatch.setattr(torch.cuda, "mem_get_info", mem_get_info)
    snapshot = MemoryProbe(0.5).snapshot("cuda:1")
    assert (snapshot.total, snapshot.used, snapshot.budget) == (80 << 30, 50 << 30, 40 << 30)
    assert asked == [torch.device("cuda:1")]
