"""Domain errors raised by services and selectors.

Each interface turns them into its own answer in one place: the API into a JSON error with a
status code (``openisms.api.errors``), pages into a form error or an error page, the CLI into
an exit code with a message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """Base of the errors a user can cause; never a 500."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """Input that breaks a rule; ``errors`` maps field names to messages."""

    status = 422

    def __init__(
        self, message: str | None = None, errors: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        if message is None:
            message = "; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items())
        super().__init__(message or "Invalid input.")

    @classmethod
    def field(cls, name: str, message: str) -> ValidationError:
        """One message about one field."""
        return cls(f"{name}: {message}", {name: [message]})


class PermissionDenied(DomainError):
    """The actor's role does not allow this action."""

    status = 403


class NotFound(DomainError):
    """No such object in this organisation (or the actor may not know it exists)."""

    status = 404


class Conflict(DomainError):
    """The object changed since it was read (stale ``version``) or a unique value is taken."""

    status = 409


def first_messages(errors: Mapping[str, Sequence[str]]) -> str:
    """Flatten field errors into one line, for the CLI."""
    return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())


def raise_if(errors: Mapping[str, Sequence[str]]) -> None:
    """Raise a ValidationError naming every field in ``errors``, if there are any."""
    if errors:
        raise ValidationError(errors=errors)
