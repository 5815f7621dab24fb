"""The Redis device lock: loads onto one device of one machine never overlap, whether from two hosts in
one process (two threads) or from two processes. Loaders count themselves in and out through Redis, so the
check is about ordering (never two inside at once), not about wall-clock thresholds."""

import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis

from models_suite.host import DeviceBusy, DeviceLock, ModelHost, ModelSpec
from models_suite.host.fakes import FakeLoader, FakeMemory, FakeProbe

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        from django.conf import settings

        url = settings.REDIS_URL
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"these tests need Redis (run under `python -m core.embedded_redis run --`): {exc}")
    return url


@pytest.fixture
def machine():
    return f"test-{uuid.uuid4().hex[:8]}"


class CountingLoader(FakeLoader):
    """Counts itself in and out of loading in Redis; `events` records each start and end, in order."""

    def __init__(self, url, machine, label, memory):
        super().__init__(memory)
        self.redis = redis.Redis.from_url(url)
        self.key, self.label = f"{machine}:inside", label

    def __call__(self, spec):
        inside = self.redis.incr(self.key)
        self.redis.rpush(f"{self.key}:events", f"start {self.label} {inside}")
        time.sleep(0.2)  # long enough that an unlocked second loader would start meanwhile
        self.redis.rpush(f"{self.key}:events", f"end {self.label}")
        self.redis.decr(self.key)
        return super().__call__(spec)


def events(url, machine):
    return [e.decode() for e in redis.Redis.from_url(url).lrange(f"{machine}:inside:events", 0, -1)]


def assert_serialized(log, labels):
    # Each load is "start X 1" immediately followed by "end X": nobody else was inside meanwhile.
    assert len(log) == 2 * len(labels), log
    for start, end in zip(log[::2], log[1::2]):
        label = start.split()[1]
        assert start == f"start {label} 1" and end == f"end {label}", log
    assert sorted(s.split()[1] for s in log[::2]) == sorted(labels)


def test_two_hosts_in_two_threads_load_one_at_a_time(redis_url, machine):
    hosts = []
    for label in ("a", "b", "c"):
        memory = FakeMemory()
        lock = DeviceLock(redis.Redis.from_url(redis_url), machine, timeout=5, blocking_timeout=30)
        hosts.append(
            ModelHost(CountingLoader(redis_url, machine, label, memory), probe=FakeProbe(memory), device_lock=lock)
        )
    barrier = threading.Barrier(len(hosts))
    errors = []

    def load(host, name):
        barrier.wait()
        try:
            host.acquire(ModelSpec(name=name, path="/m", estimated_bytes=10)).release()
        except Exception as exc:  # noqa: BLE001 - whatever happens in the thread is checked below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(h, n)) for h, n in zip(hosts, ("m1", "m2", "m3"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert_serialized(events(redis_url, machine), ["a", "b", "c"])


CHILD = textwrap.dedent("""
    import sys, time, redis
    from models_suite.host import DeviceLock, ModelHost, ModelSpec
    from models_suite.host.fakes import FakeMemory, FakeProbe
    from tests.models_suite.test_host_lock import CountingLoader

    url, machine, label = sys.argv[1:4]
    client = redis.Redis.from_url(url)
    client.incr(machine + ":ready")
    while not client.exists(machine + ":go"):
        time.sleep(0.01)
    memory = FakeMemory()
    host = ModelHost(CountingLoader(url, machine, label, memory), probe=FakeProbe(memory),
                     device_lock=DeviceLock(client, machine, timeout=5, blocking_timeout=30))
    host.acquire(ModelSpec(name="m-" + label, path="/m", estimated_bytes=10)).release()
""")


def test_two_processes_load_one_at_a_time(redis_url, machine):
    client = redis.Redis.from_url(redis_url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, redis_url, machine, label],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for label in ("p", "q")
    ]
    deadline = time.monotonic() + 60
    while int(client.get(f"{machine}:ready") or 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    client.set(f"{machine}:go", 1)
    for child in children:
        _, stderr = child.communicate(timeout=60)
        assert child.returncode == 0, stderr
    assert_serialized(events(redis_url, machine), ["p", "q"])


def test_a_held_device_makes_others_wait_then_give_up(redis_url, machine):
    holder = DeviceLock(redis.Redis.from_url(redis_url), machine, timeout=5)
    waiter = DeviceLock(redis.Redis.from_url(redis_url), machine, timeout=5, blocking_timeout=0.2)
    with holder.hold("cpu"):
        with pytest.raises(DeviceBusy, match=f"cpu on {machine} has been loading another model"), waiter.hold("cpu"):
            pass
        with waiter.hold("cuda"):  # another device has its own lock
            pass
    with waiter.hold("cpu"):  # free again
        pass


def test_the_lock_is_refreshed_while_a_long_load_holds_it(redis_url, machine):
    client = redis.Redis.from_url(redis_url)
    lock = DeviceLock(client, machine, timeout=0.3)
    with lock.hold("cuda:1"):
        time.sleep(0.8)  # well past the 0.3 s expiry: still held thanks to the refresher
        assert client.exists(lock.key("cuda:1")) and client.pttl(lock.key("cuda:1")) > 0
    assert not client.exists(lock.key("cuda:1"))
