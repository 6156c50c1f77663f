"""The SoA's reasons cell, built in Python: a row lists up to 25 risk references and the
page shows 93 rows, which a template loop renders several times slower."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from openisms.controls.selectors import SoaRow

register = template.Library()


def _risks(row: SoaRow, frozen: bool, risk_base: str) -> SafeString:
    if frozen:
        refs = format_html_join(", ", "{}", ((ref,) for ref in row.risk_refs))
        more = format_html(" and {} more", row.more_risks) if row.more_risks > 0 else ""
    else:
        refs = format_html_join(
            ", ", '<a href="{}{}/">{}</a>', ((risk_base, ref, ref) for ref in row.risk_refs)
        )
        more = (
            format_html(
                ' <a href="{}?control={}">and {} more</a>',
                risk_base,
                row.control.ref,
                row.more_risks,
            )
            if row.more_risks > 0
            else ""
        )
    return format_html("<div>risk treatment: {}{}</div>", refs, more)


def _obligation(org_slug: str, ref: str, name: str, frozen: bool) -> SafeString:
    if frozen:
        return format_html("<div>obligation: {} {}</div>", ref, name)
    url = reverse("context:obligation", kwargs={"org_slug": org_slug, "obligation_ref": ref})
    return format_html('<div>obligation: <a href="{}">{}</a> {}</div>', url, ref, name)


@register.simple_tag(takes_context=True)
def soa_reasons(context: Any, row: SoaRow) -> SafeString:
    """Risk treatment (linked references and how many more), obligations, business reason,
    and the exclusion's justification; plain text in a frozen (published) table."""
    frozen = bool(context.get("frozen"))
    control = row.control
    parts = [_risks(row, frozen, context.get("risk_base", ""))] if row.risk_refs else []
    org = context.get("current_org")
    slug = org.slug if org is not None and not frozen else ""
    parts += [_obligation(slug, o.ref, o.name, not slug) for o in row.obligations]
    if control.business_reason:
        reason = control.business_reason
        short = reason if len(reason) <= 120 else reason[:119] + "…"
        parts.append(format_html("<div>business requirement: {}</div>", short))
    if control.applicability == "no":
        text = control.exclusion_justification
        short = text if len(text) <= 160 else text[:159] + "…"
        parts.append(format_html('<div class="text-secondary">Excluded: {}</div>', short))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html
