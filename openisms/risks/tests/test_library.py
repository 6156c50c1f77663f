"""The threat library (shipped, loaded idempotently), own threats and the vulnerability register."""

from __future__ import annotations

from pathlib import Path

import pytest

from openisms.assets.tests.factories import make_asset
from openisms.core.actors import SYSTEM
from openisms.core.errors import Conflict, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks import selectors, services
from openisms.risks.library import DATA_FILE, parse_library
from openisms.risks.models import Threat
from openisms.risks.rules import ThreatInput, VulnerabilityInput
from openisms.risks.tests.factories import make_risk, make_vulnerability

pytestmark = pytest.mark.django_db


def test_the_shipped_library_loads_once_and_then_changes_nothing(owner_a: User) -> None:
    first = services.threat_library_load(actor=SYSTEM)
    assert (first.status, first.created, first.rows) == ("created", 64, 64)
    again = services.threat_library_load(actor=SYSTEM)
    assert again.status == "unchanged" and again.created == again.updated == 0
    assert Threat.objects.filter(organization__isnull=True).count() == 64
    assert AuditEvent.objects.filter(verb="threat_library.loaded").count() == 1
    fire = Threat.objects.get(ref="G 0.1")
    assert fire.name == "Fire" and fire.affects == ["integrity", "availability"]
    with pytest.raises(PermissionDenied):
        services.threat_library_load(actor=owner_a)


def test_a_newer_library_updates_in_place_and_retires_what_it_drops(
    tmp_path: Path, org_a: Organization
) -> None:
    services.threat_library_load(actor=SYSTEM)
    risk = make_risk(org_a, threats=["OI-genai-leakage"])
    text = DATA_FILE.read_text(encoding="utf-8").replace('version: "1"', 'version: "2"', 1)
    text = text.replace('name: "Fire"', 'name: "Fire and smoke"')
    start = text.index('  - ref: "OI-genai-leakage"')
    end = text.index("  - ref:", start + 5)
    text = text[:start] + text[end:]
    text = text.replace("openisms: 12, total: 64", "openisms: 11, total: 63")
    newer = tmp_path / "threats.yaml"
    newer.write_text(text, encoding="utf-8")
    outcome = services.threat_library_load(actor=SYSTEM, path=newer)
    # Fire's new name, and the position of the threat that followed the dropped one
    assert (outcome.status, outcome.updated, outcome.retired) == ("updated", 2, 1)
    assert Threat.objects.get(ref="G 0.1").name == "Fire and smoke"
    assert [t.ref for t in risk.threats.all()] == ["OI-genai-leakage"]
    listed = selectors.threat_list(actor=SYSTEM, org=org_a)
    assert "OI-genai-leakage" not in {t.ref for t in listed}
    assert services.threat_library_load(actor=SYSTEM).status == "skipped"


def test_a_broken_library_file_names_each_problem() -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    broken = text.replace('ref: "G 0.2"', 'ref: "G 0.1"').replace(
        "category: natural", "category: weather", 1
    )
    with pytest.raises(ValidationError) as caught:
        parse_library(broken)
    lines = caught.value.errors["file"]
    assert any("ref 'G 0.1': appears 2 times" in line for line in lines)
    assert any("'weather' is not one of" in line for line in lines)


def test_own_threats_are_numbered_per_organisation_and_the_library_is_read_only(
    org_a: Organization, org_b: Organization, threats: None
) -> None:
    own = services.threat_create(
        actor=SYSTEM,
        org=org_a,
        data=ThreatInput(name="Cut-off pressure", category="organisational"),
    )
    other = services.threat_create(
        actor=SYSTEM, org=org_b, data=ThreatInput(name="Other", category="physical")
    )
    assert own.ref == other.ref == "T-0001"
    refs = {t.ref for t in selectors.threat_list(actor=SYSTEM, org=org_a)}
    assert "T-0001" in refs and "G 0.1" in refs and len(refs) == 65
    with pytest.raises(PermissionDenied, match="shipped threat library"):
        services.threat_update(
            actor=SYSTEM, threat=Threat.objects.get(ref="G 0.1"), data=ThreatInput(name="x")
        )
    services.threat_update(actor=SYSTEM, threat=own, data=ThreatInput(name="Deadline pressure"))
    assert AuditEvent.objects.filter(organization=org_a, verb="threat.updated").count() == 1
    with pytest.raises(ValidationError) as caught:
        services.threat_create(actor=SYSTEM, org=org_a, data=ThreatInput(name="x", category="y"))
    assert "category" in caught.value.errors


def test_vulnerabilities_link_assets_and_record_their_fix(org_a: Organization) -> None:
    asset = make_asset(org_a, "Legacy database")
    vulnerability = make_vulnerability(org_a, assets=[asset.ref], severity="high")
    assert vulnerability.ref == "V-0001"
    assert [a.ref for a in vulnerability.assets.all()] == [asset.ref]
    services.vulnerability_update(
        actor=SYSTEM,
        vulnerability=vulnerability,
        data=VulnerabilityInput(status="fixed"),
        version=1,
    )
    assert vulnerability.fixed_on is not None and vulnerability.version == 2
    with pytest.raises(Conflict):
        services.vulnerability_update(
            actor=SYSTEM, vulnerability=vulnerability, data=VulnerabilityInput(title="x"), version=1
        )
    with pytest.raises(ValidationError) as caught:
        make_vulnerability(org_a, fixed_on="2020-01-01", status="open")
    assert "fixed_on" in caught.value.errors
    risk = make_risk(org_a, vulnerabilities=["v-1"])
    services.vulnerability_delete(actor=SYSTEM, vulnerability=vulnerability)
    assert not risk.vulnerabilities.exists()
    deleted = AuditEvent.objects.get(organization=org_a, verb="vulnerability.deleted")
    assert deleted.data["risks"] == [risk.ref]
