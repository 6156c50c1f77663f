"""Catalogue pages, inside an organisation so that the layout and navigation stay."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from openisms.catalog import selectors
from openisms.catalog.choices import ANNEX_A_FRAMEWORK, ATTRIBUTE_SHORT_LABELS, AttributeFamily
from openisms.catalog.forms import AnnexAFilterForm, RequirementFilterForm, SearchForm
from openisms.core.web import OrgRequest, org_view, paginate, query_without


@org_view("catalog.view")
def framework_list(request: OrgRequest) -> HttpResponse:
    """The frameworks with their counts, and the mapping sets between them."""
    return render(
        request,
        "catalog/framework_list.html",
        {
            "frameworks": selectors.framework_list(),
            "mapping_sets": selectors.mapping_set_list(),
            "form": SearchForm(),
        },
    )


@org_view("catalog.view")
def annex_a(request: OrgRequest) -> HttpResponse:
    """The 93 Annex A controls by theme, filtered by attribute, theme and text."""
    framework = selectors.framework_get(code=ANNEX_A_FRAMEWORK)
    form = AnnexAFilterForm(request.GET or None)
    controls = selectors.requirement_list(filters=form.to_filters())
    return render(
        request,
        "catalog/annex_a.html",
        {
            "framework": framework,
            "form": form,
            "page": paginate(request, controls, default_size=100),
            "query": query_without(request, "page"),
            "columns": [
                (family, ATTRIBUTE_SHORT_LABELS[family], label)
                for family, label in AttributeFamily.choices
            ],
        },
    )


@org_view("catalog.view")
def search(request: OrgRequest) -> HttpResponse:
    """Search the whole catalogue by ref, title and summary."""
    frameworks = list(selectors.framework_list())
    form = SearchForm(request.GET or None, frameworks=frameworks)
    filters = form.to_filters()
    found = selectors.requirement_list(filters=filters) if filters.q else None
    return render(
        request,
        "catalog/search.html",
        {
            "form": form,
            "page": paginate(request, found) if found is not None else None,
            "query": query_without(request, "page"),
        },
    )


@org_view("catalog.view")
def framework_detail(request: OrgRequest, framework_code: str) -> HttpResponse:
    """One framework: its requirements in document order, its mapping sets and coverage."""
    found = selectors.framework_get(code=framework_code)
    form = RequirementFilterForm(request.GET or None)
    requirements = selectors.requirement_list(filters=form.to_filters(framework=found.code))
    return render(
        request,
        "catalog/framework_detail.html",
        {
            "framework": found,
            "form": form,
            "page": paginate(request, requirements, default_size=100),
            "query": query_without(request, "page"),
            "coverage": selectors.coverage_for(framework=found),
        },
    )


@org_view("catalog.view")
def requirement_detail(
    request: OrgRequest, framework_code: str, requirement_ref: str
) -> HttpResponse:
    """One requirement with its attributes, children and mappings both ways."""
    requirement = selectors.requirement_get(framework=framework_code, ref=requirement_ref)
    return render(
        request,
        "catalog/requirement_detail.html",
        {
            "requirement": requirement,
            "children": selectors.requirement_children(requirement),
            "link_groups": selectors.requirement_links(requirement),
            "families": AttributeFamily.choices,
        },
    )
