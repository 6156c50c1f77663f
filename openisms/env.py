"""Typed readers for settings that come from the environment.

Each reader stops start-up with one line naming the variable when its value is bad. The
error is a ``SystemExit`` subclass so that ``manage.py``, the ``openisms`` command, gunicorn
and the test runner all print the message alone, without a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(SystemExit):
    """A setting read from the environment is missing or malformed."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"openisms: configuration error: {name} {problem}")


def _raw(name: str, env: Mapping[str, str] | None) -> str | None:
    source = os.environ if env is None else env
    value = source.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, env: Mapping[str, str] | None = None) -> str:
    """A string; required when ``default`` is None."""
    value = _raw(name, env)
    if value:
        return value
    if default is None:
        raise ConfigError(name, "is required but not set")
    return default


def env_bool(name: str, default: bool = False, *, env: Mapping[str, str] | None = None) -> bool:
    """A boolean written as 1/0, true/false, yes/no or on/off."""
    value = _raw(name, env)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(name, f"must be one of 1, 0, true, false, yes, no; got {value!r}")


def env_int(
    name: str, default: int, *, minimum: int = 0, env: Mapping[str, str] | None = None
) -> int:
    """A whole number not below ``minimum``."""
    value = _raw(name, env)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"must be a whole number; got {value!r}") from None
    if number < minimum:
        raise ConfigError(name, f"must be at least {minimum}; got {number}")
    return number


def env_list(name: str, default: list[str], *, env: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    value = _raw(name, env)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path, *, env: Mapping[str, str] | None = None) -> Path:
    """A filesystem path; relative paths are taken from the current directory."""
    value = _raw(name, env)
    return Path(value).resolve() if value else default


SQLITE_OPTIONS: dict[str, Any] = {
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue instead of failing mid-way.
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=5000;PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 5,
}

#: An SQLite connection is kept for the life of the worker: opening one (the file, the
#: PRAGMAs above, Django's SQL functions) costs about 2 ms, a fifth of an API read. A sync
#: worker serves one request at a time, so one connection per worker is never shared.
SQLITE_CONN_MAX_AGE = None


def _prepare_threshold(name: str, options: dict[str, Any]) -> None:
    """``?prepare_threshold=none`` (never prepare, for a pooler in transaction mode) or a
    number of runs, as the URL gives it, made the value psycopg takes."""
    if "prepare_threshold" not in options:
        return
    value = str(options["prepare_threshold"]).strip().lower()
    if value == "none":
        options["prepare_threshold"] = None
    elif value.isdigit():
        options["prepare_threshold"] = int(value)
    else:
        raise ConfigError(name, f"prepare_threshold must be a number or none; got {value!r}")


def env_database(
    name: str, default_sqlite: Path, *, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A Django DATABASES entry from a URL: ``sqlite:///path`` or ``postgres://...``."""
    value = _raw(name, env)
    if not value:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            "OPTIONS": dict(SQLITE_OPTIONS),
            "CONN_MAX_AGE": SQLITE_CONN_MAX_AGE,
        }
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(value, conn_max_age=60))
    except Exception as exc:  # the library raises several unrelated types
        raise ConfigError(name, f"is not a database URL we can use ({exc})") from None
    engine = config.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        if not config.get("NAME"):
            raise ConfigError(name, "names no SQLite file; use sqlite:////absolute/path.sqlite3")
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = SQLITE_CONN_MAX_AGE
    elif engine.endswith("postgresql"):
        if not config.get("NAME"):
            raise ConfigError(name, "names no PostgreSQL database (postgres://USER@HOST/NAME)")
        config.setdefault("OPTIONS", {})
        _prepare_threshold(name, config["OPTIONS"])
        # Django's backend with a C timestamp parser and a health check without a round
        # trip while the server has said nothing (core/db/postgresql/base.py).
        config["ENGINE"] = "openisms.core.db.postgresql"
        config["CONN_HEALTH_CHECKS"] = True
    else:
        raise ConfigError(
            name, f"must start with sqlite:// or postgres://; got {engine or value!r}"
        )
    return config
