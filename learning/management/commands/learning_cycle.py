import json

from django.core.management.base import BaseCommand, CommandError

from learning.loop.cycle import cycle_run


class Command(BaseCommand):
    help = (
        "Run one whole learning cycle here on the default model (the built-in one unless configured): measure, "
        "choose a skill (the bandit over measured gains, or --skill), practise it with replay of every other "
        "suite, build a dataset, train a LoRA continuing the champion, A/B it against the champion on the same "
        "held-out items, promote or keep, watch. With --json the last line is {skill, before, after, others, "
        "promoted, status, seconds, cycle, recipe}: the champion's accuracies in percent at the start and end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--skill", default="", help="the skill to improve (default: the weakest)")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON on the last line")

    def handle(self, *args, skill, json: bool, **options):
        try:
            row, summary = cycle_run(skill=skill, trigger="command", echo=lambda line: self.stderr.write(line))
        except (LookupError, ValueError) as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(
                f"{summary['skill']}: {summary['before']} % -> {summary['after']} % "
                f"({summary['status']}) in {summary['seconds']} s"
            )
            for name, figures in summary["others"].items():
                self.stdout.write(f"  {name}: {figures['before']} % -> {figures['after']} %")


def _dumps(value) -> str:
    return json.dumps(value)
