"""Choices of the controls app: applicability, implementation status, SoA version status."""

from __future__ import annotations

from django.db import models

#: Controls that are not Annex A controls are grouped under this heading.
OTHER_THEME = "other"
THEME_LABELS = {
    "organizational": "Organizational controls (A.5)",
    "people": "People controls (A.6)",
    "physical": "Physical controls (A.7)",
    "technological": "Technological controls (A.8)",
    OTHER_THEME: "Controls from other sources",
}
#: Exclusion justifications an auditor would not accept, compared lower-case and trimmed.
EMPTY_JUSTIFICATIONS = frozenset({"", "n/a", "na", "not applicable", "none", "-", "tbd"})
MIN_JUSTIFICATION = 15


class Applicability(models.TextChoices):
    """Whether the control is in the SoA: yes, no, or not decided yet."""

    YES = "yes", "Applicable"
    NO = "no", "Not applicable"
    UNDECIDED = "undecided", "Undecided"


class ImplementationStatus(models.TextChoices):
    """How far the control is implemented."""

    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    PARTIAL = "partial", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"


STATUS_COLOURS = {
    ImplementationStatus.NOT_STARTED: "secondary",
    ImplementationStatus.PLANNED: "azure",
    ImplementationStatus.PARTIAL: "yellow",
    ImplementationStatus.IMPLEMENTED: "green",
}


class ControlSource(models.TextChoices):
    """Where a control comes from."""

    ANNEX_A = "annex_a", "ISO/IEC 27001:2022 Annex A"
    OTHER = "other", "Other source"


class LinkKind(models.TextChoices):
    """What a control's link points at; the evidence and document apps add rows of theirs."""

    DOCUMENT = "document", "Document"
    EVIDENCE = "evidence", "Evidence"
    LINK = "link", "Link"


class SoaStatus(models.TextChoices):
    """Where a published SoA version is in its approval."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


SOA_STATUS_COLOURS = {
    SoaStatus.DRAFT: "secondary",
    SoaStatus.IN_REVIEW: "azure",
    SoaStatus.APPROVED: "green",
    SoaStatus.SUPERSEDED: "muted",
}


class Severity(models.TextChoices):
    """How much a consistency-check finding matters; blockers stop a publish."""

    BLOCKER = "blocker", "Blocker"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


SEVERITY_COLOURS = {Severity.BLOCKER: "red", Severity.WARNING: "orange", Severity.INFO: "azure"}
