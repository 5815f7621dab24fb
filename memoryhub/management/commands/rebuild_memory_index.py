from django.core.management.base import BaseCommand

from memoryhub.services.embeddings import namespaces_with_embeddings
from memoryhub.services.indexes import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the memory hub's vector index of a namespace (default: every namespace) from the database."

    def add_arguments(self, parser):
        parser.add_argument("--namespace", help="one namespace (default: all that have embeddings)")

    def handle(self, *args, namespace=None, **options):
        for name in [namespace] if namespace else namespaces_with_embeddings():
            self.stdout.write(f"{name}: {index_rebuild(namespace=name)} vectors")
