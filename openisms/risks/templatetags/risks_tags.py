"""Template tags of the risk pages: level badges in the methodology's colours, with words."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from openisms.core.selectors import prefetched
from openisms.risks.heatmap import Cell, text_colour
from openisms.risks.methodology import MethodologySpec
from openisms.risks.models import Methodology, Risk

register = template.Library()


def swatch(colour: str) -> SafeString:
    """A small square in ``colour`` (an SVG attribute: the page's policy forbids style)."""
    return format_html(
        '<svg class="me-1" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" '
        'focusable="false"><rect width="10" height="10" rx="2" fill="{}"/></svg>',
        colour,
    )


@register.simple_tag
def level_badge(
    methodology: Methodology | None,
    key: str,
    likelihood: int | None = None,
    impact: int | None = None,
) -> SafeString:
    """A level as a badge: the methodology's colour as a swatch, its label as the word."""
    level = methodology.level_or_none(key) if methodology is not None and key else None
    if level is None:
        return format_html('<span class="text-secondary">{}</span>', "not assessed")
    values = f" {likelihood}\u00d7{impact}" if likelihood and impact else ""
    return format_html(
        '<span class="badge bg-transparent border text-reset text-nowrap" data-level="{}">'
        '{}{}<span class="text-secondary fw-normal">{}</span></span>',
        level.key,
        swatch(level.colour),
        level.label,
        values,
    )


@register.simple_tag
def risk_level(risk: Risk, kind: str) -> SafeString:
    """The inherent or residual level of ``risk`` as a badge (with likelihood x impact)."""
    return level_badge(
        risk.methodology,
        getattr(risk, f"{kind}_level"),
        getattr(risk, f"{kind}_likelihood"),
        getattr(risk, f"{kind}_impact"),
    )


@register.simple_tag
def colour_swatch(colour: str) -> SafeString:
    """Just the swatch, for tables of levels."""
    return swatch(colour)


@register.filter
def due_for_review(risk: Risk) -> bool:
    """Whether the risk's review date is reached or its acceptance expired."""
    return risk.is_due_for_review()


@register.filter
def acceptance_expired(risk: Risk) -> bool:
    """Whether the risk's acceptance ran out."""
    return risk.acceptance_expired()


@register.simple_tag
def level_cell(spec: MethodologySpec, likelihood: int, impact: int) -> SafeString:
    """A matrix cell filled with its level's colour and labelled with its name."""
    level = spec.level_for(likelihood, impact)
    return format_html(
        '<svg width="100%" height="34" role="img" aria-label="{}"><rect width="100%" '
        'height="100%" rx="3" fill="{}"/><text x="50%" y="22" text-anchor="middle" '
        'font-size="13" font-weight="600" fill="{}">{}</text></svg>',
        f"Likelihood {likelihood}, impact {impact}: {level.label}",
        level.colour,
        text_colour(level.colour),
        level.label,
    )


DASH = mark_safe('<span class="text-secondary">—</span>')


@register.simple_tag
def risk_status(risk: Risk) -> SafeString:
    """The status badge, and "due for review" (or "acceptance expired") when it is."""
    status = format_html(
        '<span class="badge bg-{}-lt text-nowrap">{}</span>',
        risk.status_colour,
        risk.get_status_display(),
    )
    if not risk.is_due_for_review():
        return status
    why = "Acceptance expired · due for review" if risk.acceptance_expired() else "Due for review"
    return format_html(
        '{} <span class="badge bg-red-lt text-nowrap" data-testid="review-due">{}</span>',
        status,
        why,
    )


def _stale_badge(methodology: Methodology | None) -> SafeString | str:
    if methodology is None or methodology.is_current:
        return ""
    return format_html(
        ' <span class="badge bg-yellow-lt" title="Assessed with methodology version {}">'
        "v{} · to reassess</span>",
        methodology.version,
        methodology.version,
    )


@register.simple_tag(takes_context=True)
def risk_row(context: Any, risk: Risk) -> SafeString:
    """One row of the register, written in Python: 50 rows through the template engine took
    about 25 ms of the page's 60. Needs ``risk_base`` and ``asset_base`` in the context and
    the risk's assets and controls prefetched (``selectors.with_links``)."""
    assets = format_html_join(
        "",
        '<a class="badge bg-secondary-lt me-1" href="{}{}/" title="{}">{}</a>',
        ((context["asset_base"], a.ref, a.name, a.ref) for a in prefetched(risk, "assets")),
    )
    controls = format_html_join(
        "",
        '<span class="badge bg-azure-lt me-1" title="{}">{}</span>',
        ((c.title, c.ref) for c in prefetched(risk, "controls")),
    )
    treatment = (
        format_html('<span title="{}">{}</span>', risk.get_treatment_display(), risk.treatment_word)
        if risk.treatment
        else DASH
    )
    return format_html(
        '<tr data-testid="risk-row"><td class="text-nowrap"><a href="{}{}/">{}</a></td>'
        "<td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        '<td>{}</td><td class="text-nowrap">{}</td></tr>',
        context["risk_base"],
        risk.ref,
        risk.ref,
        risk.title,
        _stale_badge(risk.methodology),
        risk.owner.display_name,
        assets or DASH,
        risk_level(risk, "inherent"),
        risk_level(risk, "residual") if risk.residual_level else DASH,
        treatment,
        controls or DASH,
        risk_status(risk),
        risk.next_review.isoformat() if risk.next_review else "—",
    )


@register.simple_tag
def heat_cell(cell: Cell) -> SafeString:
    """One cell of a heat map's SVG (a link to the register filtered to it, when it has one),
    written in Python: 50 cells through the template engine took 15 ms."""
    label = cell.label
    shapes = format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}"><title>{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="20" font-weight="700" fill="{}" '
        'data-testid="heat-count">{}</text><text x="{}" y="{}" text-anchor="middle" '
        'font-size="11" fill="{}">{}</text>',
        cell.x,
        cell.y,
        cell.rect_w,
        cell.rect_h,
        cell.fill,
        label,
        cell.cx,
        cell.count_y,
        cell.ink,
        cell.count,
        cell.cx,
        cell.label_y,
        cell.ink,
        cell.level.label,
    )
    if not cell.url:
        return shapes
    return format_html(
        '<a href="{}" aria-label="{}" data-testid="heat-cell" data-likelihood="{}" '
        'data-impact="{}">{}</a>',
        cell.url,
        label,
        cell.likelihood,
        cell.impact,
        shapes,
    )


@register.filter
def reversed_list(items: list[Any]) -> list[Any]:
    """The items in reverse order (highest likelihood first, as on the heat map)."""
    return list(reversed(items))
