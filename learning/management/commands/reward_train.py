import json

from django.core.management.base import BaseCommand, CommandError

from learning.feedback.reward_models import reward_model_train_pairs_file
from learning.reward import TrainConfig


class Command(BaseCommand):
    help = (
        "Train a new version of a reward model on a JSON Lines file (optionally gzipped) of "
        '{"chosen", "rejected"} dialogues, holding out a validation split of them. First chooses the '
        "feature set, penalties and n-gram mix by 3-fold cross-validation on the file (the procedure "
        "bench/bench_reward_model.py nests; --no-select keeps the defaults). Prints the held-out metrics; the "
        "last line is JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pairs", required=True, help="FILE.jsonl or FILE.jsonl.gz")
        parser.add_argument("--name", default="default", help="the model's name (default: default)")
        parser.add_argument("--seed", type=int, default=0, help="the split's and the training's seed")
        parser.add_argument(
            "--no-select",
            action="store_true",
            help="train with the default knobs instead of choosing them by cross-validation",
        )

    def handle(self, *args, pairs, name, seed, no_select, **options):
        try:
            row = reward_model_train_pairs_file(
                path=pairs,
                name=name,
                config=TrainConfig(seed=seed),
                select=not no_select,
                progress=lambda line: self.stderr.write(line),
            )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        metrics = row.metrics
        self.stdout.write(
            f"{row.name} v{row.version}: {metrics.get('train_pairs')} training pairs, "
            f"{metrics.get('validation_pairs')} held out, validation accuracy "
            f"{metrics.get('validation_accuracy')}, {metrics.get('seconds')} s; knobs "
            f"{(metrics.get('selection') or {}).get('knobs', 'defaults')}"
        )
        self.stdout.write(json.dumps({"name": row.name, "version": row.version, **metrics}))
