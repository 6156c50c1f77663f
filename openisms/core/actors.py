"""Who acts: a logged-in user, the person at the console, or the system itself.

Services take ``actor`` explicitly so that the CLI and background tasks are audited the same
way as the web pages.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TypeAlias

from openisms.core.models import User


@dataclass(frozen=True)
class ServiceActor:
    """A trusted non-human actor: the console (``cli:<os user>``) or ``system``.

    Whoever runs the console on the server already holds the database, so the role table
    grants it everything; the audit trail still names it.
    """

    label: str


SYSTEM = ServiceActor("system")
Actor: TypeAlias = User | ServiceActor


def cli_actor() -> ServiceActor:
    """The actor for commands typed at the console: ``cli:<operating-system user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return ServiceActor(f"cli:{name}")


def actor_label(actor: Actor) -> str:
    """How the audit trail names an actor."""
    return actor.label if isinstance(actor, ServiceActor) else actor.email
