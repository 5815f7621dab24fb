"""One error shape for every 4xx and 5xx: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

# DRF's exception classes carry default codes; these are the names clients read.
CODES_BY_EXCEPTION = {
    exceptions.ParseError: "malformed_json",
    exceptions.ValidationError: "invalid",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def error_response(status: int, code: str, message: str, details: Any = None, **headers) -> JsonResponse:
    response = JsonResponse(error_body(code, message, details), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response.autodidact_error = True  # type: ignore[attr-defined]  # a mark of ours: our middleware leaves shaped errors alone
    return response


# --- The application's errors ------------------------------------------------------------------------------------
# Services, tasks and commands raise these and know nothing of HTTP frameworks; the API's exception handler (below)
# and the middleware turn them into the one error shape, with the status and code each class names.


class AppError(Exception):
    """An error the application expects: its HTTP status, the code clients branch on, a message in words, and
    details (for invalid input, each field's messages). Raise a subclass; catch the subclass you expect."""

    status = 500
    code = "server_error"
    default_message = "Internal server error; it has been recorded."

    def __init__(self, message: str | None = None, *, code: str | None = None, details: dict | None = None):
        self.message = str(message) if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.details = details if details is not None else {}
        super().__init__(self.message)  # args alone rebuild it (pickle, Celery's result backend)

    def __str__(self) -> str:
        return self.message


class Invalid(AppError):
    """400 invalid: what was given is wrong. Details name each field and its messages, as in
    Invalid({"field": ["why"]}); a bare message (or list of them) is about the request as a whole."""

    status = 400
    code = "invalid"
    default_message = "Invalid input."

    def __init__(self, details: dict | list | str | None = None):
        given = details if details is not None else [self.default_message]
        fields = given if isinstance(given, dict) else {"request": given if isinstance(given, list) else [given]}
        super().__init__(invalid_message(fields))
        self.args = (details,)
        self.details = given if isinstance(given, dict) else {"non_field_errors": fields["request"]}


class NotFound(AppError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(AppError):
    """409: the request is fine but the current state refuses it. A more precise code (e.g. "not_resident") may be
    given."""

    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class TooLarge(AppError):
    status = 413
    code = "payload_too_large"
    default_message = "The request is too large."


class NotBuiltYet(AppError):
    """A capability that does not exist yet says so, instead of pretending."""

    status = 501
    code = "not_implemented"
    default_message = "This capability is not built yet."


class ServiceUnavailable(AppError):
    """503: a capability this request needs (a worker, a model, a machine of some role) is not there now."""

    status = 503
    code = "unavailable"
    default_message = "A capability this request needs is unavailable."


def invalid_message(fields: dict) -> str:
    """What an invalid request's message says: its first fields and their errors, in words. Many clients (OpenAI's
    among them) show only the message."""
    parts = [f"{field}: {_plain(errors)}" for field, errors in list(fields.items())[:3]]
    return "The request is invalid: " + "; ".join(parts)


def app_error_response(exc: AppError) -> JsonResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def query_int(request, name: str, default: int, low: int, high: int | None = None) -> int:
    """A whole-number query parameter within bounds, or a 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise exceptions.ValidationError({name: [f"{name} is a whole number {bounds}"]})
    return value


def _plain(errors) -> str:
    """A field's errors as words: nested ones (a list's items, an object's keys) say where, as "[1] ..."."""
    if isinstance(errors, dict):
        return " ".join(f"[{key}] {_plain(value)}" for key, value in errors.items())
    if isinstance(errors, list):
        return " ".join(_plain(error) for error in errors)
    return str(errors)


def _message_for(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return invalid_message(exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail})
    if isinstance(exc, exceptions.Throttled):
        # DRF sets Throttled.wait in __init__; its stubs do not declare it.
        return f"Rate limit exceeded. Try again in {exc.wait:.0f} seconds." if exc.wait else "Rate limit exceeded."  # type: ignore[attr-defined]
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        return HTTPStatus(exc.status_code).phrase
    return str(detail)


def api_exception_handler(exc, context):
    """DRF's handler, reshaped, and the application's errors (AppError) in the same shape. Anything else stays
    unhandled, for the middleware's 500."""
    original = exc
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, AppError):
        set_rollback()  # as DRF does for its own exceptions
        if exc.status >= 500:
            _record(context, original, exc.status)
        return app_error_response(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = CODES_BY_EXCEPTION.get(type(exc)) or getattr(exc, "default_code", None) or "error"
    details = exc.detail if isinstance(exc.detail, (list, dict)) else {}
    if isinstance(details, list):
        details = {"non_field_errors": details}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        details = {"retry_after_seconds": int(exc.wait + 0.999)}
    # A JSON response whatever renderer the view negotiated (the schema view speaks YAML), so every
    # client reads errors the same way; DRF's headers (WWW-Authenticate, Retry-After) come along.
    if response.status_code >= 500:
        _record(context, original, response.status_code)
    shaped = error_response(response.status_code, code, _message_for(exc), details)
    for name, value in response.headers.items():
        if name.lower() != "content-type":
            shaped[name] = value
    return shaped


def _record(context, exception: BaseException, status: int) -> None:
    from core.middleware import record_request_failure  # cycle: core.middleware imports this module

    request = context["request"]
    record_request_failure(getattr(request, "_request", request), exception=exception, status_code=status)


def not_found_view(request, exception=None):
    return error_response(404, "not_found", f"No route matches {request.path}.")


def server_error_view(request):
    return error_response(500, "server_error", "Internal server error; it has been recorded.")


def holds_nul(value: Any) -> bool:
    """Whether a NUL character is in any text of a JSON value, keys included."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def json_type_error(field: serializers.Field, value: Any) -> str | None:
    """Why `value`, as the JSON body carried it, is not of the type the schema documents for `field`; None if it is.

    DRF converts where JSON Schema does not: a CharField takes 12 as "12", a BooleanField takes 0, 1 and "yes",
    a FloatField takes false as 0.0 and "1.5" as 1.5. The schema says string, boolean and number, so clients
    that send other types are refused instead of having their value silently reinterpreted; a text's length is
    counted before any trimming, and no text inside a list, object or JSON value may hold a NUL character. None
    (null) is left to the field, which knows whether it allows it. Lists' and dicts' members are checked against
    their child.
    """
    if value is None:
        return None
    if isinstance(field, (serializers.JSONField, serializers.DictField, serializers.ListField)) and holds_nul(value):
        # PostgreSQL stores no NUL in text or JSON: refused here rather than failing the write with a 500.
        return "Text may not contain NUL (\\u0000) characters."
    if isinstance(field, serializers.JSONField):
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField):
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        return None if whole and not isinstance(value, bool) else "Must be a whole number."
    if isinstance(field, serializers.FloatField):
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "Must be a number."
    if isinstance(field, (serializers.CharField, serializers.SlugRelatedField, serializers.DateTimeField)):
        if not isinstance(value, str):
            return "Must be a string."
        # Counted as sent, as the schema's maxLength counts it: DRF trims whitespace first, so a text over the
        # limit by a leading space or two passed.
        limit = getattr(field, "max_length", None)
        if limit is not None and len(value) > limit:
            return f"Ensure this field has no more than {limit} characters."
        return None
    if isinstance(field, serializers.ChoiceField) and all(isinstance(key, str) for key in field.choices):
        return None if isinstance(value, str) else "Must be a string."
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Must be a list."
        for index, item in enumerate(value):
            problem = json_type_error(field.child, item)
            if problem:
                return f"Item {index}: {problem}"
    if isinstance(field, serializers.DictField):
        if not isinstance(value, dict):
            return "Must be an object."
        for key, item in value.items():
            problem = json_type_error(field.child, item)
            if problem:
                return f"{key}: {problem}"
    return None


class JsonTypesMixin:
    """Serializer mixin: each field takes the JSON type the schema documents for it (json_type_error), no other."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            wrong = {}
            for name, field in self.fields.items():
                if name in data and not field.read_only:
                    problem = json_type_error(field, data[name])
                    if problem:
                        wrong[name] = [problem]
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class StrictFieldsMixin(JsonTypesMixin):
    """Serializer mixin: keys the serializer does not declare are an error, not silently dropped, and each
    declared one must be of its documented JSON type.

    A typo such as {"max_concurent": 3} must fail loudly instead of leaving the default in place.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """A field not listed here is refused (400), and each listed one takes only the JSON type it documents."""


def validated(serializer_class, data) -> dict:
    """The serializer's validated data, or the 400 naming each bad field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
