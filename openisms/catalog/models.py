"""Frameworks, their requirements, and mappings between requirements of two frameworks.

The catalogue is global reference data, loaded from the YAML files in ``data/`` by
``openisms.catalog.loader``; it has no organisation. A requirement's identity is its
framework's ``code`` plus its ``ref`` (``iso27001-2022`` + ``A.8.8``) and never changes:
other apps point at requirements, so a newer data file updates rows in place.
"""

from __future__ import annotations

from django.db import models

from openisms.catalog.choices import (
    AttributeFamily,
    Category,
    Relationship,
    RequirementKind,
    Theme,
)


class Framework(models.Model):
    """A standard or criteria set (ISO/IEC 27001:2022, SOC 2...), as one data file holds it."""

    code = models.SlugField(max_length=40, unique=True, help_text="e.g. iso27001-2022")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20, help_text="version of the data file loaded")
    publisher = models.CharField(max_length=100)
    description = models.TextField()
    sources = models.JSONField(default=list, help_text="where the facts came from")

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    """One row of a framework: a clause, an Annex A control, a SOC 2 criterion or a heading.

    ``attributes`` holds the ISO/IEC 27002:2022 attributes as ``{family: [values]}`` for
    display; ``RequirementAttribute`` repeats them one row per value so that filtering by a
    value is an indexed join on every database.
    """

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="requirements")
    ref = models.CharField(max_length=32, help_text="A.8.8, 6.1.2, CC6.1...")
    kind = models.CharField(max_length=16, choices=RequirementKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField(default=0, help_text="0 for top-level rows")
    order = models.PositiveIntegerField(help_text="position in the data file")
    title = models.CharField(max_length=200, help_text="official short title or own label")
    summary = models.CharField(max_length=250, help_text="our own words, never normative text")
    theme = models.CharField(max_length=16, choices=Theme.choices, blank=True)
    category = models.CharField(max_length=24, choices=Category.choices, blank=True)
    is_new = models.BooleanField(
        default=False, help_text="no predecessor in the previous edition (new in 2022)"
    )
    documented_information = models.BooleanField(default=False)
    amended_by = models.CharField(max_length=100, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("framework__code", "order")
        constraints = (
            models.UniqueConstraint(fields=("framework", "ref"), name="requirement_identity"),
        )
        indexes = (
            models.Index(fields=("framework", "order"), name="requirement_fw_order"),
            models.Index(fields=("framework", "kind", "theme"), name="requirement_fw_kind"),
        )

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def key(self) -> str:
        """The global identity, ``<framework code>:<ref>`` (needs ``framework`` loaded)."""
        return f"{self.framework.code}:{self.ref}"

    @property
    def is_group(self) -> bool:
        """True for headings (``A.5``, ``CC6``) that group other rows."""
        return self.kind == RequirementKind.GROUP


class RequirementAttribute(models.Model):
    """One ISO/IEC 27002:2022 attribute value of a requirement, for indexed filtering."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="attribute_rows"
    )
    family = models.CharField(max_length=32, choices=AttributeFamily.choices)
    value = models.CharField(max_length=64)

    class Meta:
        ordering = ("requirement", "family", "value")
        constraints = (
            models.UniqueConstraint(
                fields=("requirement", "family", "value"), name="requirement_attribute_unique"
            ),
        )
        indexes = (models.Index(fields=("family", "value"), name="requirement_attr_value"),)

    def __str__(self) -> str:
        return f"{self.family}={self.value}"


class MappingSet(models.Model):
    """A named set of mappings from one framework to another, loaded from one data file."""

    name = models.SlugField(max_length=100, unique=True, help_text="<source>-to-<target>")
    version = models.CharField(max_length=20)
    source_framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="mapping_sets_out"
    )
    target_framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="mapping_sets_in"
    )
    description = models.TextField()
    sources = models.JSONField(default=list, help_text="where the mapping came from")

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Mapping(models.Model):
    """Source requirement is ``relationship`` of target requirement, within a mapping set."""

    mapping_set = models.ForeignKey(MappingSet, on_delete=models.CASCADE, related_name="mappings")
    source = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="mappings_out")
    target = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="mappings_in")
    relationship = models.CharField(max_length=16, choices=Relationship.choices)

    class Meta:
        ordering = ("mapping_set", "source", "target")
        constraints = (
            models.UniqueConstraint(
                fields=("mapping_set", "source", "target"), name="mapping_unique_pair"
            ),
        )

    def __str__(self) -> str:
        return f"{self.source_id} {self.relationship} {self.target_id}"
