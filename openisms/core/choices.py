"""Fixed choices of the core app."""

from django.db import models


class Role(models.TextChoices):
    """A member's role in one organisation (ISO/IEC 27001:2022 clause 5.3)."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    AUDITOR = "auditor", "Auditor"
    VIEWER = "viewer", "Viewer"


class TokenScope(models.TextChoices):
    """What an API token may do: read only, or read and write."""

    READ = "read", "Read"
    WRITE = "write", "Read and write"
