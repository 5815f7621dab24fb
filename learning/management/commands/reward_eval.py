import json

from django.core.management.base import BaseCommand, CommandError

from learning.feedback.reward_models import NoRewardModel, reward_model_evaluate_pairs


class Command(BaseCommand):
    help = (
        'Score a JSON Lines file (optionally gzipped) of {"chosen", "rejected"} dialogues with the latest '
        'version of a reward model; the last line is JSON {"pairs": N, "accuracy": X}, the share of pairs '
        "where chosen scores higher."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pairs", required=True, help="FILE.jsonl or FILE.jsonl.gz")
        parser.add_argument("--name", default="default", help="the model's name (default: default)")

    def handle(self, *args, pairs, name, **options):
        try:
            result = reward_model_evaluate_pairs(path=pairs, name=name)
        except (OSError, ValueError, NoRewardModel) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result))
