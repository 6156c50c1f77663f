"""Fixed choices of the asset inventory, and the defaults each new organisation starts with."""

from __future__ import annotations

from django.db import models

REF_PREFIX = "A"
LEVELS = (1, 2, 3, 4)


class AssetKind(models.TextChoices):
    """What sort of asset it is (ISO/IEC 27001:2022 A.5.9: information and other assets)."""

    INFORMATION = "information", "Information"
    SOFTWARE = "software", "Software"
    HARDWARE = "hardware", "Hardware"
    SERVICE = "service", "Service"
    PEOPLE = "people", "People"
    SITE = "site", "Site"
    SUPPLIER = "supplier", "Supplier"


class LifecycleStatus(models.TextChoices):
    """Where the asset is in its life."""

    PLANNED = "planned", "Planned"
    IN_USE = "in_use", "In use"
    RETIRED = "retired", "Retired"


class CiaDimension(models.TextChoices):
    """The three properties an asset is valued for."""

    CONFIDENTIALITY = "c", "Confidentiality"
    INTEGRITY = "i", "Integrity"
    AVAILABILITY = "a", "Availability"


class Criticality(models.IntegerChoices):
    """How much the asset matters: the highest of its C, I and A values (see ``criticality_of``)."""

    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Critical"


def criticality_of(confidentiality: int, integrity: int, availability: int) -> int:
    """The derived criticality: the highest of the three values.

    The maximum, not the sum or the mean, because an asset whose loss of confidentiality alone
    would be severe is critical however little its availability matters.
    """
    return max(confidentiality, integrity, availability)


#: Badge colours of the criticality levels (Tabler's light variants); always shown with a word.
CRITICALITY_COLOURS = {1: "green", 2: "yellow", 3: "orange", 4: "red"}

#: The value a new asset gets for C, I and A when none is given.
DEFAULT_LEVEL = 2

#: Classification labels of a new organisation, in order; the one marked True is the default.
DEFAULT_CLASSIFICATIONS: tuple[tuple[str, str, bool], ...] = (
    ("Public", "May be published; disclosure causes no harm.", False),
    ("Internal", "For staff and contractors; limited harm if disclosed.", True),
    ("Confidential", "For named groups with a need to know; disclosure causes harm.", False),
    ("Restricted", "For named people only; disclosure causes serious harm.", False),
)

#: What levels 1 to 4 mean for each property in a new organisation: (label, description).
DEFAULT_CIA_LEVELS: dict[str, tuple[tuple[str, str], ...]] = {
    CiaDimension.CONFIDENTIALITY: (
        ("Public", "Disclosure causes no harm."),
        ("Internal", "Disclosure causes minor harm, contained inside the organisation."),
        ("Confidential", "Disclosure harms customers, staff or the business noticeably."),
        ("Secret", "Disclosure causes severe or lasting harm, or breaches the law."),
    ),
    CiaDimension.INTEGRITY: (
        ("Low", "Errors are harmless or noticed and corrected at once."),
        ("Moderate", "Errors cause rework or minor wrong decisions."),
        ("High", "Errors cause wrong payments, reports or decisions that reach customers."),
        ("Very high", "Errors cause severe financial, legal or safety consequences."),
    ),
    CiaDimension.AVAILABILITY: (
        ("Low", "An outage of a week or more is tolerable."),
        ("Moderate", "An outage of a working day is tolerable."),
        ("High", "An outage of more than an hour or two harms customers."),
        ("Very high", "Any outage harms customers at once."),
    ),
}


class ImportStatus(models.TextChoices):
    """Where an uploaded import file is in its steps."""

    UPLOADED = "uploaded", "Uploaded"
    COMMITTED = "committed", "Committed"
