"""The asset inventory (ISO/IEC 27001:2022 A.5.9 to A.5.13) and its per-organisation settings."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from openisms.assets.choices import (
    CRITICALITY_COLOURS,
    DEFAULT_LEVEL,
    AssetKind,
    CiaDimension,
    Criticality,
    ImportStatus,
    LifecycleStatus,
    criticality_of,
)
from openisms.core.models import Organization, User

LEVEL_CHOICES = [(level, str(level)) for level in (1, 2, 3, 4)]


class Classification(models.Model):
    """One label of an organisation's classification scheme (A.5.12), in the scheme's order."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_default = models.BooleanField(default=False, help_text="Given to new assets by default.")

    class Meta:
        ordering = ("position", "name")
        constraints = (
            models.UniqueConstraint(
                "organization", Lower("name"), name="classification_name_unique"
            ),
        )

    def __str__(self) -> str:
        return self.name


class CiaLevel(models.Model):
    """What one level (1 to 4) of confidentiality, integrity or availability means here."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dimension = models.CharField(max_length=1, choices=CiaDimension.choices)
    level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES)
    label = models.CharField(max_length=60)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("dimension", "level")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "dimension", "level"), name="cialevel_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.level}: {self.label}"


class Tag(models.Model):
    """A free label for grouping assets (``pii``, ``production``); unique per organisation."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ("name",)
        constraints = (models.UniqueConstraint("organization", Lower("name"), name="tag_unique"),)

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    """An information or other asset with its owner, classification and C, I, A values.

    ``criticality`` is derived by the service from the three values (``criticality_of``: the
    highest) and stored, so that the inventory can be filtered and sorted by it with an index.
    ``number`` is the numeric part of ``ref``, for sorting A-9999 before A-10000.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    ref = models.CharField(max_length=16)
    number = models.PositiveIntegerField()
    external_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=AssetKind.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    custodian = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    location = models.CharField(max_length=200, blank=True)
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="+")
    confidentiality = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, default=DEFAULT_LEVEL)
    integrity = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, default=DEFAULT_LEVEL)
    availability = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, default=DEFAULT_LEVEL)
    criticality = models.PositiveSmallIntegerField(
        choices=Criticality.choices, default=DEFAULT_LEVEL
    )
    status = models.CharField(
        max_length=16, choices=LifecycleStatus.choices, default=LifecycleStatus.IN_USE
    )
    tags: models.ManyToManyField[Tag, AssetTag] = models.ManyToManyField(
        Tag, through="AssetTag", related_name="assets", blank=True
    )
    depends_on: models.ManyToManyField[Asset, AssetDependency] = models.ManyToManyField(
        "self",
        through="AssetDependency",
        through_fields=("asset", "depends_on"),
        symmetrical=False,
        related_name="needed_by",
        blank=True,
    )
    next_review = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("number",)
        constraints = (
            models.UniqueConstraint(fields=("organization", "ref"), name="asset_ref_unique"),
            models.UniqueConstraint(fields=("organization", "number"), name="asset_number_unique"),
            models.UniqueConstraint(
                fields=("organization", "external_id"),
                condition=~models.Q(external_id=""),
                name="asset_external_id_unique",
            ),
        )
        indexes = (
            models.Index(fields=("organization", "kind"), name="asset_org_kind"),
            models.Index(fields=("organization", "owner"), name="asset_org_owner"),
            models.Index(fields=("organization", "classification"), name="asset_org_class"),
            models.Index(fields=("organization", "criticality"), name="asset_org_criticality"),
            models.Index(fields=("organization", "status"), name="asset_org_status"),
            models.Index(fields=("organization", "name"), name="asset_org_name"),
            models.Index(fields=("organization", "next_review"), name="asset_org_review"),
            models.Index(fields=("organization", "updated_at"), name="asset_org_updated"),
        )

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    def compute_criticality(self) -> int:
        """The criticality the C, I and A values give (see ``choices.criticality_of``)."""
        return criticality_of(self.confidentiality, self.integrity, self.availability)

    @property
    def criticality_label(self) -> str:
        """The word for the stored criticality."""
        return Criticality(self.criticality).label

    @property
    def criticality_colour(self) -> str:
        """The badge colour of the criticality (always shown with its word)."""
        return CRITICALITY_COLOURS[self.criticality]


class AssetTag(models.Model):
    """An asset carries a tag."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="asset_links")

    class Meta:
        constraints = (models.UniqueConstraint(fields=("asset", "tag"), name="assettag_unique"),)
        indexes = (models.Index(fields=("organization", "tag"), name="assettag_org_tag"),)

    def __str__(self) -> str:
        return f"{self.asset_id} #{self.tag_id}"


class AssetDependency(models.Model):
    """``asset`` depends on ``depends_on`` (a service on its database, say); never in a cycle."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="dependency_links")
    depends_on = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="dependant_links")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("asset", "depends_on"), name="assetdependency_unique"),
            models.CheckConstraint(
                condition=~models.Q(asset=models.F("depends_on")), name="assetdependency_not_self"
            ),
        )
        indexes = (models.Index(fields=("organization",), name="assetdependency_org"),)

    def __str__(self) -> str:
        return f"{self.asset_id} -> {self.depends_on_id}"


class ImportJob(models.Model):
    """An uploaded CSV or XLSX file between the steps of an import (upload, preview, commit).

    The file is kept in the database so that the steps work across requests and processes;
    jobs older than a day are purged at the next upload.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("organization", "created_at"), name="importjob_org_time"),)

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"
