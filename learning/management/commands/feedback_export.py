import json
import sys

from django.core.management.base import BaseCommand

from learning.feedback.exports import FORMATS, export_rows


class Command(BaseCommand):
    help = (
        "Write rated insights as JSON Lines in a format TRL reads: sft (prompt, completion), preferences "
        "(prompt, chosen, rejected) or kto (prompt, completion, label)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, format, out=None, **options):
        stream = open(out, "w", encoding="utf-8") if out else sys.stdout
        count = 0
        try:
            for row in export_rows(format):
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if out:
                stream.close()
        self.stderr.write(f"{count} {format} examples")
