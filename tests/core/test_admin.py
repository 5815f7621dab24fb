"""Operators work in admin: every model of ours is there, with list filters and search."""

import pytest
from django.contrib import admin

OUR_APPS = {"core", "workers", "hobbies", "memoryhub", "models_suite", "learning", "authtoken", "django_celery_beat"}


def registered_models(*, with_changelist: bool = False):
    """Our models in admin; with_changelist: only those whose page is Django's changelist (not a page of its
    own, like the key-value browser, which filters by namespace and pattern by its own means)."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS and (model._meta.managed or not with_changelist)
    ]


def test_every_model_of_ours_is_in_admin():
    from django.apps import apps

    product_apps = {"core", "workers", "hobbies", "memoryhub", "models_suite", "learning"}
    ours = {m for m in apps.get_models() if m._meta.app_label in product_apps}
    assert ours <= {model for model, _ in registered_models()}


@pytest.mark.parametrize(
    "model, model_admin", registered_models(with_changelist=True), ids=lambda v: getattr(v, "__name__", "")
)
def test_every_admin_list_has_filters_and_search(model, model_admin):
    assert model_admin.list_filter, f"{model.__name__} admin has no list filters"
    assert model_admin.search_fields, f"{model.__name__} admin has no search"


def test_operators_see_error_events_and_workers_in_admin(client, db):
    from core.services import error_event_record, role_user_ensure

    role_user_ensure(username="op", role="operator", password="pw-for-tests-1")
    client.login(username="op", password="pw-for-tests-1")
    error_event_record(source="task", message="the disk is full", task_name="t")
    for path in [
        "/admin/",
        "/admin/core/errorevent/?source=task&q=disk",
        "/admin/workers/machine/",
        "/admin/workers/workerheartbeat/?status=stale",
        "/admin/django_celery_beat/periodictask/",
        "/admin/django_celery_beat/intervalschedule/?q=prune&period=days",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert b"the disk is full" in client.get("/admin/core/errorevent/?q=disk").content


# --- permissions: a refusal is a 403, never a 500 ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/admin/auth/user/", "/admin/memoryhub/keyvaluenamespace/", "/admin/core/errorevent/"]
)
def test_staff_without_the_permission_gets_403_not_500(client, django_user_model, path):
    from core.models import ErrorEvent

    user = django_user_model.objects.create_user(username="clerk", password="pw-for-tests-1", is_staff=True)
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 403, response.content[:500]
    assert not ErrorEvent.objects.exists()  # a refusal is not a failure of ours


@pytest.mark.parametrize("path", ["/admin/auth/user/", "/admin/memoryhub/keyvaluenamespace/"])
def test_an_operator_opens_what_staff_without_permission_cannot(client, db, path):
    from core.services import role_user_ensure

    role_user_ensure(username="op", role="operator", password="pw-for-tests-1")
    client.login(username="op", password="pw-for-tests-1")
    assert client.get(path).status_code == 200
