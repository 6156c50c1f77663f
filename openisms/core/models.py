"""Users, organisations, memberships, API tokens and the audit trail."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from openisms.core.choices import Role, TokenScope


class UserManager(BaseUserManager["User"]):
    """Creates users who log in with their e-mail address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        """The full name when known, otherwise the e-mail address."""
        return self.full_name or self.email


class Organization(models.Model):
    """A tenant: one ISMS scope with its own SoA, risks and certificate."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "organization"), name="membership_unique"),
        )
        ordering = ("organization__name", "user__email")

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.organization}"


class ApiToken(models.Model):
    """A personal API token for one organisation; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: Any = None) -> bool:
        """True when the token is neither revoked nor expired at ``now``."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

    @property
    def state(self) -> str:
        """One word for the badge: active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_usable() else "expired"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events cannot be changed or removed through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are append-only")


class AuditEvent(models.Model):
    """One entry of an organisation's append-only, hash-chained audit trail.

    ``hash`` is SHA-256 over ``prev_hash`` and the canonical JSON of the event's other fields
    (see ``core.audit``); changing any stored field breaks the chain at that event.
    Events without an organisation (user accounts) form one chain of their own.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=254, help_text="user:<id>, cli:<name> or system")
    actor_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-seq",)
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "seq"),
                condition=models.Q(organization__isnull=False),
                name="auditevent_org_seq_unique",
            ),
            models.UniqueConstraint(
                fields=("seq",),
                condition=models.Q(organization__isnull=True),
                name="auditevent_global_seq_unique",
            ),
        )
        indexes = (
            models.Index(fields=("organization", "verb", "seq"), name="auditevent_org_verb"),
            models.Index(fields=("organization", "actor", "seq"), name="auditevent_org_actor"),
            models.Index(
                fields=("organization", "target_type", "target_id"), name="auditevent_org_target"
            ),
            models.Index(fields=("organization", "created_at"), name="auditevent_org_time"),
        )

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are append-only")


class RefCounter(models.Model):
    """The last number handed out for one kind of reference in one organisation (A-0001...)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("organization", "key"), name="refcounter_unique"),
        )

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
