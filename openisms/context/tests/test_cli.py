"""``openisms context``: the scope and the registers on the console."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openisms.context.tests import factories
from openisms.core.models import Organization


def test_the_scope_is_printed_or_its_absence_is_an_error(
    org_a: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="no approved scope"):
        call_command("context", "scope", "--org", "alpha")
    factories.approved_scope(org_a, exclusions=[{"item": "Lab", "justification": "No data"}])
    call_command("context", "scope", "--org", "alpha")
    out = capsys.readouterr().out
    assert "Scope version 1 (Approved)" in out and "- Lab: No data" in out
    call_command("context", "scope", "--org", "alpha", "--number", "1", "--json")
    assert json.loads(capsys.readouterr().out)["number"] == 1


def test_the_registers_list_as_text_or_json(
    org_a: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    gdpr = factories.obligation(org_a)
    factories.obligation(org_a, name="MSA", kind="contractual", counterparty="Northwind plc")
    factories.issue(org_a)
    factories.party(org_a, requirements=[{"text": "A DPA", "obligation": gdpr.ref}])
    call_command("context", "obligations", "--org", "alpha", "--kind", "contractual", "--json")
    assert [o["name"] for o in json.loads(capsys.readouterr().out)] == ["MSA"]
    call_command("context", "issues", "--org", "alpha")
    assert "IS-0001" in capsys.readouterr().out
    call_command("context", "parties", "--org", "alpha", "--json")
    party = json.loads(capsys.readouterr().out)[0]
    assert party["requirements"][0]["obligation"] == gdpr.ref
