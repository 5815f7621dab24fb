import pytest

from tests.models_suite.conftest import cloud, tiny  # noqa: F401  (a tiny registered model; a cloud LLM on loopback)


@pytest.fixture(autouse=True)
def _hobby_types(request):
    """The eight type rows the data migrations made, which a transactional test's flush removes."""
    if {"db", "transactional_db"} & set(request.fixturenames):
        from hobbies.catalogue import CATALOGUE
        from hobbies.models import HobbyType

        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        HobbyType.objects.bulk_create(
            [HobbyType(name=spec.name, enabled=spec.enabled_by_default) for spec in CATALOGUE.values()],
            ignore_conflicts=True,
        )


@pytest.fixture(autouse=True)
def _forget_live_machines():
    """Which machines have live workers is kept 2 s per process (hobbies.assignments.machines_live): each test
    starts its own workers."""
    from hobbies import assignments, services

    assignments._live = (0.0, [])
    services.config_snapshot_forget()  # and the configuration, kept 5 s: tests change it directly
    yield
    assignments._live = (0.0, [])
    services.config_snapshot_forget()
