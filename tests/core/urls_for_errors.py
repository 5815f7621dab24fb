"""Test-only URLconf: the product's routes plus views that crash, to see what a client gets for a 500."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.urls import handler404, handler500  # noqa: F401
from core.urls import urlpatterns as product_urlpatterns

SECRET_IN_MESSAGE = "db password is hunter2"


def crash_plain(request):
    raise RuntimeError(SECRET_IN_MESSAGE)


class CrashApiView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get(self, request):
        raise RuntimeError(SECRET_IN_MESSAGE)


class SendControlWorkView(APIView):
    def post(self, request):
        from workers.tasks import ping_task

        ping_task.apply_async()  # no machine named: the router must find one with the control role


class InlineHeavyWorkView(APIView):
    """A view that forgot to queue its work: it calls a @worker_only service inline."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def post(self, request):
        from learning.loop.dataset_builds import build_execute

        build_execute(build_pk=1)


urlpatterns = [
    path("boom/plain", crash_plain),
    path("api/v1/heavy-inline", InlineHeavyWorkView.as_view()),
    path("api/v1/boom", CrashApiView.as_view()),
    path("api/v1/send-control-work", SendControlWorkView.as_view()),
    *product_urlpatterns,
]
