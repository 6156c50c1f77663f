"""Template helpers of the context pages: status badges with a colour and a word."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

#: value -> Tabler colour; every badge also carries its word, never colour alone
COLOURS = {
    "draft": "secondary",
    "in_review": "yellow",
    "approved": "green",
    "superseded": "secondary",
    "open": "blue",
    "monitored": "azure",
    "closed": "secondary",
    "negative": "red",
    "neutral": "secondary",
    "positive": "green",
    "high": "red",
    "medium": "yellow",
    "low": "secondary",
    "active": "green",
    "retired": "secondary",
    "addressed": "green",
    "not_addressed": "orange",
    "due": "orange",
}


@register.simple_tag
def badge(value: str, label: str) -> SafeString:
    """``<span class="badge">`` in the colour of ``value``, saying ``label``."""
    colour = COLOURS.get(str(value), "secondary")
    return format_html('<span class="badge bg-{}-lt">{}</span>', colour, label)
