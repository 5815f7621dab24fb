"""Which adapter a reference names: one answer for practice, consensus, evaluation and the gateway.

They all load a model through models_suite.services.hosting.model_in_use, which turns its `adapter` reference into
a directory here, so an alias means the same adapter and a damaged adapter is refused wherever it would be used.
A reference is one of:

* "" — the bare base model;
* an alias of the learning loop's all-types group (champion, challenger, previous) or an adapter id of that
  model: the registered adapter (learning.loop.adapters.adapter_resolve; 404 when it has none);
* a directory (it has a "/"): a registered adapter's own (what the A/B and practice pass), or one an operator
  gave a sub-agent, loaded as given since nobody sealed it.

A registered adapter is checked against its seal before it is loaded (learning.loop.adapters.adapter_verified, which
hashes it once per process while its files stay untouched); a damaged one is refused and never loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from core.errors import AppError, Conflict, NotFound
from models_suite.host import HostError

if TYPE_CHECKING:
    from models_suite.models import ModelArtifact


class AdapterRegistry(Protocol):
    """What the app that trains adapters provides (learning registers it in its AppConfig.ready()): the registry
    owns versions, aliases and seals; models_suite only asks it."""

    def named(self, artifact: ModelArtifact, reference: str) -> Any | None:
        """The registered adapter (with adapter_id, path, status) an alias, id or directory names, or None for a
        directory nobody registered. Raises NotFound for an alias or id with no adapter. Reads no file."""

    def verified_path(self, adapter: Any) -> str:
        """The adapter's directory once its files match their seal. Raises Conflict when they do not."""

    def champion_path(self, artifact: ModelArtifact, hobby_type: str) -> str:
        """The directory of the adapter serving `hobby_type` on `artifact` (its own, else the all-types one), or ""
        for none."""


class _NoRegistry:
    """Before (or without) an adapter registry: directories load as given, aliases and ids name nothing."""

    def named(self, artifact, reference):
        if "/" in reference:
            return None
        raise NotFound(f"No adapter {reference!r}: no adapter registry is installed (the learning app registers it)")

    def verified_path(self, adapter):
        raise NotFound("No adapter registry is installed")

    def champion_path(self, artifact, hobby_type):
        return ""


_registry: AdapterRegistry = _NoRegistry()


def adapter_registry_set(registry: AdapterRegistry) -> None:
    global _registry
    _registry = registry


class AdapterRefused(HostError):
    """The adapter a reference names cannot be loaded: none such (404), or damaged (409). A HostError, so that
    practice, consensus and evaluation fail their run with the reason, as for any model that cannot load; the
    gateway answers with the status."""

    def __init__(self, error: AppError):
        super().__init__(error.message)
        self.status, self.code = error.status, error.code


def adapter_named(artifact: ModelArtifact, reference: str):
    """The registered adapter `reference` names on `artifact`, looked up only (no file is read: the web process
    may not see the disk the adapter lives on). None for "" and for a directory nobody registered."""
    if not reference:
        return None
    return _registry.named(artifact, reference)


def adapter_path(artifact: ModelArtifact, reference: str) -> str:
    """The directory to load for `reference` ("" for the bare base), a registered adapter checked against its
    seal first. Raises AdapterRefused."""
    if not reference:
        return ""
    try:
        adapter = adapter_named(artifact, reference)
        return reference if adapter is None else _registry.verified_path(adapter)
    except (NotFound, Conflict) as error:
        raise AdapterRefused(error) from error


def champion_path(artifact: ModelArtifact, hobby_type: str = "") -> str:
    """What practice of `hobby_type` on `artifact` runs with: the learning loop's champion, or "" (the bare base)."""
    return _registry.champion_path(artifact, hobby_type)


def served_name(artifact: ModelArtifact, adapter) -> str:
    """What the gateway asks the worker for and names in its reply: "<model>:<adapter id>" (never an alias, so
    the alias moving to another adapter between the request and the generation cannot change what answers),
    or the bare model's name."""
    return served_as(artifact.name, adapter.adapter_id if adapter is not None else "")


def served_as(model_name: str, adapter_id: str) -> str:
    """ "<model>:<adapter id>", or the model's name for the bare model: one spelling for what answered."""
    return f"{model_name}:{adapter_id}" if adapter_id else model_name


def candidate_name(artifact: ModelArtifact, reference: str) -> str | None:
    """The name graded answers of `artifact` with `reference` are learned under, and route candidates are
    looked up by: served_name() of the adapter it names now (an alias is resolved, so what a run measured stays
    with the adapter that gave it after the alias moves on). None for a directory nobody registered or a
    reference that names nothing: no candidate can be named after those. Reads no file."""
    try:
        adapter = adapter_named(artifact, reference)
    except NotFound:
        return None
    if adapter is None and reference:  # a directory nobody registered
        return None
    return served_name(artifact, adapter)
