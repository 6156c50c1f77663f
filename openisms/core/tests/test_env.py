"""Settings from the environment stop start-up with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from openisms.env import ConfigError, env_bool, env_database, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[3]


def test_a_missing_required_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        env_str("OPENISMS_SECRET_KEY", env={})
    assert "OPENISMS_SECRET_KEY is required" in str(caught.value.code)


def test_a_bad_boolean_names_the_variable_and_the_value() -> None:
    with pytest.raises(ConfigError, match=r"OPENISMS_DEBUG must be one of .* got 'maybe'"):
        env_bool("OPENISMS_DEBUG", env={"OPENISMS_DEBUG": "maybe"})


def test_numbers_lists_and_booleans_are_read() -> None:
    env = {"N": "7", "L": "a, b,,c", "B": "yes"}
    assert env_int("N", 1, env=env) == 7
    assert env_list("L", [], env=env) == ["a", "b", "c"]
    assert env_bool("B", env=env) is True
    with pytest.raises(ConfigError, match="N must be at least 10"):
        env_int("N", 1, minimum=10, env=env)
    with pytest.raises(ConfigError, match="whole number"):
        env_int("N", 1, env={"N": "seven"})


def test_the_default_database_is_sqlite_in_wal_mode(tmp_path: Path) -> None:
    config = env_database("DATABASE_URL", tmp_path / "db.sqlite3", env={})
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert "foreign_keys=ON" in config["OPTIONS"]["init_command"]
    assert "busy_timeout" in config["OPTIONS"]["init_command"]


@pytest.mark.parametrize("url", ["", "sqlite:////srv/isms.sqlite3"])
def test_a_sqlite_connection_lasts_as_long_as_the_worker(tmp_path: Path, url: str) -> None:
    config = env_database("DATABASE_URL", tmp_path / "db.sqlite3", env={"DATABASE_URL": url})
    assert config["CONN_MAX_AGE"] is None


def test_a_postgres_url_is_accepted() -> None:
    config = env_database(
        "DATABASE_URL", Path("x"), env={"DATABASE_URL": "postgres://u@127.0.0.1:5432/isms"}
    )
    assert config["ENGINE"] == "openisms.core.db.postgresql"  # Django's, two savings added
    assert config["NAME"] == "isms"


@pytest.mark.parametrize(("query", "threshold"), [("", "unset"), ("?prepare_threshold=none", None)])
def test_prepared_statements_can_be_turned_off_for_a_pooler(query: str, threshold: object) -> None:
    url = f"postgres://u@127.0.0.1:5432/isms{query}"
    options = env_database("DATABASE_URL", Path("x"), env={"DATABASE_URL": url})["OPTIONS"]
    assert options.get("prepare_threshold", "unset") == threshold


@pytest.mark.parametrize(
    "url",
    [
        "mysql://x/y",
        "nonsense",
        "postgres://",
        "postgres://h:port/db",
        "postgres://h/db?prepare_threshold=often",
    ],
)
def test_an_unusable_database_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        env_database("DATABASE_URL", Path("x"), env={"DATABASE_URL": url})


def _start(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENISMS_", "DATABASE_"))}
    env.update({k: v for k, v in env_changes.items() if v is not None})
    return subprocess.run(
        [sys.executable, "-m", "openisms.cli", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_start_up_without_a_secret_key_prints_one_line() -> None:
    result = _start({})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "openisms: configuration error: OPENISMS_SECRET_KEY is required but not set"
    )


def test_start_up_with_a_bad_database_url_prints_one_line() -> None:
    result = _start({"OPENISMS_DEBUG": "1", "DATABASE_URL": "mysql://nobody@nowhere/db"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("openisms: configuration error: DATABASE_URL must start with")


def test_an_unreachable_database_is_one_line_too() -> None:
    result = _start(
        {
            "OPENISMS_DEBUG": "1",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        }
    )
    proc = subprocess.run(
        [sys.executable, "-m", "openisms.cli", "migrate", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
            "OPENISMS_DEBUG": "1",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        },
    )
    assert result.returncode == 0  # `check` does not touch the database
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("openisms: cannot use the database (check DATABASE_URL)")


def test_a_short_secret_key_is_refused() -> None:
    result = _start({"OPENISMS_SECRET_KEY": "short"})
    assert result.returncode == 1
    assert "OPENISMS_SECRET_KEY must be at least 32 characters" in result.stderr
