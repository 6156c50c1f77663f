"""The ISMS areas shown in the navigation, in the order of the ISMS loop.

An area without ``url_name`` shows a page saying what will come; an app that lands sets its
``url_name`` here and mounts its pages under ``/o/<slug>/<key>/``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """One entry of the main navigation."""

    key: str
    label: str
    clauses: str
    summary: str
    url_name: str | None = None


AREAS: tuple[Area, ...] = (
    Area(
        "context",
        "Context",
        "Clause 4",
        "The ISMS scope, internal and external issues, interested parties and the register "
        "of legal, regulatory and contractual obligations.",
        url_name="context:overview",
    ),
    Area(
        "assets",
        "Assets",
        "A.5.9 to A.5.13",
        "The inventory of information and other assets with owners, classification and "
        "confidentiality, integrity and availability values; CSV and XLSX import and export.",
        url_name="assets:list",
    ),
    Area(
        "risks",
        "Risks",
        "6.1.2, 6.1.3, 8.2, 8.3",
        "The risk methodology, threat library, risk register, heat maps, treatment plan and "
        "risk-owner acceptance.",
        url_name="risks:register",
    ),
    Area(
        "controls",
        "Controls & SoA",
        "6.1.3 b to e",
        "The organisation's record of every Annex A control and the Statement of "
        "Applicability, with traced reasons, versions, approval and exports.",
        url_name="controls:soa",
    ),
    Area(
        "evidence",
        "Evidence",
        "7.5, 9.1",
        "Evidence items, documents and policies with versions, approval and acknowledgement.",
    ),
    Area(
        "audits",
        "Audits",
        "9.2, 9.3, 10",
        "The internal audit programme, findings, corrective actions, management reviews and "
        "objectives.",
    ),
    Area(
        "certification",
        "Certification",
        "Certification cycle",
        "The certification body, Stage 1 and Stage 2, surveillance audits and the "
        "three-year cycle with a readiness score.",
    ),
    Area(
        "reports",
        "Reports",
        "",
        "The SoA, risk register, treatment plan and Stage 1 pack as XLSX, DOCX and PDF.",
    ),
    Area(
        "catalog",
        "Catalogue",
        "Annex A, clauses 4-10, SOC 2",
        "The reference catalogue: ISO/IEC 27001:2022 clauses and Annex A controls with their "
        "ISO/IEC 27002 attributes, the 2013 to 2022 transition and the SOC 2 criteria.",
        url_name="catalog:frameworks",
    ),
)

AREAS_BY_KEY = {area.key: area for area in AREAS}


def pending_area_keys() -> list[str]:
    """The areas whose app has not landed yet."""
    return [area.key for area in AREAS if area.url_name is None]
