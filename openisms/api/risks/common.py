"""What the risk API modules share: the router, the error answers, the base path.

No ``from __future__ import annotations`` in this package: ninja reads the annotations at
runtime.
"""

from ninja import Router

from openisms.api.base import ErrorOut

router = Router(tags=["risks"])
ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
BASE = "/orgs/{slug}/risks"
