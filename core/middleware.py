"""Error shape and request size guards, outermost in the middleware stack."""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf_exceptions

from core.errors import AppError, app_error_response, error_response, server_error_view
from core.heavy import answering
from core.services import error_event_record

# Pages people use render their own HTML errors (a form's 403, admin's 404); everything else answers JSON.
HTML_PATH_PREFIXES = ("/admin/", "/accounts/", "/feedback/", "/api/docs/")

CODES_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def record_request_failure(request, *, exception=None, status_code: int = 500) -> None:
    if getattr(request, "_error_recorded", False):
        return
    request._error_recorded = True
    error_event_record(
        source="request",
        exception=exception,
        message="" if exception else f"response status {status_code}",
        route=f"{request.method} {request.path}",
        status_code=status_code,
    )


class ErrorShapeMiddleware:
    """Every error leaves in the one JSON shape, no traceback ever reaches a client, every 5xx is recorded.

    Also covers what escapes the views: Django's own 404 for unknown routes, and DEBUG's HTML pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status >= 500 and not getattr(response, "expected_unavailable", False):
            record_request_failure(request, status_code=status)
        shaped = getattr(response, "autodidact_error", False)
        if status >= 400 and not shaped and (status >= 500 or not request.path.startswith(HTML_PATH_PREFIXES)):
            response = self._reshape(request, status)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return _too_large()
        if isinstance(exception, (PermissionDenied, Http404)):
            # A refusal or a missing object, not a failure of ours: nothing to record. Pages people use get
            # Django's own handler (admin's 403 page for a staff user without the permission); the rest JSON.
            if request.path.startswith(HTML_PATH_PREFIXES):
                return None
            if isinstance(exception, PermissionDenied):
                return error_response(403, "forbidden", str(drf_exceptions.PermissionDenied.default_detail))
            return error_response(404, "not_found", str(drf_exceptions.NotFound.default_detail))
        if isinstance(exception, AppError):
            # A plain Django view that called a service: the same status and shape as an API view answers with.
            if exception.status >= 500:
                record_request_failure(request, exception=exception, status_code=exception.status)
            return app_error_response(exception)
        record_request_failure(request, exception=exception)
        return server_error_view(request)

    @staticmethod
    def _reshape(request, status: int):
        if status == 404:
            return error_response(404, "not_found", f"No route matches {request.path}.")
        if status == 500:
            return server_error_view(request)
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        return error_response(status, CODES_BY_STATUS.get(status, "error"), phrase + ".")


def _too_large(length: int | None = None):
    limit = settings.MAX_REQUEST_BODY_BYTES
    size = f"{length} bytes" if length is not None else "too large"
    return error_response(
        413,
        "payload_too_large",
        f"The request body is {size}; the limit is {limit} bytes (1 MiB).",
        {"limit_bytes": limit, "content_length": length},
    )


class BodySizeLimitMiddleware:
    """Refuses bodies over MAX_REQUEST_BODY_BYTES before anything reads them.

    DRF's parsers stream the body straight from the socket, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
    check, so the limit has to be enforced here on the declared length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # WSGI hands Django no length for a chunked body, and Django then reads it as empty: the request
            # would run with its defaults while the client believes its body was used.
            return error_response(411, "length_required", "Send the body with a Content-Length, not chunked.")
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return error_response(400, "bad_request", f"Content-Length {raw!r} is not a number.")
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return _too_large(length)
        return self.get_response(request)


class HeavyWorkGuardMiddleware:
    """Marks the request being answered, so that @worker_only services refuse to run inside it (core.heavy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with answering(request.path):
            return self.get_response(request)
