"""The context of the organisation (clause 4): scope versions, issues, parties, obligations.

Every row carries its organisation; the registers have a per-organisation reference
(``IS-0001``, ``IP-0001``, ``OB-0001``) and a ``version`` for optimistic locking.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from openisms.context.choices import (
    OPEN_SCOPE_STATUSES,
    IssueCategory,
    IssueEffect,
    IssueKind,
    IssueStatus,
    ObligationKind,
    ObligationStatus,
    PartyKind,
    Relevance,
    ScopeStatus,
)
from openisms.core.models import Organization, User


def _due(day: dt.date | None) -> bool:
    return day is not None and day <= timezone.localdate()


class ScopeStatement(models.Model):
    """One version of the ISMS scope statement (clause 4.3), numbered 1, 2, 3... per organisation.

    A version is edited as a draft, submitted for review, then approved or returned to draft.
    Approving one supersedes the version approved before it; every version is kept. At most
    one version is approved and at most one is open (draft or in review) at any time.
    ``version`` counts edits (optimistic locking); ``number`` is the scope's version number.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scope_versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=ScopeStatus.choices, default=ScopeStatus.DRAFT)
    summary = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="The scope statement itself.")
    organisational_boundaries = models.TextField(blank=True)
    physical_boundaries = models.TextField(blank=True)
    technological_boundaries = models.TextField(blank=True)
    locations = models.TextField(blank=True)
    exclusions = models.JSONField(
        default=list, blank=True, help_text='[{"item": ..., "justification": ...}]'
    )
    interfaces = models.TextField(
        blank=True, help_text="Interfaces and dependencies with other organisations."
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.CharField(max_length=254, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=254, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comment = models.TextField(blank=True)
    rejected_by = models.CharField(max_length=254, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_comment = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-number",)
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "number"), name="scopestatement_number_unique"
            ),
            models.UniqueConstraint(
                fields=("organization",),
                condition=models.Q(status=ScopeStatus.APPROVED),
                name="scopestatement_one_approved",
            ),
            models.UniqueConstraint(
                fields=("organization",),
                condition=models.Q(status__in=OPEN_SCOPE_STATUSES),
                name="scopestatement_one_open",
            ),
        )

    def __str__(self) -> str:
        return f"Scope v{self.number} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        """Still being worked on: a draft or in review."""
        return self.status in OPEN_SCOPE_STATUSES

    @property
    def is_editable(self) -> bool:
        """Only a draft can be edited."""
        return self.status == ScopeStatus.DRAFT


class Issue(models.Model):
    """An internal or external issue relevant to the ISMS (clause 4.1).

    The risk app links risks to issues from its side (a many-to-many on the risk).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="context_issues"
    )
    ref = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=IssueKind.choices)
    category = models.CharField(max_length=24, choices=IssueCategory.choices)
    effect = models.CharField(
        max_length=16, choices=IssueEffect.choices, default=IssueEffect.NEUTRAL
    )
    effect_description = models.TextField(blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("ref",)
        constraints = (
            models.UniqueConstraint(fields=("organization", "ref"), name="issue_ref_unique"),
        )

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def is_review_due(self) -> bool:
        """The review date has come and the issue is not closed."""
        return _due(self.review_date) and self.status != IssueStatus.CLOSED


class InterestedParty(models.Model):
    """A person or organisation that affects or is affected by the ISMS (clause 4.2)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="interested_parties"
    )
    ref = models.CharField(max_length=16)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=PartyKind.choices)
    description = models.TextField(blank=True)
    relevance = models.CharField(max_length=8, choices=Relevance.choices, default=Relevance.MEDIUM)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("ref",)
        verbose_name_plural = "interested parties"
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "ref"), name="interestedparty_ref_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class Obligation(models.Model):
    """A legal, regulatory or contractual obligation the ISMS must meet.

    The Statement of Applicability cites obligations as reasons for including controls.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="obligations"
    )
    ref = models.CharField(max_length=16)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ObligationKind.choices)
    jurisdiction = models.CharField(max_length=200, blank=True)
    counterparty = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="The law and article, or the contract and clause."
    )
    source_url = models.URLField(max_length=500, blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.ACTIVE
    )
    review_date = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("ref",)
        constraints = (
            models.UniqueConstraint(fields=("organization", "ref"), name="obligation_ref_unique"),
        )

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def is_review_due(self) -> bool:
        """The review date has come and the obligation is still active."""
        return _due(self.review_date) and self.status == ObligationStatus.ACTIVE


class PartyRequirement(models.Model):
    """One requirement of an interested party, and whether and how the ISMS addresses it.

    A requirement may have become an obligation in the register (a contract clause, say).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(
        InterestedParty, on_delete=models.CASCADE, related_name="requirements"
    )
    text = models.TextField()
    addressed = models.BooleanField(default=False, help_text="Addressed through the ISMS.")
    how = models.TextField(blank=True)
    obligation = models.ForeignKey(
        Obligation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_requirements",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("party", "pk")

    def __str__(self) -> str:
        return self.text[:80]
