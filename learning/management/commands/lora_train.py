import json
import time

from django.core.management.base import BaseCommand, CommandError

from core.errors import AppError
from learning.loop import jobs


class Command(BaseCommand):
    help = (
        "Start a LoRA training job on graded practice of the last --days-back days and show its progress bar "
        "until it ends: run here with --here, else by a training worker (followed until it finishes). "
        "--follow JOB_ID follows a job already started."
    )

    def add_arguments(self, parser):
        parser.add_argument("--model", default="", help="base model name (default: the hobby engine's default)")
        parser.add_argument("--skill", default="", help="focus skill (others replayed)")
        parser.add_argument("--hobby-type", default="", help="the hobby type its adapter serves (default: all)")
        parser.add_argument("--days-back", type=int, default=30)
        parser.add_argument("--min-quality", type=float, default=0.6)
        parser.add_argument("--config", default="{}", help='LoRA hyperparameters as JSON, e.g. {"max_steps": 200}')
        parser.add_argument("--here", action="store_true", help="train in this process instead of on a worker")
        parser.add_argument("--follow", default="", metavar="JOB_ID", help="only follow an existing job")

    def handle(self, *args, **options):
        try:
            if options["follow"]:
                job = jobs.job_get(job_id=options["follow"])
            else:
                job = jobs.job_create(
                    model_name=options["model"],
                    config=json.loads(options["config"]),
                    days_back=options["days_back"],
                    min_quality=options["min_quality"],
                    skill=options["skill"],
                    hobby_type=options["hobby_type"],
                    send=not options["here"],
                )
                self.stderr.write(f"{job.job_id}: accepted; its dataset is built as it starts")
        except json.JSONDecodeError as error:
            raise CommandError(f"--config is not JSON: {error}") from None
        except AppError as error:  # an unknown model or job, bad hyperparameters, too little data: said as JSON
            raise CommandError(json.dumps(error.details or error.message, default=str)) from None
        bar = terminal_bar(self.stderr._out)
        if options["here"] and not options["follow"]:
            job = jobs.job_execute(
                job_pk=job.pk,
                on_progress=lambda report: bar(
                    report.step,
                    report.total_steps,
                    report.loss,
                    report.tokens_per_second,
                    report.elapsed_seconds,
                    report.eta_seconds,
                ),
            )
        else:
            job = follow(job, bar)
        self.stdout.write(json.dumps(jobs.job_shape(job), default=str))
        if job.status != job.Status.COMPLETED:
            raise CommandError(f"{job.job_id} ended {job.status}: {job.error_message}")


def terminal_bar(stream):
    """The built-in model's progress bar, fed a training job's figures."""
    # heavy: torch/transformers load only when a model is used
    from models_suite.builtin.config import BuildProgress
    from models_suite.builtin.progress import TerminalProgress

    show = TerminalProgress(stream)

    def draw(step, total, loss, tokens_per_second, elapsed, eta):
        show(
            BuildProgress(
                step=step,
                total_steps=total,
                loss=loss or 0.0,
                tokens_per_s=tokens_per_second or 0.0,
                elapsed_s=elapsed or 0.0,
                eta_s=eta if eta is not None else float("nan"),
            )
        )

    return draw


def follow(job, bar, *, every: float = 1.0):
    """Redraw from the job's row until it ends (the worker writes progress as it trains)."""
    last = None
    while True:
        job.refresh_from_db()
        progress = job.progress
        if progress and progress.get("step") != last:
            last = progress["step"]
            bar(
                progress["step"],
                progress["total_steps"],
                progress.get("loss"),
                progress.get("tokens_per_second"),
                progress.get("elapsed_seconds"),
                progress.get("eta_seconds"),
            )
        if job.status not in job.ACTIVE:
            return job
        time.sleep(every)
