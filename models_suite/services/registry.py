"""Registering models: read the artifact, refuse what cannot be read, store the facts."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
from django.conf import settings
from django.db import transaction

from models_suite.artifacts import ArtifactError, inspect_artifact
from models_suite.models import ModelArtifact, Route


class RegistrationError(Exception):
    """The model cannot be registered; the message says why. Nothing was written."""


def remote_api_key(variable: str) -> str | None:
    """The API key of a remote endpoint, from the environment variable its operator named (api_key_env). Read
    here, not in settings: the variable's name is data, one per registered model, and the key is never stored."""
    return (os.environ.get(variable) or None) if variable else None


def _slug(text: str) -> str:
    """The model's name: a slug, and not a route's (the gateway would send requests for it to the route)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:100] or "model"
    if Route.objects.filter(name=slug).exists():
        raise RegistrationError(f"{slug!r} is a route's name; register the model under another name")
    return slug


@transaction.atomic
def model_register_local(*, path: str | Path, name: str | None = None, builtin: bool = False) -> ModelArtifact:
    """Register (or refresh) a transformers directory or GGUF file under `name` (default: from the path)."""
    location = Path(path).expanduser().resolve()
    try:
        facts = inspect_artifact(location)
    except ArtifactError as exc:
        raise RegistrationError(str(exc)) from None
    values = {
        "kind": facts.kind,
        "status": ModelArtifact.Status.AVAILABLE,
        "path": str(location),
        "machine": settings.MACHINE_NAME,
        "base_url": "",
        "remote_model": "",
        "api_key_env": "",
        "architecture": facts.architecture,
        "context_length": facts.context_length,
        "parameter_count": facts.parameter_count,
        "quantization": facts.quantization,
        "size_bytes": facts.size_bytes,
        "kv_cache_bytes": facts.kv_cache_bytes,
        "estimated_memory_bytes": facts.estimated_memory_bytes,
        "sha256": facts.sha256,
        "license": facts.license,
        "capabilities": facts.capabilities,
        "tokenizer": facts.tokenizer,
        "builtin": builtin,
        "metadata": facts.as_dict(),
    }
    artifact, _ = ModelArtifact.objects.update_or_create(name=_slug(name or location.stem), defaults=values)
    return artifact


def _list_remote_models(base_url: str, api_key: str | None, timeout: float) -> list[str]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/models", headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise RegistrationError(f"{base_url} is unreachable: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise RegistrationError(f"{base_url}/models answered {response.status_code}: {response.text[:200]}")
    try:
        return [entry["id"] for entry in response.json()["data"]]
    except (ValueError, KeyError, TypeError):
        raise RegistrationError(f"{base_url}/models did not answer an OpenAI model list") from None


@transaction.atomic
def model_register_remote(
    *,
    base_url: str,
    remote_model: str,
    name: str | None = None,
    api_key_env: str = "",
    context_length: int = 0,
    verify: bool = True,
    timeout: float = 10.0,
) -> ModelArtifact:
    """Register an OpenAI-compatible endpoint's model. With verify, the endpoint must list the model."""
    if not base_url.startswith(("http://", "https://")):
        raise RegistrationError(f"{base_url!r} is not an http(s) URL")
    if not remote_model:
        raise RegistrationError("a remote model needs the model name the endpoint expects (--model)")
    api_key = remote_api_key(api_key_env)
    if api_key_env and not api_key:
        raise RegistrationError(f"environment variable {api_key_env} (the API key) is empty or unset")
    listed: list[str] = []
    if verify:
        listed = _list_remote_models(base_url, api_key, timeout)
        if remote_model not in listed:
            raise RegistrationError(f"{base_url} does not serve {remote_model!r}; it lists {listed[:20]}")
    artifact, _ = ModelArtifact.objects.update_or_create(
        name=_slug(name or remote_model),
        defaults={
            "kind": ModelArtifact.Kind.REMOTE,
            "status": ModelArtifact.Status.AVAILABLE,
            "path": "",
            "machine": "",
            "base_url": base_url.rstrip("/"),
            "remote_model": remote_model,
            "api_key_env": api_key_env,
            "context_length": context_length,
            "capabilities": ["completion", "chat"],
            "metadata": {"verified": verify, "listed_models": listed[:50]},
        },
    )
    return artifact


def model_register(*, target: str, **options) -> ModelArtifact:
    """A URL registers a remote endpoint; anything else is a local path."""
    if target.startswith(("http://", "https://")):
        return model_register_remote(base_url=target, **options)
    unknown = set(options) - {"name", "builtin"}
    if unknown:
        raise RegistrationError(f"options {sorted(unknown)} apply to remote endpoints only")
    return model_register_local(path=target, **options)
