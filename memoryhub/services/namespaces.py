"""Checks every memory service applies to what a caller names: namespaces, and text a database can store."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError

from core.errors import Invalid
from memoryhub.models import namespace_validator


def namespace_check(namespace) -> str:
    """The namespace if well formed (also what keeps it a plain file name for its index), else a 400."""
    if not isinstance(namespace, str):
        raise Invalid({"namespace": ["a namespace is text"]})
    try:
        namespace_validator(namespace)
    except DjangoValidationError as exc:
        raise Invalid({"namespace": exc.messages}) from None
    return namespace


def nul_free(value, field: str) -> None:
    """400 if any text inside value holds a NUL character, which PostgreSQL cannot store."""
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid({field: ["text may not contain NUL (\\u0000) characters"]})
    elif isinstance(value, dict):
        for key, item in value.items():
            nul_free(key, field)
            nul_free(item, field)
    elif isinstance(value, (list, tuple)):
        for item in value:
            nul_free(item, field)
