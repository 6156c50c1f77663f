"""Writes of the risks app: one module per entity, every function re-exported here."""

from openisms.risks.services.actions import action_create, action_delete, action_update
from openisms.risks.services.methodology import methodology_create
from openisms.risks.services.risks import (
    Created,
    acceptance_check,
    risk_accept,
    risk_assess,
    risk_close,
    risk_create,
    risk_delete,
    risk_update,
)
from openisms.risks.services.threats import (
    LibraryOutcome,
    threat_create,
    threat_library_load,
    threat_update,
)
from openisms.risks.services.vulnerabilities import (
    vulnerability_create,
    vulnerability_delete,
    vulnerability_update,
)

__all__ = [
    "Created",
    "LibraryOutcome",
    "acceptance_check",
    "action_create",
    "action_delete",
    "action_update",
    "methodology_create",
    "risk_accept",
    "risk_assess",
    "risk_close",
    "risk_create",
    "risk_delete",
    "risk_update",
    "threat_create",
    "threat_library_load",
    "threat_update",
    "vulnerability_create",
    "vulnerability_delete",
    "vulnerability_update",
]
