"""Samples for the tenancy walk (``tests/tenancy.py``): the catalogue is global reference data.

Its parameters name no organisation's object, so the walk checks these routes with organisation
B's slug only (``scoped=False``); the slug is what makes them 404 for an outsider.
"""

from __future__ import annotations

from tests.tenancy import Sample

PARAM_SAMPLES = {
    "framework_code": Sample(lambda org: "iso27001-2022", scoped=False),
    "requirement_ref": Sample(lambda org: "A.8.8", scoped=False),
}
