"""The SoA as PDF: WeasyPrint prints the page's own table (``controls/_soa_table.html``).

A published version prints the table frozen with it; the working copy renders it now.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from openisms.controls.exports import Meta
from openisms.core.weasy import weasyprint_html


def to_pdf(rows: list[dict[str, Any]], meta: Meta) -> bytes:
    """The cover facts and the page's table, in ``controls/soa_print.html``, as PDF."""
    html = render_to_string("controls/soa_print.html", {"meta": meta})
    document: bytes = weasyprint_html()(string=html).write_pdf()
    return document
