"""The ``openisms`` command: users, organisations, tokens, the demo, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openisms.core import services
from openisms.core.demo import DEMO_PASSWORD, DEMO_USERS
from openisms.core.models import ApiToken, AuditEvent, Membership, Organization, User
from tests import support

ROOT = Path(__file__).resolve().parents[3]


def test_createuser_prints_a_generated_password_once(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("createuser", "ann@example.com", "--name", "Ann")
    out = capsys.readouterr().out
    assert "Created ann@example.com." in out and "Password (shown once):" in out
    password = out.rsplit(": ", 1)[1].strip()
    assert User.objects.get(email="ann@example.com").check_password(password)
    event = AuditEvent.objects.get(verb="user.created")
    assert event.actor.startswith("cli:")


def test_createorg_needs_an_existing_owner(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match=r"--owner: no user ghost@example\.com"):
        call_command("createorg", "Gamma", "--owner", "ghost@example.com")
    support.make_user("ann@example.com")
    call_command("createorg", "Gamma Inc", "--owner", "ann@example.com", "--json")
    assert json.loads(capsys.readouterr().out) == {
        "slug": "gamma-inc",
        "name": "Gamma Inc",
        "owner": "ann@example.com",
    }


def test_token_create_prints_the_token_and_it_works(
    org_a: Organization, owner_a: User, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "token",
        "create",
        "--user",
        owner_a.email,
        "--org",
        "alpha",
        "--scope",
        "write",
        "--expires-days",
        "7",
    )
    secret = capsys.readouterr().out.strip()
    token = services.api_token_authenticate(secret)
    assert token is not None and token.scope == "write"
    call_command("token", "list", "--user", owner_a.email, "--json")
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["prefix"] == secret[:12] and secret not in json.dumps(listed)
    call_command("token", "revoke", str(token.pk))
    assert ApiToken.objects.get(pk=token.pk).state == "revoked"


def test_org_defaults_to_the_only_one_and_lists_them_otherwise(
    org_a: Organization, owner_a: User, org_b: Organization
) -> None:
    with pytest.raises(CommandError, match=r"Several organisations exist.*alpha, beta"):
        call_command("token", "create", "--user", owner_a.email)
    with pytest.raises(CommandError, match="No organisation 'gamma'; known: alpha, beta"):
        call_command("token", "create", "--user", owner_a.email, "--org", "gamma")


def test_an_unknown_organisation_names_ten_known_and_counts_the_rest(db: None) -> None:
    owner = support.make_user("owner@many.test")
    for n in range(12):
        support.make_org(f"Org {n:02}", f"org-{n:02}", owner.email)
    expected = ", ".join(f"org-{n:02}" for n in range(10)) + " and 2 more"
    with pytest.raises(CommandError, match=f"known: {expected}\\.$"):
        call_command("token", "create", "--user", owner.email, "--org", "gamma")


def test_token_for_a_non_member_is_refused(
    org_a: Organization, org_b: Organization, owner_b: User
) -> None:
    with pytest.raises(CommandError, match=r"No such organisation"):
        call_command("token", "create", "--user", owner_b.email, "--org", "alpha")


def test_demo_creates_acme_with_one_user_per_role_and_is_idempotent(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("demo")
    out = capsys.readouterr().out
    assert "Created Acme Cloud Ltd at /o/acme/" in out and DEMO_PASSWORD in out
    org = Organization.objects.get(slug="acme")
    roles = dict(Membership.objects.filter(organization=org).values_list("user__email", "role"))
    assert roles == {email: role.value for role, email, _ in DEMO_USERS}
    assert User.objects.get(email="owner@acme.example").check_password(DEMO_PASSWORD)
    events = AuditEvent.objects.count()
    call_command("demo")
    assert "Already there" in capsys.readouterr().out
    assert AuditEvent.objects.count() == events
    call_command("audit", "verify")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENISMS_DEBUG": "1", "DATABASE_URL": "sqlite:////nonexistent/x.db"}
    return subprocess.run(
        [sys.executable, "-m", "openisms.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_refused_command_prints_one_line_that_names_the_command() -> None:
    result = _cli("serve", "--workers", "0")
    assert result.returncode == 1
    assert result.stderr.strip() == "openisms serve: --workers: must be at least 1"


def test_a_usage_error_exits_with_2() -> None:
    result = _cli("token", "create")
    assert result.returncode == 2
    assert "--user" in result.stderr


def test_serve_refuses_a_bad_bind_with_exit_1() -> None:
    result = _cli("serve", "--bind", "nowhere")
    assert result.returncode == 1
    assert "--bind: expected HOST:PORT" in result.stderr


def test_serve_starts_gunicorn_with_the_bind_and_workers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, args: started.append(args))
    call_command("serve", "--bind", "127.0.0.1:8123", "--workers", "3")
    assert started[0][1:5] == ["openisms.wsgi:application", "--bind", "127.0.0.1:8123", "--workers"]
    assert started[0][5] == "3"
    assert started[0][started[0].index("--timeout") + 1] == "120"  # the largest exports fit
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_serve_dev_uses_the_reloading_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from openisms.core.management.commands import serve

    called: list[tuple[str, ...]] = []
    monkeypatch.setattr(serve, "call_command", lambda *args: called.append(args))
    call_command("serve", "--dev", "--bind", "127.0.0.1:8124")
    assert called == [("runserver", "127.0.0.1:8124")]
    with pytest.raises(CommandError, match="--workers: must be at least 1"):
        call_command("serve", "--workers", "0")


def test_the_entry_point_runs_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    from openisms.cli.main import main

    main(["whatever", "check"])
    assert "no issues" in capsys.readouterr().out


def test_the_entry_point_reports_a_database_error_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core import management
    from django.db.utils import OperationalError

    from openisms.cli.main import main

    def broken(argv: list[str]) -> None:
        raise OperationalError("connection refused\nmore detail")

    monkeypatch.setattr(management, "execute_from_command_line", broken)
    with pytest.raises(SystemExit) as caught:
        main(["openisms", "migrate"])
    assert caught.value.code == (
        "openisms: cannot use the database (check DATABASE_URL): connection refused"
    )
