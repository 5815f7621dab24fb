"""One error shape for every 4xx and 5xx: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

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
    response.autodidact_error = True  # our middleware leaves shaped errors alone
    return response


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "A capability this request needs is unavailable."
    default_code = "unavailable"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class NotBuiltYet(exceptions.APIException):
    """A capability that does not exist yet says so, instead of pretending."""

    status_code = 501
    default_detail = "This capability is not built yet."
    default_code = "not_implemented"


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
        # Name the fields in the message too: many clients (OpenAI's among them) show only the message.
        detail = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        parts = [f"{field}: {_plain(errors)}" for field, errors in list(detail.items())[:3]]
        return "The request is invalid: " + "; ".join(parts)
    if isinstance(exc, exceptions.Throttled):
        return f"Rate limit exceeded. Try again in {exc.wait:.0f} seconds." if exc.wait else "Rate limit exceeded."
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        return HTTPStatus(exc.status_code).phrase
    return str(detail)


def api_exception_handler(exc, context):
    """DRF's handler, reshaped. Anything DRF does not know stays unhandled, for the middleware's 500."""
    from workers.routing import NoMachineForRole

    original = exc
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, NoMachineForRole):
        exc = ServiceUnavailable(str(exc))
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
        from core.middleware import record_request_failure

        request = context["request"]
        record_request_failure(
            getattr(request, "_request", request), exception=original, status_code=response.status_code
        )
    shaped = error_response(response.status_code, code, _message_for(exc), details)
    for name, value in response.headers.items():
        if name.lower() != "content-type":
            shaped[name] = value
    return shaped


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
