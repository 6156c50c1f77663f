"""API of risk management: methodology, threats, vulnerabilities, risks, treatment, exports.

The routes register on the router as their modules are imported: the fixed paths
(``/risks/methodology``, ``/risks/threats``...) before ``/risks/{risk_ref}``.
"""

from openisms.api.risks import library, register
from openisms.api.risks.common import router

__all__ = ["library", "register", "router"]
