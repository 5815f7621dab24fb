import time

from django.core.management.base import BaseCommand

from memoryhub.services.graph_sync import graph_sync


class Command(BaseCommand):
    help = (
        "Bring the Neo4j engine's copy of the knowledge graph up to date with the truth: what changed since the last "
        "sync, or (--full) a rebuild from the whole truth. A no-op when GRAPH_ENGINE is sql."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild the copy from the whole truth")

    def handle(self, *args, full=False, **options):
        started = time.monotonic()
        result = graph_sync(full=full)
        figures = ", ".join(f"{key} {value}" for key, value in result.items() if key not in ("engine", "seconds"))
        self.stdout.write(f"{result['engine']}: {figures}; {time.monotonic() - started:.2f} s")
