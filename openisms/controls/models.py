"""The organisation's record per control and the published versions of its SoA (6.1.3 b to e).

Each organisation has one ``Control`` per Annex A control (``requirement`` set, ``ref`` the
Annex A reference ``A.5.1``) and may add controls from other sources (own ``ref``). The risk
treatment reason is never stored here: it is read from the risks that chose the control
(``risks.RiskControl``), so it can never go stale.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.context.models import Obligation
from openisms.controls.choices import (
    SOA_STATUS_COLOURS,
    STATUS_COLOURS,
    THEME_LABELS,
    Applicability,
    ControlSource,
    ImplementationStatus,
    LinkKind,
    SoaStatus,
)
from openisms.core.models import Organization, User


class Control(models.Model):
    """One control as the organisation applies it: applicability, reasons, implementation.

    ``applicability`` is what a person decided; the SoA's *effective* applicability is "yes"
    also when it is undecided and has an inclusion reason, such as a risk that chose it (see
    ``is_applicable``). A decided "no" stays "no"; the check flags it if a risk chose it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ref = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=16)
    position = models.PositiveIntegerField(default=0)
    source = models.CharField(
        max_length=12, choices=ControlSource.choices, default=ControlSource.ANNEX_A
    )
    source_note = models.CharField(max_length=300, blank=True)
    applicability = models.CharField(
        max_length=12, choices=Applicability.choices, default=Applicability.UNDECIDED
    )
    exclusion_justification = models.TextField(blank=True)
    business_reason = models.TextField(
        blank=True, help_text="a business requirement or good practice that calls for it"
    )
    obligations: models.ManyToManyField[Obligation, ControlObligation] = models.ManyToManyField(
        Obligation, through="ControlObligation", related_name="+", blank=True
    )
    implementation_status = models.CharField(
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    implementation_description = models.TextField(blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    last_review = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "ref")
        constraints = (
            models.UniqueConstraint(fields=("organization", "ref"), name="control_ref_unique"),
            models.UniqueConstraint(
                fields=("organization", "requirement"),
                condition=models.Q(requirement__isnull=False),
                name="control_requirement_unique",
            ),
        )
        indexes = (models.Index(fields=("organization", "position"), name="control_org_pos"),)

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def is_applicable(self, has_reason: bool) -> bool:
        """Effective applicability: decided "yes", or undecided with an inclusion reason."""
        if self.applicability == Applicability.YES:
            return True
        return self.applicability == Applicability.UNDECIDED and has_reason

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.theme, self.theme)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[ImplementationStatus(self.implementation_status)]


class ControlObligation(models.Model):
    """A control answers a legal, regulatory or contractual obligation (an inclusion reason)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="obligation_links")
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("control", "obligation"), name="controlobligation_unique"
            ),
        )
        indexes = (models.Index(fields=("organization", "obligation"), name="controlobl_org_obl"),)

    def __str__(self) -> str:
        return f"{self.control_id} -> {self.obligation_id}"


class ControlLink(models.Model):
    """A document, evidence item or link that supports a control.

    Data-driven so that the evidence and document apps plug in: they add rows with their own
    ``kind`` and ``target_ref`` (``E-0001``); ``valid_until`` drives the freshness column.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=16, choices=LinkKind.choices, default=LinkKind.LINK)
    label = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    target_ref = models.CharField(max_length=40, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("kind", "label")
        indexes = (models.Index(fields=("organization", "kind"), name="controllink_org_kind"),)

    def __str__(self) -> str:
        return self.label

    def is_current(self, today: object = None) -> bool:
        """True unless ``valid_until`` has passed."""
        today = today or timezone.localdate()
        return self.valid_until is None or self.valid_until >= today  # type: ignore[operator]


class SoaVersion(models.Model):
    """A published, frozen Statement of Applicability: rows as JSON and the rendered table.

    Rows and HTML never change after publishing; only the approval fields move.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=SoaStatus.choices, default=SoaStatus.IN_REVIEW)
    rows = models.JSONField(default=list)
    html = models.TextField()
    note = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    check_summary = models.JSONField(default=dict)
    published_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by_label = models.CharField(max_length=254)
    published_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ("-number",)
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "number"), name="soaversion_number_unique"
            ),
        )

    def __str__(self) -> str:
        return f"SoA v{self.number}"

    @property
    def status_colour(self) -> str:
        return SOA_STATUS_COLOURS[SoaStatus(self.status)]
