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

from typing import TYPE_CHECKING

from rest_framework.exceptions import APIException

from models_suite.host import HostError

if TYPE_CHECKING:
    from learning.models import Adapter
    from models_suite.models import ModelArtifact


class AdapterRefused(HostError):
    """The adapter a reference names cannot be loaded: none such (404), or damaged (409). A HostError, so that
    practice, consensus and evaluation fail their run with the reason, as for any model that cannot load; the
    gateway answers with the status."""

    def __init__(self, error: APIException):
        super().__init__(str(error.detail))
        self.status, self.code = error.status_code, error.default_code


def adapter_named(artifact: ModelArtifact, reference: str) -> Adapter | None:
    """The registered adapter `reference` names on `artifact`, looked up only (no file is read: the web process
    may not see the disk the adapter lives on). None for "" and for a directory nobody registered."""
    if not reference:
        return None
    from learning.loop.adapters import adapter_resolve
    from learning.models import Adapter

    if "/" in reference:
        return Adapter.objects.filter(path=reference).first()
    return adapter_resolve(artifact, reference)


def adapter_path(artifact: ModelArtifact, reference: str) -> str:
    """The directory to load for `reference` ("" for the bare base), a registered adapter checked against its
    seal first. Raises AdapterRefused."""
    if not reference:
        return ""
    from learning.loop.adapters import AdapterCorrupt, adapter_verified
    from learning.models import Adapter

    try:
        adapter = adapter_named(artifact, reference)
        if adapter is None:
            return reference
        if adapter.status == Adapter.Status.FAILED:  # refused before (and recorded then): not loaded, not re-hashed
            raise AdapterCorrupt(f"Adapter {adapter.adapter_id} is refused: it failed its seal check before")
        return adapter_verified(adapter).path
    except APIException as error:
        raise AdapterRefused(error) from error


def served_name(artifact: ModelArtifact, adapter: Adapter | None) -> str:
    """What the gateway asks the worker for and names in its reply: "<model>:<adapter id>" (never an alias, so
    the alias moving to another adapter between the request and the generation cannot change what answers),
    or the bare model's name."""
    return f"{artifact.name}:{adapter.adapter_id}" if adapter is not None else artifact.name
