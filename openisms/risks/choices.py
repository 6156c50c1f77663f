"""Fixed choices of risk management (ISO/IEC 27001:2022 6.1.2, 6.1.3, 8.2, 8.3)."""

from __future__ import annotations

from django.db import models

RISK_PREFIX = "R"
VULNERABILITY_PREFIX = "V"
THREAT_PREFIX = "T"


class RiskStatus(models.TextChoices):
    """Where a risk is in the loop: identified, assessed, treated, accepted, closed."""

    IDENTIFIED = "identified", "Identified"
    ASSESSED = "assessed", "Assessed"
    TREATMENT_PLANNED = "treatment_planned", "Treatment planned"
    TREATED = "treated", "Treated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


#: The statuses a person may set directly; accepted and closed have their own steps.
MANUAL_STATUSES = (
    RiskStatus.IDENTIFIED,
    RiskStatus.ASSESSED,
    RiskStatus.TREATMENT_PLANNED,
    RiskStatus.TREATED,
)

#: Badge colours of the statuses (always shown with the word).
STATUS_COLOURS = {
    RiskStatus.IDENTIFIED: "secondary",
    RiskStatus.ASSESSED: "azure",
    RiskStatus.TREATMENT_PLANNED: "yellow",
    RiskStatus.TREATED: "teal",
    RiskStatus.ACCEPTED: "green",
    RiskStatus.CLOSED: "dark",
}


class TreatmentOption(models.TextChoices):
    """The risk treatment options of ISO/IEC 27005 (6.1.3 a)."""

    MODIFY = "modify", "Modify (reduce with controls)"
    RETAIN = "retain", "Retain (accept as it is)"
    AVOID = "avoid", "Avoid (stop the activity)"
    SHARE = "share", "Share (insure or transfer)"


class ActionStatus(models.TextChoices):
    """Where a treatment action is."""

    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


#: Actions that still have work to do (and can be overdue).
OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)

ACTION_COLOURS = {
    ActionStatus.PLANNED: "secondary",
    ActionStatus.IN_PROGRESS: "azure",
    ActionStatus.DONE: "green",
    ActionStatus.CANCELLED: "dark",
}


class ThreatCategory(models.TextChoices):
    """The categories of the threat library (see ``data/README.md``)."""

    PHYSICAL = "physical", "Physical"
    NATURAL = "natural", "Natural"
    INFRASTRUCTURE = "infrastructure", "Infrastructure and supplies"
    TECHNICAL_FAILURE = "technical_failure", "Technical failure"
    HUMAN_DELIBERATE = "human_deliberate", "Deliberate human action"
    HUMAN_ACCIDENTAL = "human_accidental", "Accidental human action"
    ORGANISATIONAL = "organisational", "Organisational"


class ThreatSource(models.TextChoices):
    """Where a threat comes from: a public list, our additions, or the organisation itself."""

    BSI = "bsi", "BSI elementary threats"
    ISO27005 = "iso27005", "ISO/IEC 27005 examples"
    OPENISMS = "openisms", "OpenISMS additions"
    OWN = "own", "Our own"


class Severity(models.TextChoices):
    """How severe a vulnerability is."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_COLOURS = {
    Severity.LOW: "green",
    Severity.MEDIUM: "yellow",
    Severity.HIGH: "orange",
    Severity.CRITICAL: "red",
}


class VulnerabilityStatus(models.TextChoices):
    """Where a vulnerability is."""

    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "Being fixed"
    FIXED = "fixed", "Fixed"
    WONT_FIX = "wont_fix", "Will not fix"


VULNERABILITY_COLOURS = {
    VulnerabilityStatus.OPEN: "red",
    VulnerabilityStatus.IN_PROGRESS: "yellow",
    VulnerabilityStatus.FIXED: "green",
    VulnerabilityStatus.WONT_FIX: "secondary",
}

#: The three properties a risk can hit, with the asset fields that value them.
CIA = (
    ("confidentiality", "Confidentiality"),
    ("integrity", "Integrity"),
    ("availability", "Availability"),
)
