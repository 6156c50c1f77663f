"""Writes of the vulnerability register (V-0001): weaknesses of assets that threats exploit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from openisms.core import audit, authz, refs
from openisms.core.actors import Actor
from openisms.core.cleaning import ref_number
from openisms.core.errors import raise_if
from openisms.core.models import Organization
from openisms.risks.choices import VULNERABILITY_PREFIX, VulnerabilityStatus
from openisms.risks.models import Vulnerability, VulnerabilityAsset
from openisms.risks.rules import (
    VULNERABILITY_CLEANERS,
    Lookups,
    VulnerabilityInput,
    clean_values,
)
from openisms.risks.services.common import iso, lock_version, replace_links


def _snapshot(vulnerability: Vulnerability, assets: list[str]) -> dict[str, Any]:
    return {
        "title": vulnerability.title,
        "description": vulnerability.description,
        "severity": vulnerability.severity,
        "status": vulnerability.status,
        "found_on": iso(vulnerability.found_on),
        "fixed_on": iso(vulnerability.fixed_on),
        "assets": sorted(assets),
    }


def _asset_refs(vulnerability: Vulnerability) -> list[str]:
    links = VulnerabilityAsset.objects.filter(vulnerability=vulnerability)
    return list(links.values_list("asset__ref", flat=True))


def _check_dates(vulnerability: Vulnerability) -> None:
    errors: dict[str, list[str]] = {}
    found, fixed = vulnerability.found_on, vulnerability.fixed_on
    if found and fixed and fixed < found:
        errors["fixed_on"] = ["A vulnerability cannot be fixed before it was found."]
    if fixed and vulnerability.status not in (VulnerabilityStatus.FIXED,):
        errors["fixed_on"] = ["Only a fixed vulnerability has a fix date; set the status to fixed."]
    raise_if(errors)


def _clean(org: Organization, data: VulnerabilityInput, creating: bool) -> Any:
    lookups = Lookups.load(org, vulnerabilities=[data], people=[data])
    cleaned = clean_values(data, VULNERABILITY_CLEANERS, lookups, ("title",) if creating else ())
    raise_if(cleaned.errors)
    return cleaned


@transaction.atomic
def vulnerability_create(
    *, actor: Actor, org: Organization, data: VulnerabilityInput
) -> Vulnerability:
    """Record a vulnerability with the next reference (V-0001...)."""
    authz.require(actor, "risks.change", org)
    cleaned = _clean(org, data, creating=True)
    ref = refs.next_ref(org, VULNERABILITY_PREFIX)
    vulnerability = Vulnerability(organization=org, ref=ref, number=ref_number(ref))
    for name, value in cleaned.values.items():
        setattr(vulnerability, name, value)
    if vulnerability.status == VulnerabilityStatus.FIXED and vulnerability.fixed_on is None:
        vulnerability.fixed_on = timezone.localdate()
    _check_dates(vulnerability)
    vulnerability.save()
    assets = cleaned.links.get("assets", [])
    replace_links(
        VulnerabilityAsset, org, "vulnerability", vulnerability, "asset", assets, new=True
    )
    data_after = _snapshot(vulnerability, [a.ref for a in assets])
    audit.record(actor=actor, verb="vulnerability.created", target=vulnerability, data=data_after)
    return vulnerability


@transaction.atomic
def vulnerability_update(
    *,
    actor: Actor,
    vulnerability: Vulnerability,
    data: VulnerabilityInput,
    version: int | None = None,
) -> Vulnerability:
    """Change the given values; a stale ``version`` is a Conflict."""
    org = vulnerability.organization
    authz.require(actor, "risks.change", org)
    cleaned = _clean(org, data, creating=False)
    lock_version(vulnerability)
    before = _snapshot(vulnerability, _asset_refs(vulnerability))
    refs.check_version(vulnerability, version, f"Vulnerability {vulnerability.ref}")
    for name, value in cleaned.values.items():
        setattr(vulnerability, name, value)
    if vulnerability.status == VulnerabilityStatus.FIXED and vulnerability.fixed_on is None:
        vulnerability.fixed_on = timezone.localdate()
    if vulnerability.status != VulnerabilityStatus.FIXED and "fixed_on" not in cleaned.values:
        vulnerability.fixed_on = None
    _check_dates(vulnerability)
    assets = cleaned.links.get("assets")
    refs_after = [a.ref for a in assets] if assets is not None else before["assets"]
    changes = audit.changes(before, _snapshot(vulnerability, refs_after))
    if not changes:
        vulnerability.version -= 1
        return vulnerability
    vulnerability.updated_at = timezone.now()
    vulnerability.save()
    if assets is not None:
        replace_links(VulnerabilityAsset, org, "vulnerability", vulnerability, "asset", assets)
    audit.record(actor=actor, verb="vulnerability.updated", target=vulnerability, data=changes)
    return vulnerability


@transaction.atomic
def vulnerability_delete(*, actor: Actor, vulnerability: Vulnerability) -> None:
    """Remove a vulnerability and its links to assets and risks; the audit event keeps it."""
    authz.require(actor, "risks.change", vulnerability.organization)
    data = _snapshot(vulnerability, _asset_refs(vulnerability))
    data["risks"] = sorted(vulnerability.risks.values_list("ref", flat=True))
    vulnerability.delete()
    audit.record(
        actor=actor,
        verb="vulnerability.deleted",
        target=("risks.vulnerability", vulnerability.ref, str(vulnerability)),
        org=vulnerability.organization,
        data=data,
    )
