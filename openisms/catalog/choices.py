"""Fixed choices of the catalogue, and the ISO/IEC 27002:2022 attribute values."""

from django.db import models

#: The framework whose controls are "Annex A" throughout OpenISMS.
ANNEX_A_FRAMEWORK = "iso27001-2022"


class RequirementKind(models.TextChoices):
    """What a row of a framework is."""

    CLAUSE = "clause", "Clause"
    CONTROL = "control", "Control"
    CRITERION = "criterion", "Criterion"
    GROUP = "group", "Group"


#: The kinds an organisation implements one by one; coverage is counted over these.
LEAF_KINDS: tuple[str, ...] = (RequirementKind.CONTROL, RequirementKind.CRITERION)

#: Plural nouns of the kinds, for sentences such as "91 of 93 controls".
KIND_PLURALS: dict[str, str] = {
    RequirementKind.CLAUSE: "clauses",
    RequirementKind.CONTROL: "controls",
    RequirementKind.CRITERION: "criteria",
    RequirementKind.GROUP: "groups",
}


class Theme(models.TextChoices):
    """The four themes of ISO/IEC 27001:2022 Annex A."""

    ORGANIZATIONAL = "organizational", "Organizational"
    PEOPLE = "people", "People"
    PHYSICAL = "physical", "Physical"
    TECHNOLOGICAL = "technological", "Technological"


class Category(models.TextChoices):
    """The five categories of the SOC 2 Trust Services Criteria."""

    SECURITY = "security", "Security"
    AVAILABILITY = "availability", "Availability"
    CONFIDENTIALITY = "confidentiality", "Confidentiality"
    PROCESSING_INTEGRITY = "processing_integrity", "Processing integrity"
    PRIVACY = "privacy", "Privacy"


class Relationship(models.TextChoices):
    """How a mapping's source relates to its target: "source is <relationship> of target"."""

    EQUAL = "equal", "Equal"
    SUBSET = "subset", "Subset"
    SUPERSET = "superset", "Superset"
    INTERSECT = "intersect", "Intersect"


class AttributeFamily(models.TextChoices):
    """The five ISO/IEC 27002:2022 attribute families of an Annex A control."""

    CONTROL_TYPE = "control_type", "Control type"
    SECURITY_PROPERTIES = "security_properties", "Information security properties"
    CYBERSECURITY_CONCEPTS = "cybersecurity_concepts", "Cybersecurity concepts"
    OPERATIONAL_CAPABILITIES = "operational_capabilities", "Operational capabilities"
    SECURITY_DOMAINS = "security_domains", "Security domains"


#: Column headings for tables, where the full family names are too wide.
ATTRIBUTE_SHORT_LABELS: dict[str, str] = {
    AttributeFamily.CONTROL_TYPE: "Type",
    AttributeFamily.SECURITY_PROPERTIES: "Properties",
    AttributeFamily.CYBERSECURITY_CONCEPTS: "Concepts",
    AttributeFamily.OPERATIONAL_CAPABILITIES: "Capabilities",
    AttributeFamily.SECURITY_DOMAINS: "Domains",
}

#: Every value each family may take, spelt as in ISO/IEC 27002:2022 (underscores kept).
ATTRIBUTE_VALUES: dict[str, tuple[str, ...]] = {
    AttributeFamily.CONTROL_TYPE: ("Preventive", "Detective", "Corrective"),
    AttributeFamily.SECURITY_PROPERTIES: ("Confidentiality", "Integrity", "Availability"),
    AttributeFamily.CYBERSECURITY_CONCEPTS: ("Identify", "Protect", "Detect", "Respond", "Recover"),
    AttributeFamily.OPERATIONAL_CAPABILITIES: (
        "Governance",
        "Asset_management",
        "Information_protection",
        "Human_resource_security",
        "Physical_security",
        "System_and_network_security",
        "Application_security",
        "Secure_configuration",
        "Identity_and_access_management",
        "Threat_and_vulnerability_management",
        "Continuity",
        "Supplier_relationships_security",
        "Legal_and_compliance",
        "Information_security_event_management",
        "Information_security_assurance",
    ),
    AttributeFamily.SECURITY_DOMAINS: (
        "Governance_and_Ecosystem",
        "Protection",
        "Defence",
        "Resilience",
    ),
}


def attribute_label(value: str) -> str:
    """An attribute value for reading: ``Asset_management`` -> ``Asset management``."""
    return value.replace("_", " ")


#: How a relationship reads from each end: (seen from the source, seen from the target).
_PHRASES: dict[str, tuple[str, str]] = {
    Relationship.EQUAL: ("same ground", "same ground"),
    Relationship.SUBSET: ("part of it", "part of this"),
    Relationship.SUPERSET: ("covers more than it", "covers more than this"),
    Relationship.INTERSECT: ("related ground", "related ground"),
}


def relationship_phrase(relationship: str, *, from_source: bool) -> str:
    """A few words saying how the two ends relate, read from the requirement being shown.

    From the source, ``subset`` reads "part of it" (this requirement is part of the other);
    from the target it reads "part of this" (the other requirement is part of this one).
    """
    outgoing, incoming = _PHRASES.get(relationship, (relationship, relationship))
    return outgoing if from_source else incoming


def relationship_seen_from(relationship: str, *, from_source: bool) -> str:
    """The relationship read from one end: "this is <relationship> of the other".

    Stored relationships read from the source; from the target, subset and superset swap.
    """
    if from_source:
        return relationship
    swap = {"subset": "superset", "superset": "subset"}
    return swap.get(relationship, relationship)
