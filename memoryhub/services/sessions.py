"""Sessions: an agent's or user's working state, expiring (default 24 h); expired ones are removed hourly."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.errors import Invalid, NotFound
from memoryhub.models import MemorySession
from memoryhub.services.namespaces import namespace_check, nul_free

DEFAULT_HOURS = 24
MAX_HOURS = 24 * 365


def _expiry(hours) -> datetime:
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= MAX_HOURS:
        raise Invalid({"expires_hours": [f"expires_hours is a number of hours, more than 0 and at most {MAX_HOURS}"]})
    return timezone.now() + timedelta(hours=hours)


def session_put(
    *,
    namespace: str,
    session_id: str,
    data: dict | None = None,
    user_id: str = "",
    expires_hours: float = DEFAULT_HOURS,
) -> tuple[MemorySession, bool]:
    """Create or replace a session (the originals' POST /session)."""
    namespace_check(namespace)
    if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > 255:
        raise Invalid({"session_id": ["session_id is 1 to 255 characters"]})
    if data is not None and not isinstance(data, dict):
        raise Invalid({"data": ["data must be an object"]})
    for field, value in (("session_id", session_id), ("user_id", user_id), ("data", data)):
        nul_free(value, field)
    return MemorySession.objects.update_or_create(
        namespace=namespace,
        session_id=session_id,
        defaults={"data": data or {}, "user_id": user_id or "", "expires_at": _expiry(expires_hours)},
    )


def session_get(*, namespace: str, session_id: str) -> MemorySession:
    """A live session; an expired one is gone even before the hourly clean-up removes it."""
    namespace_check(namespace)
    nul_free(session_id, "session_id")
    found = MemorySession.objects.filter(
        namespace=namespace, session_id=session_id, expires_at__gt=timezone.now()
    ).first()
    if found is None:
        raise NotFound(f"No live session {session_id!r} in namespace {namespace!r}.")
    return found


def session_update(
    *, namespace: str, session_id: str, data: dict | None = None, expires_hours: float | None = None
) -> MemorySession:
    """Merge data into a live session and optionally extend it. Row-locked: two merges both land."""
    if data is not None:
        if not isinstance(data, dict):
            raise Invalid({"data": ["data must be an object"]})
        nul_free(data, "data")
    expiry = _expiry(expires_hours) if expires_hours is not None else None
    with transaction.atomic():
        session = session_get(namespace=namespace, session_id=session_id)
        session = MemorySession.objects.select_for_update().get(pk=session.pk)
        if data is not None:
            session.data = {**(session.data if isinstance(session.data, dict) else {}), **data}
        if expiry is not None:
            session.expires_at = expiry
        session.save()
    return session


def session_delete(*, namespace: str, session_id: str) -> None:
    session_get(namespace=namespace, session_id=session_id).delete()


def sessions_expire() -> int:
    """Remove expired sessions (the hourly beat task). Returns how many."""
    removed, _ = MemorySession.objects.filter(expires_at__lte=timezone.now()).delete()
    return removed
