import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from models_suite.builtin import TerminalProgress
from models_suite.models import ModelArtifact
from models_suite.services.builtin import (
    BUILTIN_NAME,
    PROFILES,
    builtin_model_build,
    builtin_model_dir,
    builtin_model_measure,
    builtin_model_present,
)
from models_suite.services.hosting import host_shutdown


class Command(BaseCommand):
    help = (
        "Build the built-in base model offline (a small character-level GPT-2 pretrained on the evaluation "
        "suites' train splits, fixed seeds), register it, and measure it on every suite's held-out items."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="do nothing when it is already built")
        parser.add_argument(
            "--profile",
            choices=sorted(PROFILES),
            default="default",
            help="default: about five minutes on 2 cores; tiny: seconds, for tests",
        )
        parser.add_argument(
            "--measure-only",
            action="store_true",
            help="measure the built model on held-out items again, without building",
        )
        parser.add_argument(
            "--measure-limit",
            type=int,
            default=None,
            metavar="N",
            help="measure on the first N held-out items of each suite (default: all)",
        )

    def handle(self, *args, if_missing, profile, measure_only, measure_limit, **options):
        if settings.REDIS_EMBEDDED_MISSING:
            # Measuring loads the model through the host, whose device lock lives in Redis.
            raise CommandError(
                "bootstrap_model needs Redis: set REDIS_URL, run it while the stack runs, or "
                "run it as `python -m core.embedded_redis run -- python manage.py bootstrap_model`"
            )
        if measure_only:
            artifact = ModelArtifact.objects.filter(name=BUILTIN_NAME, builtin=True).first()
            if artifact is None:
                raise CommandError(f"{BUILTIN_NAME} is not built yet")
            return self._measure(artifact, measure_limit)
        if if_missing and builtin_model_present():
            self.stdout.write(f"{BUILTIN_NAME} is built: {builtin_model_dir()}")
            return
        config = PROFILES[profile]
        self.stdout.write(
            f"building {BUILTIN_NAME} ({profile}: {config.n_layer} layers, width {config.n_embd}, "
            f"context {config.n_ctx}, {config.max_steps} steps) in {builtin_model_dir()}"
        )
        artifact, report = builtin_model_build(config=config, progress=TerminalProgress(stream=sys.stdout))
        self.stdout.write(
            f"\nbuilt: {report.parameters:,} parameters, {report.steps} steps, "
            f"{report.tokens_per_s:,.0f} tokens/s, {report.seconds:.0f} s, final loss {report.final_loss:.3f}"
        )
        self._measure(artifact, measure_limit)

    def _measure(self, artifact, measure_limit):
        self.stdout.write("held-out scores (measured now, stored as evaluation runs):")
        try:
            runs = builtin_model_measure(artifact=artifact, limit=measure_limit)
        finally:
            host_shutdown()  # this process is about to exit: no placement may outlive it
        for run in runs:
            if run.status != "completed":
                self.stdout.write(f"  {run.suite:18} failed: {run.error}")
                continue
            skills = ", ".join(f"{skill} {score:.0%}" for skill, score in run.scores_by_skill.items())
            self.stdout.write(f"  {run.suite:18} {run.score:6.1%}  ({skills})")
