import fcntl
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core import stack
from core.embedded_redis import EmbeddedRedis, stop_leftover
from core.services import operator_bootstrap
from workers.management.commands.worker import worker_argv, worker_role_groups


class Command(BaseCommand):
    help = "Run the whole stack in the foreground (what `make run` does). Ctrl-C stops every process it started."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--web-workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--web-threads", type=int, default=settings.WEB_THREADS)
        parser.add_argument("--worker-concurrency", type=int, default=settings.WORKER_CONCURRENCY)

    def handle(self, *args, host, port, web_workers, web_threads, worker_concurrency, **options):
        var = settings.VAR_DIR
        lock = open(var / "stack.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandError(f"Autodidact is already running from {var} (another `make run`)") from None
        env = dict(os.environ)  # the processes it starts read the same configuration, and REDIS_URL below
        redis_server = None
        try:
            if not env.get("REDIS_URL"):
                # We hold the lock, so a server still up in var/redis was left by a stack that crashed.
                stop_leftover(var / "redis")
                redis_server = EmbeddedRedis(var / "redis", avoid_ports={port})  # the web server binds it later
                env["REDIS_URL"] = redis_server.start()
                self.stdout.write(f"embedded redis on 127.0.0.1:{redis_server.port} (data in {var / 'redis'})")
            call_command("migrate", interactive=False, verbosity=0)
            account = operator_bootstrap(var_directory=var)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(stack.fresh_directory(var / "prometheus"))
            base_url = f"http://{host}:{port}"
            children = [
                stack.Child("web", stack.web_argv(host=host, port=port, workers=web_workers, threads=web_threads)),
                *[
                    stack.Child("worker-" + "-".join(roles), worker_argv(roles=roles, concurrency=worker_concurrency))
                    for roles in worker_role_groups(settings.MACHINE_ROLES)
                ],
                stack.Child(
                    "beat",
                    [sys.executable, "-m", "celery", "-A", "workers", "beat", "--loglevel", "INFO", "--pidfile="],
                ),
            ]
            self._banner(base_url, account, var)
            code = stack.run(
                stack.Stack(children, env),
                base_url,
                lambda: self.stdout.write(
                    self.style.SUCCESS(f"\nAutodidact is ready: {base_url}/admin/  (Ctrl-C stops it)\n")
                ),
            )
        finally:
            if redis_server is not None:
                redis_server.stop()
        sys.exit(code)

    def _banner(self, base_url, account, var):
        password = account.password or "(changed since first run; not shown)"
        self.stdout.write(
            f"\nAutodidact on {base_url}\n"
            f"  admin:    {base_url}/admin/\n"
            f"  user:     {account.username}\n"
            f"  password: {password}\n"
            f"  token:    {account.token}  (saved in {var / 'operator.token'})\n"
            f"  API:      {base_url}/api/v1/   docs: {base_url}/api/docs/\n"
        )
        self.stdout.flush()
