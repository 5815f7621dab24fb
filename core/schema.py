"""OpenAPI: every operation documents the errors it can answer, in the one error shape."""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. invalid, not_found, throttled")
    message = serializers.CharField(help_text="What went wrong, for people")
    details = serializers.JSONField(help_text="Per-field errors or other structured facts; {} when none")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Malformed JSON, wrong types or unknown fields; details name each field",
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
        if "{" in self.path:
            codes.append("404")
        return sorted(codes)


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
