import pytest
import redis
from django.conf import settings


@pytest.fixture
def memory_redis():
    """The memory hub's three Redis databases, empty before and after the test."""

    def flush():
        for url in settings.MEMORY_REDIS_URLS.values():
            redis.Redis.from_url(url).flushdb()

    flush()
    yield settings.MEMORY_REDIS_URLS
    flush()


@pytest.fixture
def index_dir(settings, tmp_path):
    """A directory of the test's own for the vector indexes, and no index held in this process."""
    from memoryhub.services.indexes import indexes_forget

    settings.MEMORY_INDEX_DIR = tmp_path / "indexes"
    indexes_forget()
    yield settings.MEMORY_INDEX_DIR
    indexes_forget()
