"""Heavy work never runs inside a request: a @worker_only service refuses while a request is being answered, and
a view that calls one inline is a 500 naming it on the error bus (the fuzzing run and the route tests then fail on
it), while workers, commands and tests call it freely."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.heavy import HeavyWorkInRequest, answering, worker_only
from core.models import ErrorEvent


@worker_only
def train_everything(x: int) -> int:
    return x + 1


def test_a_worker_only_service_runs_outside_a_request_and_refuses_inside_one():
    assert train_everything(1) == 2 and train_everything.worker_only is True
    with answering("/api/v1/anything"), pytest.raises(HeavyWorkInRequest) as refused:
        train_everything(1)
    assert "train_everything" in str(refused.value) and "/api/v1/anything" in str(refused.value)
    assert train_everything(2) == 3  # the mark ends with the request


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls_for_errors")
def test_a_view_doing_worker_work_inline_is_a_500_naming_it_on_the_error_bus():
    response = APIClient().post("/api/v1/heavy-inline")
    assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"
    event = ErrorEvent.objects.get()
    assert event.exception_type == "HeavyWorkInRequest" and "build_execute" in event.message
    assert "/api/v1/heavy-inline" in event.message
