"""OpenAPI: every operation documents the errors it can answer, in the one error shape."""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. invalid, not_found, throttled")
    message = serializers.CharField(help_text="What went wrong, for people")
    details = serializers.JSONField(help_text="Per-field errors or other structured facts; {} when none")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def documented_error(description: str) -> OpenApiResponse:
    """An error an operation answers beyond the usual ones, in the one error shape: extend_schema(responses={
    409: documented_error("The assignment has already finished")})."""
    return OpenApiResponse(ErrorSerializer, description=description)


ERROR_DESCRIPTIONS = {
    "400": "Malformed JSON, wrong types or unknown fields, or a malformed parameter; details name each one",
    "401": "No or invalid credentials",
    "403": "The caller's role does not allow this",
    "404": "No such object or route",
    "413": "Request body over 1 MiB",
    "429": "Rate limit exceeded",
    "500": "Internal error (recorded as an ErrorEvent)",
}


class AutoSchema(SpectacularAutoSchema):
    def _tokenize_path(self) -> list[str]:
        # Path parameters count in operation ids ("doc_by_namespace_by_doc_id_retrieve"): routes that differ
        # only by their parameters (/doc, /doc/{namespace}, /doc/{namespace}/{doc_id}) get ids of their own.
        path = re.sub(self.path_prefix, "", self.path, flags=re.IGNORECASE)
        path = re.sub(r"\{([\w\-]+)\}", r"by_\1", path)
        return [token for token in path.strip("/").split("/") if token]

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A list that may not be empty says so (spectacular leaves allow_empty=False out): generated clients, and
        # the fuzz test, would otherwise send [] and be told off for following the schema.
        if (
            isinstance(field, (serializers.ListField, serializers.ListSerializer))
            and not field.allow_empty
            and schema.get("type") == "array"
        ):
            schema.setdefault("minItems", 1)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["500"]
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            codes += ["401", "403"]
        if self.view.get_throttles():
            codes.append("429")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += ["400", "413"]
        elif self._checks_parameters():
            codes.append("400")
        # A path naming an object, or a view that looks one up from its query (`finds_by_query = True`)
        if "{" in self.path or getattr(self.view, "finds_by_query", False):
            codes.append("404")
        return sorted(codes)

    def _checks_parameters(self) -> bool:
        """Whether a GET or DELETE answers 400 for a malformed parameter: one with query parameters (filters,
        pagination), or a view that says it checks its path and query (`checks_parameters = True`)."""
        if getattr(self.view, "checks_parameters", False):
            return True
        return any(parameter.get("in") == "query" for parameter in getattr(self, "_parameters", []))

    def _get_parameters(self):
        # Kept for _checks_parameters: spectacular lists an operation's parameters before its responses.
        self._parameters = super()._get_parameters()
        return self._parameters


class BearerOrTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.auth.BearerOrTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "API token: `Authorization: Bearer <token>` (or `Token <token>`). Tokens come from "
            "`make run` (operator) or `manage.py create_role_user`; no route exchanges a password for one.",
        }
