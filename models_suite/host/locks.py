"""One loader at a time per device: a Redis lock per machine and device, shared by every process of the
machine (Celery workers, gunicorn, management commands), so two processes never load onto a GPU at once
and each measures its load without another's allocations mixed in."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import LockError, RedisError

from models_suite.host.spec import DeviceBusy, normalize_device

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "autodidact:model-host:device-lock"


class DeviceLock:
    """`with lock.hold("cuda:0"):` blocks until this machine's lock for that device is free.

    `timeout`: the lock expires this long after it was last refreshed, so a process killed mid-load does not
    block the device for ever; while held, a daemon thread refreshes it every timeout/3 (loads may take
    longer than `timeout`). `blocking_timeout`: give up waiting after this long, raising DeviceBusy.
    """

    def __init__(
        self,
        redis_client,
        machine: str,
        *,
        timeout: float = 60.0,
        blocking_timeout: float | None = 600.0,
        prefix: str = DEFAULT_PREFIX,
    ):
        if not machine:
            raise ValueError("a device lock needs the machine's name")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.redis, self.machine, self.timeout, self.blocking_timeout = redis_client, machine, timeout, blocking_timeout
        self.prefix = prefix

    def key(self, device: str) -> str:
        return f"{self.prefix}:{self.machine}:{normalize_device(device)}"

    @contextmanager
    def hold(self, device: str) -> Iterator[None]:
        # thread_local=False: the refresher thread must see the token this thread acquired with.
        lock = self.redis.lock(
            self.key(device),
            timeout=self.timeout,
            blocking=True,
            blocking_timeout=self.blocking_timeout,
            thread_local=False,
            sleep=0.05,
        )
        if not lock.acquire():
            raise DeviceBusy(
                f"{device} on {self.machine} has been loading another model for over "
                f"{self.blocking_timeout:g} s (lock {self.key(device)}); try again later"
            )
        stop = threading.Event()

        def refresh():
            while not stop.wait(self.timeout / 3):
                try:
                    lock.reacquire()
                except (RedisError, OSError) as exc:  # lost or unreachable: the load goes on, the warning says so
                    log.warning("device lock %s could not be refreshed: %s", lock.name, exc)
                    return

        refresher = threading.Thread(target=refresh, name=f"device-lock-{device}", daemon=True)
        refresher.start()
        try:
            yield
        finally:
            stop.set()
            refresher.join()
            try:
                lock.release()
            except LockError as exc:  # it expired and perhaps another process holds it now
                log.warning("device lock %s was lost before release: %s", lock.name, exc)


class LocalDeviceLock:
    """The same contract within one process only (tests, a single-process install without Redis)."""

    def __init__(self, *, blocking_timeout: float | None = None):
        self.blocking_timeout = blocking_timeout
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, device: str) -> Iterator[None]:
        device = normalize_device(device)
        with self._guard:
            lock = self._locks.setdefault(device, threading.Lock())
        if not lock.acquire(timeout=-1 if self.blocking_timeout is None else self.blocking_timeout):
            raise DeviceBusy(f"{device} has been loading another model for over {self.blocking_timeout:g} s")
        try:
            yield
        finally:
            lock.release()
