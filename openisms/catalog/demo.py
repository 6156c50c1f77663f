"""The demo needs the catalogue: ``openisms demo`` (and so ``make run``) loads it first."""

from __future__ import annotations

from openisms.catalog import services
from openisms.core.actors import Actor
from openisms.core.demo import register_preparer


@register_preparer
def load_catalogue(actor: Actor) -> None:
    """Load the bundled catalogue; a no-op when the same versions are already loaded."""
    services.catalog_load(actor=actor)
