"""Writes of the core app: error events, role users and their tokens."""

from __future__ import annotations

import logging
import os
import secrets
import traceback as traceback_module
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.models import ErrorEvent, ErrorEventTotal
from core.roles import ROLES

logger = logging.getLogger(__name__)


def error_event_record(
    *,
    source: str,
    exception: BaseException | None = None,
    message: str = "",
    route: str = "",
    task_name: str = "",
    task_id: str = "",
    status_code: int | None = None,
    traceback: str = "",
    exception_type: str = "",
) -> ErrorEvent | None:
    """Record one failure. Never raises: losing an error report must not turn into a second failure."""
    if exception is not None:
        message = message or str(exception)
        traceback = traceback or "".join(traceback_module.format_exception(exception))
    try:
        # The event and its source's running total together, or neither: /metrics' counter is the total.
        with transaction.atomic():
            event = ErrorEvent.objects.create(
                source=source,
                machine=settings.MACHINE_NAME,
                route=route[:500],
                task_name=task_name[:255],
                task_id=task_id[:255],
                status_code=status_code,
                exception_type=type(exception).__qualname__ if exception is not None else exception_type,
                message=message,
                traceback=traceback,
            )
            _error_event_total_increment(source=source)
        return event
    except DatabaseError:
        logger.exception("could not record an error event (%s %s): %s", source, route or task_name, message)
        return None


def _error_event_total_increment(*, source: str) -> None:
    """One more for source, atomically, whichever process records it (an UPDATE ... SET count = count + 1)."""
    if ErrorEventTotal.objects.filter(source=source).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():  # a savepoint: losing the race below must not spoil the caller's transaction
            ErrorEventTotal.objects.create(source=source, count=1)
    except IntegrityError:
        # Another process created the row first (a source's very first event, recorded twice at once).
        ErrorEventTotal.objects.filter(source=source).update(count=F("count") + 1)


def error_events_prune(*, older_than_days: int | None = None) -> int:
    """Delete events older than the retention. The running totals (ErrorEventTotal) are kept: /metrics'
    autodidact_error_events_total counts every event ever recorded, so pruning never lowers it."""
    days = settings.ERROR_EVENT_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _ = ErrorEvent.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


@dataclass(frozen=True)
class RoleUser:
    username: str
    role: str
    token: str
    password: str | None  # set only when this call chose a new password
    created: bool


@transaction.atomic
def role_user_ensure(*, username: str, role: str, password: str | None = None, rotate_token: bool = False) -> RoleUser:
    """Create (or update) a user holding exactly one role, with an API token.

    Agents get no usable password: a sub-agent authenticates with its service token only. For people, a
    random password is generated when none is given on creation.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    chosen_password = None
    if role == "agent":
        user.set_unusable_password()
    elif password is not None or created:
        chosen_password = password or secrets.token_urlsafe(12)
        user.set_password(chosen_password)
    user.is_staff = role == "operator"
    user.is_superuser = role == "operator"
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    if rotate_token:
        _tokens().filter(user=user).delete()
    token, _ = _tokens().get_or_create(user=user)
    return RoleUser(username=username, role=role, token=token.key, password=chosen_password, created=created)


def _tokens():
    # API tokens live in the table of DRF's authtoken app: named by its label, a service imports no HTTP framework.
    return apps.get_model("authtoken", "Token").objects


def token_rotate(*, user) -> str:
    with transaction.atomic():
        _tokens().filter(user=user).delete()
        return _tokens().create(user=user).key


def token_revoke(*, user) -> bool:
    deleted, _ = _tokens().filter(user=user).delete()
    return bool(deleted)


@dataclass(frozen=True)
class OperatorAccount:
    username: str
    password: str | None  # None when the stored password no longer matches (changed in admin)
    token: str
    created: bool


def operator_bootstrap(*, var_directory: Path, username: str = "operator") -> OperatorAccount:
    """The local stack's operator: created on first run, its credentials kept in var/ (owner-only files)."""
    token_file, password_file = Path(var_directory) / "operator.token", Path(var_directory) / "operator.password"
    user_model = get_user_model()
    existing = user_model.objects.filter(username=username).first()
    password: str | None
    if existing is None:
        account = role_user_ensure(username=username, role="operator")
        assert account.password is not None  # a person created now gets a generated password
        _write_private(password_file, account.password)
        password, created = account.password, True
    else:
        stored = password_file.read_text().strip() if password_file.exists() else None
        password = stored if stored and existing.check_password(stored) else None
        created = False
    token = _tokens().get_or_create(user=user_model.objects.get(username=username))[0].key
    _write_private(token_file, token)
    return OperatorAccount(username=username, password=password, token=token, created=created)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    os.chmod(path, 0o600)  # the file may predate us with wider permissions
