import pytest

from tests.hobbies.conftest import _hobby_types  # noqa: F401  (the type rows a transactional flush removes)
from tests.hobbies.metrics_factories import finished, subagent


@pytest.fixture
def activity(db):
    """A finished activity (3 right, 1 wrong addition attempts) with the insights its analysis wrote."""
    return finished(hobby_type="SKILL_PRACTICE", agent=subagent("sa-1"), heldout=0.6)


@pytest.fixture
def insight(activity):
    return activity.insights.order_by("pk").first()
