"""Fixed choices of the context app (ISO/IEC 27001:2022 clause 4)."""

from __future__ import annotations

from django.db import models


class ScopeStatus(models.TextChoices):
    """Where one version of the scope statement stands in its approval."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


#: A version that is still being worked on; an organisation has at most one.
OPEN_SCOPE_STATUSES = (ScopeStatus.DRAFT, ScopeStatus.IN_REVIEW)


class IssueKind(models.TextChoices):
    """Whether an issue arises inside the organisation or around it (clause 4.1)."""

    EXTERNAL = "external", "External"
    INTERNAL = "internal", "Internal"


class IssueCategory(models.TextChoices):
    """What an issue is about: PESTLE and climate change outside, the organisation inside."""

    POLITICAL = "political", "Political"
    ECONOMIC = "economic", "Economic"
    SOCIAL = "social", "Social"
    TECHNOLOGICAL = "technological", "Technological"
    LEGAL = "legal", "Legal and regulatory"
    ENVIRONMENTAL = "environmental", "Environmental"
    CLIMATE = "climate", "Climate change"
    MARKET = "market", "Market and competition"
    GOVERNANCE = "governance", "Governance and structure"
    STRATEGY = "strategy", "Strategy and objectives"
    CULTURE = "culture", "Culture"
    CAPABILITIES = "capabilities", "People and capabilities"
    RESOURCES = "resources", "Resources and budget"
    PROCESSES = "processes", "Processes"
    SYSTEMS = "systems", "Information systems"


EXTERNAL_CATEGORIES: tuple[IssueCategory, ...] = (
    IssueCategory.POLITICAL,
    IssueCategory.ECONOMIC,
    IssueCategory.SOCIAL,
    IssueCategory.TECHNOLOGICAL,
    IssueCategory.LEGAL,
    IssueCategory.ENVIRONMENTAL,
    IssueCategory.CLIMATE,
    IssueCategory.MARKET,
)
INTERNAL_CATEGORIES: tuple[IssueCategory, ...] = (
    IssueCategory.GOVERNANCE,
    IssueCategory.STRATEGY,
    IssueCategory.CULTURE,
    IssueCategory.CAPABILITIES,
    IssueCategory.RESOURCES,
    IssueCategory.PROCESSES,
    IssueCategory.SYSTEMS,
)
CATEGORIES_BY_KIND: dict[str, tuple[IssueCategory, ...]] = {
    IssueKind.EXTERNAL: EXTERNAL_CATEGORIES,
    IssueKind.INTERNAL: INTERNAL_CATEGORIES,
}


class IssueEffect(models.TextChoices):
    """How an issue bears on the ISMS achieving its intended outcomes."""

    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class IssueStatus(models.TextChoices):
    """Whether an issue still needs attention."""

    OPEN = "open", "Open"
    MONITORED = "monitored", "Monitored"
    CLOSED = "closed", "Closed"


class PartyKind(models.TextChoices):
    """The kind of an interested party (clause 4.2)."""

    CUSTOMER = "customer", "Customer"
    EMPLOYEE = "employee", "Employees"
    SUPPLIER = "supplier", "Supplier"
    REGULATOR = "regulator", "Regulator or authority"
    SHAREHOLDER = "shareholder", "Shareholders and investors"
    PARTNER = "partner", "Partner"
    INSURER = "insurer", "Insurer"
    CERTIFICATION_BODY = "certification_body", "Certification body"
    COMMUNITY = "community", "Public and community"
    OTHER = "other", "Other"


class Relevance(models.TextChoices):
    """How much an interested party's requirements weigh on the ISMS."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ObligationKind(models.TextChoices):
    """Where an obligation comes from."""

    LEGAL = "legal", "Legal"
    REGULATORY = "regulatory", "Regulatory"
    CONTRACTUAL = "contractual", "Contractual"
    OTHER = "other", "Other"


class ObligationStatus(models.TextChoices):
    """Whether an obligation still binds the organisation."""

    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"
