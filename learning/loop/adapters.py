"""LoRA adapters: versioned, sealed artifacts per base model and hobby type, and the aliases that say which one is
served (champion), which is under test (challenger) and which a rollback returns to (previous).

An adapter's files (peft's adapter_model.safetensors and adapter_config.json, our training_info.json) are copied
under ADAPTERS_DIR and sealed with a sha256 checked before every use: a damaged adapter is refused, recorded, and
the champion stays. Alias moves happen in one transaction under a row lock, so two promotions cannot leave two
champions (a partial unique constraint backs that up).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from core.errors import Conflict, Invalid, NotFound
from learning.models import Adapter, AdapterEvent, TrainingJob

FILES = ("adapter_model.safetensors", "adapter_config.json")


class AdapterCorrupt(Conflict):
    """Its files are missing or changed since they were sealed: it is never loaded."""


def files_sha256(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode() + b"\0" + (directory / name).read_bytes())
    return digest.hexdigest()


# sha256 -> the files' (size, mtime) when they last hashed right in this process. The gateway checks an adapter
# on every request it serves; hashing tens of megabytes each time would cost more than the generation.
_verified: dict[str, tuple] = {}


def files_signature(directory: Path) -> tuple:
    return tuple((stat.st_size, stat.st_mtime_ns) for stat in ((directory / name).stat() for name in FILES))


def adapter_register(*, job: TrainingJob, trained_dir: Path, metrics: dict) -> Adapter:
    """A finished job's adapter, copied into its versioned folder, sealed, and made the challenger of its base
    model and hobby type. Registering the same job twice returns the first registration."""
    existing = Adapter.objects.filter(training_job=job).first()
    if existing is not None:
        return existing
    root = Path(settings.ADAPTERS_DIR) / job.base_model.name / (job.hobby_type or "all")
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        for item in Path(trained_dir).iterdir():
            shutil.copy2(item, staging / item.name)
        sha = files_sha256(staging)
        info = (
            json.loads((staging / "training_info.json").read_text())
            if (staging / "training_info.json").exists()
            else {}
        )
        assert job.dataset is not None  # built as the job started, before any training
        for _ in range(5):
            try:
                with transaction.atomic():
                    version = (
                        Adapter.objects.filter(base_model=job.base_model, hobby_type=job.hobby_type).aggregate(
                            v=Max("version")
                        )["v"]
                        or 0
                    ) + 1
                    final = root / f"v{version}"
                    Adapter.objects.filter(
                        base_model=job.base_model, hobby_type=job.hobby_type, alias=Adapter.Alias.CHALLENGER
                    ).update(alias="")
                    adapter = Adapter.objects.create(
                        adapter_id=f"adapter_{secrets.token_hex(4)}_{int(time.time())}",
                        adapter_name=f"hobby_lora_{job.job_id}",
                        version=version,
                        base_model=job.base_model,
                        hobby_type=job.hobby_type,
                        status=Adapter.Status.TESTING,
                        alias=Adapter.Alias.CHALLENGER,
                        path=str(final),
                        sha256=sha,
                        dataset=job.dataset,
                        training_job=job,
                        metrics=metrics,
                        parent=job.parent_adapter,
                        recipe={**job.metadata.get("recipe", {}), "lora": job.config},
                        metadata={
                            "config": info.get("config", job.config),
                            "dataset_version": job.dataset.version,
                            "skill": job.dataset.skill,
                        },
                    )
                    if final.exists():  # left by a registration whose row was rolled back
                        shutil.rmtree(final)
                    staging.rename(final)
                return adapter
            except IntegrityError:
                continue  # another registration took that version
        raise RuntimeError("Could not take an adapter version number")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def adapter_verified(adapter: Adapter) -> Adapter:
    """The adapter when its files are whole; otherwise it is marked failed, the refusal recorded, and
    AdapterCorrupt raised (the caller keeps what it had)."""
    try:
        signature = files_signature(Path(adapter.path))
        if _verified.get(adapter.sha256) == signature:
            return adapter  # hashed already in this process and untouched since: no re-read per request
        intact = files_sha256(Path(adapter.path)) == adapter.sha256
        problem = "" if intact else "its files do not match the sha256 sealed at registration"
    except OSError as error:
        problem = f"its files cannot be read: {error}"
    if not problem:
        _verified[adapter.sha256] = signature
    if problem:
        with transaction.atomic():
            Adapter.objects.filter(pk=adapter.pk).update(status=Adapter.Status.FAILED, alias="")
            AdapterEvent.objects.create(adapter=adapter, kind=AdapterEvent.Kind.REFUSED, detail={"reason": problem})
        raise AdapterCorrupt(f"Adapter {adapter.adapter_id} is refused: {problem}")
    return adapter


def adapter_get(*, adapter_id: str) -> Adapter:
    found = (
        Adapter.objects.select_related("base_model", "training_job", "parent", "dataset")
        .filter(adapter_id=adapter_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No adapter {adapter_id!r}.")
    return found


def adapters_list(*, status: str | None = None, limit: int = 50) -> list[Adapter]:
    if status and status not in Adapter.Status.values:
        raise Invalid({"status": [f"unknown status {status!r}; the statuses are {', '.join(Adapter.Status.values)}"]})
    found = Adapter.objects.select_related("base_model", "training_job", "parent", "dataset")
    return list((found.filter(status=status) if status else found)[:limit])


def champion(base_model, hobby_type: str = "") -> Adapter | None:
    """The adapter served for this base model and hobby type: its own champion, else the all-types champion."""
    found = {
        a.hobby_type: a
        for a in Adapter.objects.filter(
            base_model=base_model, alias=Adapter.Alias.CHAMPION, hobby_type__in={hobby_type, ""}
        )
    }
    return found.get(hobby_type) or found.get("")


def adapter_resolve(base_model, ref: str) -> Adapter:
    """`<model>:<ref>` of the gateway: an alias of the all-types group (champion, challenger, previous) or an
    adapter id of that model. 404 otherwise."""
    found = Adapter.objects.filter(base_model=base_model).exclude(status=Adapter.Status.FAILED)
    adapter = (
        found.filter(alias=ref, hobby_type="").first()
        if ref in Adapter.Alias.values and ref
        else found.filter(adapter_id=ref).first()
    )
    if adapter is None:
        raise NotFound(
            f"{base_model.name} has no adapter {ref!r}: an adapter id of GET "
            "/api/v1/learning/adapters/, or champion, challenger, previous"
        )
    return adapter


def adapter_promote(adapter: Adapter, *, kind: str = AdapterEvent.Kind.PROMOTED, detail: dict | None = None) -> Adapter:
    """Make it the champion of its base model and hobby type: the old champion becomes `previous` (the
    rollback target), the old `previous` loses its alias. A corrupt adapter is refused and nothing moves."""
    adapter_verified(adapter)
    with transaction.atomic():
        group = Adapter.objects.select_for_update().filter(
            base_model=adapter.base_model_id, hobby_type=adapter.hobby_type
        )
        rows = {row.pk: row for row in group}  # locks the group: promotions of one group run one at a time
        if rows[adapter.pk].status == Adapter.Status.ARCHIVED:
            raise Conflict(f"Adapter {adapter.adapter_id} is archived; it cannot be activated")
        old = next((row for row in rows.values() if row.alias == Adapter.Alias.CHAMPION), None)
        if old is not None and old.pk == adapter.pk:
            return adapter
        group.filter(alias=Adapter.Alias.PREVIOUS).update(alias="")
        if old is not None:
            group.filter(pk=old.pk).update(alias=Adapter.Alias.PREVIOUS)
        group.filter(pk=adapter.pk).update(
            alias=Adapter.Alias.CHAMPION, status=Adapter.Status.ACTIVE, promoted_at=timezone.now()
        )
        AdapterEvent.objects.create(
            adapter=adapter, kind=kind, detail={"replaced": old.adapter_id if old else None, **(detail or {})}
        )
    adapter.refresh_from_db()
    return adapter


def adapter_activate(*, adapter_id: str) -> Adapter:
    """By hand (the originals' activate): promote without an A/B test."""
    return adapter_promote(adapter_get(adapter_id=adapter_id), kind=AdapterEvent.Kind.ACTIVATED)


def adapter_archive(*, adapter_id: str) -> Adapter:
    """Out of use and out of every alias (archiving the champion leaves the bare base serving, as the originals
    cleared the active pointer)."""
    adapter = adapter_get(adapter_id=adapter_id)
    with transaction.atomic():
        Adapter.objects.filter(pk=adapter.pk).update(status=Adapter.Status.ARCHIVED, alias="")
        AdapterEvent.objects.create(
            adapter=adapter, kind=AdapterEvent.Kind.ARCHIVED, detail={"alias_was": adapter.alias}
        )
    adapter.refresh_from_db()
    return adapter


def adapter_roll_back(adapter: Adapter, *, reason: str, detail: dict | None = None) -> Adapter | None:
    """The champion `adapter` regressed: `previous` (if any) becomes champion again and `adapter` is archived.
    Returns the new champion (None: the bare base serves). Does nothing unless `adapter` is still champion.
    A `previous` whose files no longer match their seal is refused (marked failed, which clears its alias)
    before anything moves: the bare base is safer than a damaged adapter."""
    previous = Adapter.objects.filter(
        base_model=adapter.base_model_id, hobby_type=adapter.hobby_type, alias=Adapter.Alias.PREVIOUS
    ).first()
    if previous is not None:
        try:
            adapter_verified(previous)
        except AdapterCorrupt:
            pass  # recorded as refused; it no longer holds the alias
    with transaction.atomic():
        group = Adapter.objects.select_for_update().filter(
            base_model=adapter.base_model_id, hobby_type=adapter.hobby_type
        )
        rows = list(group)
        if not any(row.pk == adapter.pk and row.alias == Adapter.Alias.CHAMPION for row in rows):
            return champion(adapter.base_model, adapter.hobby_type)
        previous = next((row for row in rows if row.alias == Adapter.Alias.PREVIOUS), None)
        group.filter(pk=adapter.pk).update(alias="", status=Adapter.Status.ARCHIVED)
        if previous is not None:
            group.filter(pk=previous.pk).update(alias=Adapter.Alias.CHAMPION, status=Adapter.Status.ACTIVE)
        AdapterEvent.objects.create(
            adapter=adapter,
            kind=AdapterEvent.Kind.ROLLED_BACK,
            detail={"reason": reason, "restored": previous.adapter_id if previous else None, **(detail or {})},
        )
    return Adapter.objects.get(pk=previous.pk) if previous else None


def adapter_shape(adapter: Adapter) -> dict:
    """The originals' adapter dict (docs/originals.md 1.8) plus version, alias, hobby type and seal."""
    return {
        "adapter_id": adapter.adapter_id,
        "adapter_name": adapter.adapter_name,
        "status": adapter.status,
        "model_base": adapter.base_model.name,
        "adapter_path": adapter.path,
        "training_job_id": adapter.training_job.job_id if adapter.training_job else None,
        "created_at": adapter.created_at.isoformat(),
        "metrics": adapter.metrics,
        "metadata": adapter.metadata,
        "version": adapter.version,
        "alias": adapter.alias or None,
        "hobby_type": adapter.hobby_type,
        "sha256": adapter.sha256,
        "promoted_at": adapter.promoted_at.isoformat() if adapter.promoted_at else None,
        "parent_adapter_id": adapter.parent.adapter_id if adapter.parent is not None else None,
        "lineage": adapter_lineage(adapter),
        "recipe": adapter.recipe,
        "dataset_version": adapter.dataset.version if adapter.dataset is not None else None,
    }


def adapter_lineage(adapter: Adapter, *, limit: int = 50) -> list[str]:
    """Its ancestors' adapter ids, parent first, back to the one trained from the bare base. One query per
    generation: lineages grow by one a promoted cycle, so they stay short."""
    found: list[str]
    found, seen, parent_pk = [], {adapter.pk}, adapter.parent_id
    while parent_pk is not None and parent_pk not in seen and len(found) < limit:
        seen.add(parent_pk)
        row = Adapter.objects.filter(pk=parent_pk).values("adapter_id", "parent_id").first()
        if row is None:
            break
        found.append(row["adapter_id"])
        parent_pk = row["parent_id"]
    return found


def active_adapter_id() -> str | None:
    """The originals had one active pointer: the most recently promoted champion."""
    return (
        Adapter.objects.filter(alias=Adapter.Alias.CHAMPION)
        .order_by("-promoted_at")
        .values_list("adapter_id", flat=True)
        .first()
    )


def adapter_stats() -> dict:
    counts = Adapter.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=Adapter.Status.ACTIVE)),
        archived=Count("id", filter=Q(status=Adapter.Status.ARCHIVED)),
        champions=Count("id", filter=Q(alias=Adapter.Alias.CHAMPION)),
    )
    return {**counts, "active_adapter_id": active_adapter_id()}


class ServedAdapters:
    """The adapter registry models_suite asks (registered in LearningConfig.ready()): what an alias, id or
    directory names, whether its files match their seal, and which adapter practice runs with."""

    def named(self, artifact, reference: str) -> Adapter | None:
        if "/" in reference:
            return Adapter.objects.filter(path=reference).first()
        return adapter_resolve(artifact, reference)

    def verified_path(self, adapter: Adapter) -> str:
        if adapter.status == Adapter.Status.FAILED:  # refused before (and recorded then): not loaded, not re-hashed
            raise AdapterCorrupt(f"Adapter {adapter.adapter_id} is refused: it failed its seal check before")
        return adapter_verified(adapter).path

    def champion_path(self, artifact, hobby_type: str) -> str:
        found = champion(artifact, hobby_type)
        return found.path if found else ""
