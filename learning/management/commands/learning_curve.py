import json

from django.core.management.base import BaseCommand, CommandError

from learning.loop.curve import curve_run, curve_table
from learning.loop.curve import plot as draw

MAX_CYCLES = 50
MAX_FRESH_ITEMS = 2000


class Command(BaseCommand):
    help = (
        "Run N learning cycles back to back here on the default model and print the learning curve: per cycle "
        "the skill, the champion's held-out accuracy per skill before and after, promoted or not, and seconds. "
        "With --json the last line is {cycles, start, end, mean_gain, weakest_at_start, seconds}; --plot draws "
        "the curve to a PNG."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycles", type=int, default=5, help=f"how many cycles, 1 to {MAX_CYCLES} (default 5)")
        parser.add_argument("--skill", default="", help="work on this skill every cycle (default: the bandit's choice)")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON on the last line")
        parser.add_argument("--plot", default="", metavar="FILE.png", help="draw the curve into this PNG")
        parser.add_argument("--seed", type=int, default=None, help="fix the practice items and the bandit's draws")
        parser.add_argument(
            "--fresh-items",
            type=int,
            default=0,
            metavar="N",
            help="at the end, measure the start and end champions again on N fresh held-out items per suite that "
            "no cycle read (0-2000; default 0: not measured)",
        )

    def handle(self, *args, cycles: int, skill: str, json: bool, plot: str, seed, fresh_items: int, **options):
        if not 1 <= cycles <= MAX_CYCLES:
            raise CommandError(f"--cycles must be 1 to {MAX_CYCLES}, got {cycles}")
        if not 0 <= fresh_items <= MAX_FRESH_ITEMS:
            raise CommandError(f"--fresh-items must be 0 to {MAX_FRESH_ITEMS}, got {fresh_items}")
        if plot and not plot.lower().endswith(".png"):
            raise CommandError(f"--plot takes a .png file name, got {plot!r}")
        try:
            curve = curve_run(
                cycles=cycles,
                skill=skill,
                seed=seed,
                fresh_items=fresh_items,
                echo=lambda line: self.stderr.write(line),
            )
        except (LookupError, ValueError) as error:
            raise CommandError(str(error)) from None
        for line in curve_table(curve):
            self.stdout.write(line)
        if plot:
            draw(curve, plot)
            self.stdout.write(f"curve drawn to {plot}")
        if json:
            self.stdout.write(_dumps(curve))


def _dumps(value) -> str:
    return json.dumps(value)
