from django.apps import AppConfig
from django.conf import settings

from memoryhub import embedder


class MemoryhubConfig(AppConfig):
    name = "memoryhub"
    verbose_name = "Memory hub"

    def ready(self):
        # The embedder is pure (no Django): it asks this for EMBEDDING_BF16 at each call, so an override applies.
        embedder.bf16_setting_from(lambda: settings.EMBEDDING_BF16)
