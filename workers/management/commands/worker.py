import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from core.env import ROLES, env_str
from workers.queues import queues_for


def worker_name() -> str:
    """WORKER_NAME, else "autodidact" for a worker of every role and the roles' names otherwise, so two
    workers of one machine (say "hobbies-memory" and "training") keep heartbeats of their own."""
    if env_str("WORKER_NAME"):
        return env_str("WORKER_NAME")
    roles = settings.MACHINE_ROLES
    return "autodidact" if set(roles) == set(ROLES) else "-".join(roles)


def worker_argv(*, concurrency: int | None = None, loglevel: str = "INFO") -> list[str]:
    """The celery command line of this machine's worker: every queue of MACHINE_ROLES, one node name."""
    queues = queues_for(settings.MACHINE_NAME, settings.MACHINE_ROLES)
    argv = [
        sys.executable, "-m", "celery", "-A", "workers", "worker",
        "--queues", ",".join(queues),
        "--hostname", f"{worker_name()}@{settings.MACHINE_NAME}",
        "--loglevel", loglevel,
        "--without-mingle", "--without-gossip",  # state lives in the database, not in worker chatter
    ]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    return argv


class Command(BaseCommand):
    help = "Start a Celery worker consuming this machine's queues (<role>.<MACHINE_NAME> for each of MACHINE_ROLES)."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, help="worker processes (default: one per core)")
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, concurrency, loglevel, **options):
        argv = worker_argv(concurrency=concurrency, loglevel=loglevel)
        self.stderr.write("starting: " + " ".join(argv[1:]))
        sys.stderr.flush()
        os.execv(argv[0], argv)  # signals reach celery directly, for its warm shutdown
