"""Reading configuration from the environment.

Every variable read here is listed, with its default, in the README's configuration table. Kept free of
Django imports so the launchers (embedded Redis, the stack) can use it before settings exist.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from enum import StrEnum
from pathlib import Path
from typing import overload
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


class QueueRole(StrEnum):
    """What a machine's workers do, hence their queues (`<role>.<machine>`). Spelled here, once: MACHINE_ROLES is
    checked against it before Django starts, and workers.queues hands it to the tasks, routing and the worker
    command. Its values are the queue names' first part and what Machine.roles stores."""

    CONTROL = "control"
    HOBBIES = "hobbies"
    MODELS = "models"
    TRAINING = "training"
    MEMORY = "memory"


ROLES = tuple(role.value for role in QueueRole)  # plain strings, in this order: MACHINE_ROLES' default

# Logical Redis databases, as offsets from the database number in REDIS_URL, so that one Redis server
# (or one numbered slice of a shared one) holds the broker, results, cache and metrics apart.
# The memory hub keeps its key-value memories apart: cache, sessions and knowledge (the originals' "three databases").
REDIS_DB_OFFSETS = {
    "broker": 0,
    "results": 1,
    "cache": 2,
    "metrics": 3,
    "memory_cache": 4,
    "memory_sessions": 5,
    "memory_knowledge": 6,
}


class ConfigError(Exception):
    """A configuration variable is missing or malformed."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip() or default


@overload
def env_bool(name: str, default: bool = ...) -> bool: ...
@overload
def env_bool(name: str, default: None) -> bool | None: ...
def env_bool(name: str, default: bool | None = False) -> bool | None:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_bool_or_auto(name: str) -> bool | None:
    """True or False as env_bool reads them; None for "auto" or unset, where the code decides."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in {"", "auto"}:
        return None
    try:
        return env_bool(name)
    except ConfigError:
        raise ConfigError(f"{name} must be auto, true or false, not {raw!r}") from None


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def env_float(name: str, default: float | None, *, low: float, high: float) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {value:g}")
    return value


def env_choice(name: str, default: str | None, choices: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or list(default)


def var_dir() -> Path:
    """Runtime data, readable by this user only: it holds the database, tokens and the Redis password."""
    path = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


MACHINE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def machine_name() -> str:
    """MACHINE_NAME, or the host name made safe for queue names (`<role>.<machine>` splits on the dot)."""
    name = env_str("MACHINE_NAME") or re.sub(r"[^A-Za-z0-9_-]", "-", socket.gethostname())[:100]
    if not MACHINE_NAME_PATTERN.match(name):
        raise ConfigError(f"MACHINE_NAME {name!r} may hold only letters, digits, '-' and '_' (1-100 of them)")
    return name


def machine_roles() -> list[str]:
    roles = env_list("MACHINE_ROLES", list(ROLES))
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ConfigError(f"MACHINE_ROLES has unknown roles {unknown}; known roles are {list(ROLES)}")
    return roles


def local_secret_key(directory: Path) -> str:
    """The secret key of a local install: generated once, kept in var/ with owner-only permissions."""
    path = directory / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def redis_url_with_db(url: str, purpose: str) -> str:
    """REDIS_URL moved to the logical database for one purpose (a key of REDIS_DB_OFFSETS)."""
    parts = urlsplit(url)
    base_db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base_db + REDIS_DB_OFFSETS[purpose]}"))
