"""Risk management: methodology versions, threats, vulnerabilities, risks and their treatment.

ISO/IEC 27001:2022 6.1.2 (assessment), 6.1.3 (treatment), 8.2 and 8.3 (doing both). Every row
belongs to one organisation except the shipped threat library (``organization`` NULL). Links
between an organisation's rows go through models that carry ``organization`` too, so that a
lookup never crosses organisations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from openisms.assets.models import Asset
from openisms.catalog.models import Requirement
from openisms.core.models import Organization, User
from openisms.risks.choices import (
    ACTION_COLOURS,
    OPEN_ACTION_STATUSES,
    SEVERITY_COLOURS,
    STATUS_COLOURS,
    VULNERABILITY_COLOURS,
    ActionStatus,
    RiskStatus,
    Severity,
    ThreatCategory,
    ThreatSource,
    TreatmentOption,
    VulnerabilityStatus,
)
from openisms.risks.methodology import MethodologySpec, RiskLevel, parse

#: Parsed methodology specs by row id. A version's spec never changes once saved (a change
#: makes a new version), and the spec is compared anyway, so an entry cannot go stale.
_PARSED: dict[int | None, tuple[dict[str, Any], MethodologySpec]] = {}


def _parsed_spec(pk: int | None, spec: dict[str, Any]) -> MethodologySpec:
    hit = _PARSED.get(pk)
    if hit is not None and hit[0] == spec:
        return hit[1]
    parsed = parse(spec)
    if pk is not None:
        if len(_PARSED) > 1000:
            _PARSED.clear()
        _PARSED[pk] = (spec, parsed)
    return parsed


class Methodology(models.Model):
    """One version of an organisation's risk methodology (6.1.2 a and b); never edited.

    A change makes a new version and the old one stops being current; each risk keeps the
    version it was assessed with until it is reassessed, so its level never moves by itself.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="risk_methodologies"
    )
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    spec = models.JSONField(help_text="scales, levels and matrix; see risks.methodology")
    note = models.TextField(blank=True, help_text="what changed and why")
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("organization", "-version")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "version"), name="methodology_org_version_unique"
            ),
            models.UniqueConstraint(
                fields=("organization",),
                condition=models.Q(is_current=True),
                name="methodology_one_current",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def parsed(self) -> MethodologySpec:
        """The typed methodology (parsed once per instance)."""
        cached: MethodologySpec | None = self.__dict__.get("_parsed")
        if cached is None:
            cached = _parsed_spec(self.pk, self.spec)
            self.__dict__["_parsed"] = cached
        return cached

    @property
    def size(self) -> str:
        """``5x5``: likelihood steps by impact steps."""
        return f"{len(self.parsed.likelihood)}x{len(self.parsed.impact)}"

    def level_or_none(self, key: str) -> RiskLevel | None:
        """The level with ``key``, or None for an empty or unknown key."""
        return next((level for level in self.parsed.levels if level.key == key), None)


class ThreatLibrary(models.Model):
    """The shipped threat library as loaded: its code, the data file's version, its sources."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    sources = models.JSONField(default=list)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Threat(models.Model):
    """A threat: from the shipped library (``organization`` NULL) or the organisation's own.

    Library threats keep their published reference (``G 0.1``, ``OI-ransomware``) and are
    never deleted: one that a newer library drops is marked retired, because risks link it.
    An organisation's own threats are numbered ``T-0001``.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    library = models.ForeignKey(
        ThreatLibrary, on_delete=models.PROTECT, null=True, blank=True, related_name="threats"
    )
    ref = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=24, choices=ThreatCategory.choices)
    also_category = models.CharField(max_length=24, choices=ThreatCategory.choices, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=12, choices=ThreatSource.choices)
    affects_confidentiality = models.BooleanField(default=False)
    affects_integrity = models.BooleanField(default=False)
    affects_availability = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0, help_text="order in the library")
    is_retired = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "ref")
        constraints = (
            models.UniqueConstraint(
                fields=("ref",),
                condition=models.Q(organization__isnull=True),
                name="threat_library_ref_unique",
            ),
            models.UniqueConstraint(
                fields=("organization", "ref"),
                condition=models.Q(organization__isnull=False),
                name="threat_org_ref_unique",
            ),
        )
        indexes = (models.Index(fields=("organization", "position"), name="threat_org_pos"),)

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def is_own(self) -> bool:
        """True for the organisation's own threats (the library's are shared)."""
        return self.organization_id is not None

    @property
    def affects(self) -> list[str]:
        """The properties it typically hits, as words."""
        return [
            name
            for name, hit in (
                ("confidentiality", self.affects_confidentiality),
                ("integrity", self.affects_integrity),
                ("availability", self.affects_availability),
            )
            if hit
        ]


class Vulnerability(models.Model):
    """A weakness of one or more assets that a threat can exploit (V-0001)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    ref = models.CharField(max_length=16)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assets: models.ManyToManyField[Asset, VulnerabilityAsset] = models.ManyToManyField(
        Asset, through="VulnerabilityAsset", related_name="+", blank=True
    )
    severity = models.CharField(max_length=12, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(
        max_length=12, choices=VulnerabilityStatus.choices, default=VulnerabilityStatus.OPEN
    )
    found_on = models.DateField(null=True, blank=True)
    fixed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("number",)
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "ref"), name="vulnerability_ref_unique"
            ),
        )
        indexes = (
            models.Index(fields=("organization", "number"), name="vulnerability_org_number"),
            models.Index(fields=("organization", "status"), name="vulnerability_org_status"),
        )

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOURS[Severity(self.severity)]

    @property
    def status_colour(self) -> str:
        return VULNERABILITY_COLOURS[VulnerabilityStatus(self.status)]


class VulnerabilityAsset(models.Model):
    """A vulnerability affects an asset."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="asset_links"
    )
    # As for risks: an asset a vulnerability names cannot vanish from under it (retire it).
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("vulnerability", "asset"), name="vulnerabilityasset_unique"
            ),
        )
        indexes = (models.Index(fields=("organization", "asset"), name="vulnasset_org_asset"),)

    def __str__(self) -> str:
        return self.vulnerability.ref


#: The information security properties a risk may hit, and the flags that say so.
AFFECTS = (
    ("confidentiality", "affects_confidentiality"),
    ("integrity", "affects_integrity"),
    ("availability", "affects_availability"),
)


def affected(values: dict[str, Any]) -> list[str]:
    """The properties hit, as words, from a risk's values (a row or a model's fields)."""
    return [name for name, flag in AFFECTS if values[flag]]


class Risk(models.Model):
    """An information security risk (R-0001): what could happen, how bad, what is done about it.

    ``methodology`` is the version the risk was last assessed with; the stored level keys and
    ranks were computed from that version by the service and never from a later one, so a new
    methodology version moves a risk only when it is reassessed. ``inherent_*`` is the risk
    before treatment, ``residual_*`` the target after it. ``number`` is the numeric part of
    ``ref``, for sorting R-9999 before R-10000.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    ref = models.CharField(max_length=16)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assets: models.ManyToManyField[Asset, RiskAsset] = models.ManyToManyField(
        Asset, through="RiskAsset", related_name="+", blank=True
    )
    threats: models.ManyToManyField[Threat, RiskThreat] = models.ManyToManyField(
        Threat, through="RiskThreat", related_name="+", blank=True
    )
    vulnerabilities: models.ManyToManyField[Vulnerability, RiskVulnerability] = (
        models.ManyToManyField(
            Vulnerability, through="RiskVulnerability", related_name="risks", blank=True
        )
    )
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    affects_confidentiality = models.BooleanField(default=False)
    affects_integrity = models.BooleanField(default=False)
    affects_availability = models.BooleanField(default=False)
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, null=True, blank=True, related_name="risks"
    )
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_level = models.CharField(max_length=20, blank=True)
    inherent_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    existing_controls = models.TextField(blank=True)
    treatment = models.CharField(max_length=8, choices=TreatmentOption.choices, blank=True)
    controls: models.ManyToManyField[Requirement, RiskControl] = models.ManyToManyField(
        Requirement, through="RiskControl", related_name="+", blank=True
    )
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.CharField(max_length=20, blank=True)
    residual_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED
    )
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_by_label = models.CharField(max_length=254, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_level = models.CharField(max_length=20, blank=True)
    acceptance_rationale = models.TextField(blank=True)
    acceptance_valid_until = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    next_review = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("number",)
        constraints = (
            models.UniqueConstraint(fields=("organization", "ref"), name="risk_ref_unique"),
            models.UniqueConstraint(fields=("organization", "number"), name="risk_number_unique"),
        )
        indexes = (
            models.Index(fields=("organization", "status"), name="risk_org_status"),
            models.Index(fields=("organization", "owner"), name="risk_org_owner"),
            # A heat map counts its cells from these alone (covering: no read of the rows).
            models.Index(
                fields=(
                    "organization",
                    "methodology",
                    "inherent_likelihood",
                    "inherent_impact",
                    "status",
                ),
                name="risk_heat_inherent",
            ),
            models.Index(
                fields=(
                    "organization",
                    "methodology",
                    "residual_likelihood",
                    "residual_impact",
                    "status",
                ),
                name="risk_heat_residual",
            ),
            models.Index(fields=("organization", "next_review"), name="risk_org_review"),
            models.Index(fields=("organization", "updated_at"), name="risk_org_updated"),
            # The register's and the dashboard's counts read these alone (covering): the
            # rows' text is not read, 13 -> 7 ms for 20,000 risks on SQLite.
            models.Index(
                fields=(
                    "organization",
                    "status",
                    "methodology",
                    "inherent_rank",
                    "residual_rank",
                    "next_review",
                    "acceptance_valid_until",
                ),
                name="risk_counts",
            ),
        )

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def is_assessed(self) -> bool:
        """Whether the risk has an inherent likelihood, impact and level."""
        return bool(self.inherent_level)

    @property
    def current_level(self) -> str:
        """The level that counts now: the residual one once set, otherwise the inherent one."""
        return self.residual_level or self.inherent_level

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[RiskStatus(self.status)]

    @property
    def treatment_word(self) -> str:
        """The treatment option in one word (Modify, Retain...), for tables."""
        return self.treatment.capitalize()

    @property
    def affects(self) -> list[str]:
        """The properties the risk hits, as words."""
        return affected(vars(self))

    def acceptance_expired(self, today: dt.date | None = None) -> bool:
        """An accepted risk whose acceptance ran out before ``today``."""
        today = today or timezone.localdate()
        return (
            self.status == RiskStatus.ACCEPTED
            and self.acceptance_valid_until is not None
            and self.acceptance_valid_until < today
        )

    def is_due_for_review(self, today: dt.date | None = None) -> bool:
        """Review date reached, or acceptance expired (closed risks are never due)."""
        today = today or timezone.localdate()
        if self.status == RiskStatus.CLOSED:
            return False
        review_due = self.next_review is not None and self.next_review <= today
        return review_due or self.acceptance_expired(today)


class RiskAsset(models.Model):
    """A risk concerns an asset."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="asset_links")
    # An asset that risks name cannot vanish from under them: the deletion is refused.
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (models.UniqueConstraint(fields=("risk", "asset"), name="riskasset_unique"),)
        indexes = (models.Index(fields=("organization", "asset"), name="riskasset_org_asset"),)

    def __str__(self) -> str:
        return self.risk.ref


class RiskThreat(models.Model):
    """A risk arises from a threat."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="threat_links")
    threat = models.ForeignKey(Threat, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("risk", "threat"), name="riskthreat_unique"),
        )
        indexes = (models.Index(fields=("organization", "threat"), name="riskthreat_org_threat"),)

    def __str__(self) -> str:
        return f"{self.risk_id} -> {self.threat_id}"


class RiskVulnerability(models.Model):
    """A risk exploits a vulnerability."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="vulnerability_links")
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="risk_links"
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("risk", "vulnerability"), name="riskvulnerability_unique"
            ),
        )
        indexes = (
            models.Index(fields=("organization", "vulnerability"), name="riskvuln_org_vuln"),
        )

    def __str__(self) -> str:
        return f"{self.risk_id} -> {self.vulnerability_id}"


class RiskControl(models.Model):
    """An Annex A control chosen to treat a risk (6.1.3 b); the SoA reads these as reasons."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="control_links")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("risk", "requirement"), name="riskcontrol_unique"),
        )
        indexes = (
            # Each control's links in risk order: the SoA reads the first ones per control.
            models.Index(
                fields=("organization", "requirement", "risk"), name="riskcontrol_org_req_risk"
            ),
        )

    def __str__(self) -> str:
        return f"{self.risk_id} -> {self.requirement_id}"


class RiskAssessment(models.Model):
    """One (re)assessment of a risk, kept as history: when, who, with which methodology."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_by_label = models.CharField(max_length=254)
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="+")
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    inherent_level = models.CharField(max_length=20)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("-assessed_at", "-id")
        indexes = (models.Index(fields=("risk", "assessed_at"), name="riskassessment_risk_time"),)

    def __str__(self) -> str:
        return f"{self.risk_id} at {self.assessed_at:%Y-%m-%d}"


class TreatmentAction(models.Model):
    """One step of a risk's treatment plan (6.1.3 e): who does what by when, and how far."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="per cent done")
    notes = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_date", "id")
        indexes = (
            models.Index(fields=("organization", "status", "due_date"), name="action_org_due"),
            models.Index(fields=("organization", "owner"), name="action_org_owner"),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def status_colour(self) -> str:
        return ACTION_COLOURS[ActionStatus(self.status)]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Still open after its due date."""
        today = today or timezone.localdate()
        return (
            self.status in OPEN_ACTION_STATUSES
            and self.due_date is not None
            and self.due_date < today
        )
