import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workers.queues import ROLES, QueueRole, queues_for

# Models stay resident in the process that loads them: the models queue gets a worker of one process, so
# that every load, swap, preload and request of a machine meets the same model host. Its tasks run in
# threads of that process, so a gateway request need not wait behind an evaluation; the host lets threads
# share a model and each backend generates one request at a time. Celery enforces no time limits on threads:
# models tasks bound themselves (max_tokens and the context, HTTP timeouts for remote endpoints).
# Training gets a worker of its own too, of one process: one job at a time holds the machine's accelerator (or
# its cores), and a second run beside it would only slow both and risk running out of memory.
SINGLE_PROCESS_ROLES = {QueueRole.MODELS.value, QueueRole.TRAINING.value}  # values: messages list them as names


def worker_name(roles: list[str]) -> str:
    """WORKER_NAME, else "autodidact" for a worker of every role and the roles' names otherwise, so two
    workers of one machine (say "control-hobbies" and "models") keep heartbeats of their own."""
    if settings.WORKER_NAME:
        return settings.WORKER_NAME
    return "autodidact" if set(roles) == set(ROLES) else "-".join(roles)


def worker_argv(
    *,
    roles: list[str] | None = None,
    concurrency: int | None = None,
    loglevel: str = "INFO",
    machine: str | None = None,
    hostname: str | None = None,
) -> list[str]:
    """The celery command line of a worker for these roles (default: MACHINE_ROLES) of this machine."""
    roles = roles or settings.MACHINE_ROLES
    machine = machine or settings.MACHINE_NAME
    if set(roles) & SINGLE_PROCESS_ROLES and len(roles) > 1:
        raise CommandError(f"run each of {sorted(SINGLE_PROCESS_ROLES)} in a worker of its own (--roles models)")
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers",
        "worker",
        "--queues",
        ",".join(queues_for(machine, roles)),
        "--hostname",
        hostname or f"{worker_name(roles)}@{machine}",
        "--loglevel",
        loglevel,
        "--without-mingle",
        "--without-gossip",  # state lives in the database, not in worker chatter
    ]
    if QueueRole.MODELS in roles:
        argv += ["--pool", "threads", "--concurrency", str(settings.MODELS_WORKER_THREADS)]
    elif QueueRole.TRAINING in roles:
        argv += ["--concurrency", "1"]
    elif concurrency:
        argv += ["--concurrency", str(concurrency)]
    return argv


def worker_role_groups(roles: list[str]) -> list[list[str]]:
    """The workers a machine needs for its roles: the model roles apart, everything else together."""
    apart = [[role] for role in roles if role in SINGLE_PROCESS_ROLES]
    together = [role for role in roles if role not in SINGLE_PROCESS_ROLES]
    return ([together] if together else []) + apart


class Command(BaseCommand):
    help = (
        "Start a Celery worker consuming this machine's queues (<role>.<MACHINE_NAME>) for --roles "
        "(default: MACHINE_ROLES). The models role runs in a worker of its own (one process, "
        "MODELS_WORKER_THREADS threads), and so does training (one job at a time)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--roles", help="comma-separated roles (default: MACHINE_ROLES)")
        parser.add_argument(
            "--concurrency", type=int, help="worker processes (default: one per core; not for the models role)"
        )
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, roles, concurrency, loglevel, **options):
        chosen = [r.strip() for r in roles.split(",") if r.strip()] if roles else settings.MACHINE_ROLES
        unknown = sorted(set(chosen) - set(ROLES))
        if unknown:
            raise CommandError(f"unknown roles {unknown}; roles are {list(ROLES)}")
        argv = worker_argv(roles=chosen, concurrency=concurrency, loglevel=loglevel)
        self.stderr.write("starting: " + " ".join(argv[1:]))
        sys.stderr.flush()
        os.execv(argv[0], argv)  # signals reach celery directly, for its warm shutdown
