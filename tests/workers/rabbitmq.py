"""Runs a command with RabbitMQ as the broker, in a virtual host of its own that is deleted after:

    python -m tests.workers.rabbitmq run -- COMMAND ...

COMMAND gets CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672/autodidact-test-<random> (RABBITMQ_URL changes
the server and user). A vhost of its own keeps its queues apart from every other run's on a shared server: the
worker integration tests use fixed machine names, hence fixed queue names. Needs rabbitmqctl on this machine (the
vhost is made and removed with it); with no server listening, or no rabbitmqctl, it says so and exits 3.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from urllib.parse import quote, urlsplit, urlunsplit

from core.embedded_redis import run_to_completion

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
UNAVAILABLE = 3


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=2):
            return True
    except OSError:
        return False


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, stdout=subprocess.DEVNULL, timeout=60)


def main(argv: list[str]) -> int:
    if argv[:1] != ["run"] or len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    base = os.environ.get("RABBITMQ_URL", DEFAULT_URL)
    if not reachable(base) or not shutil.which("rabbitmqctl"):
        print(f"no RabbitMQ at {urlsplit(base).netloc.rpartition('@')[2]} or no rabbitmqctl here", file=sys.stderr)
        return UNAVAILABLE
    vhost, user = f"autodidact-test-{secrets.token_hex(4)}", urlsplit(base).username or "guest"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        url = urlunsplit(urlsplit(base)._replace(path="/" + quote(vhost, safe="")))
        print(f"RabbitMQ virtual host {vhost}", file=sys.stderr, flush=True)
        return run_to_completion(argv[2:], {**os.environ, "CELERY_BROKER_URL": url})
    finally:
        rabbitmqctl("delete_vhost", vhost)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
