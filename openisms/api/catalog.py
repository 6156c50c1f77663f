"""API of the catalogue: frameworks, requirements and mappings (global reference data).

Any authenticated caller may read it. No ``from __future__ import annotations`` here: ninja
reads the annotations at runtime.
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from openisms.api.base import ErrorOut, Pagination
from openisms.catalog import selectors
from openisms.catalog.choices import Category, Relationship, RequirementKind, Theme
from openisms.catalog.filters import (
    MappingFilters,
    RequirementFilters,
    parse_attribute,
    parse_key,
)
from openisms.catalog.models import Framework, Mapping, MappingSet, Requirement

router = Router(tags=["catalog"])
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CountsOut(Schema):
    total: int
    clause: int
    control: int
    criterion: int
    group: int


class FrameworkOut(Schema):
    code: str
    name: str
    version: str
    publisher: str
    description: str
    sources: list[str]
    counts: CountsOut

    @staticmethod
    def resolve_counts(obj: Framework) -> CountsOut:
        def count(name: str) -> int:
            return int(getattr(obj, f"{name}_count", 0))

        return CountsOut(
            total=count("requirement"),
            clause=count("clause"),
            control=count("control"),
            criterion=count("criterion"),
            group=count("group"),
        )


class MappingSetOut(Schema):
    name: str
    version: str
    source_framework: str
    target_framework: str
    description: str
    sources: list[str]
    mappings: int

    @staticmethod
    def of(mapping_set: MappingSet) -> "MappingSetOut":
        return MappingSetOut(
            name=mapping_set.name,
            version=mapping_set.version,
            source_framework=mapping_set.source_framework.code,
            target_framework=mapping_set.target_framework.code,
            description=mapping_set.description,
            sources=mapping_set.sources,
            mappings=getattr(mapping_set, "mapping_count", 0),
        )


class SideOut(Schema):
    framework: str
    kind: str
    covered: int
    total: int
    percent: int

    @staticmethod
    def of(side: selectors.Side) -> "SideOut":
        return SideOut(
            framework=side.framework.code,
            kind=side.kind,
            covered=side.covered,
            total=side.total,
            percent=side.percent,
        )


class CoverageOut(Schema):
    mapping_set: str
    source: SideOut = Field(description="source rows mapped to at least one target row")
    target: SideOut = Field(description="target rows reached by at least one source row")


class FrameworkDetailOut(Schema):
    framework: FrameworkOut
    mapping_sets: list[MappingSetOut]
    coverage: list[CoverageOut]


class RequirementBrief(Schema):
    key: str = Field(description="the identity, <framework>:<ref>")
    framework: str
    ref: str
    kind: RequirementKind
    title: str

    @staticmethod
    def resolve_framework(obj: Requirement) -> str:
        return obj.framework.code


class RequirementOut(RequirementBrief):
    parent: str | None
    level: int
    summary: str
    theme: Theme | Literal[""]
    category: Category | Literal[""]
    is_new: bool = Field(description="new in 2022: no predecessor in the 2013 edition")
    documented_information: bool
    amended_by: str
    attributes: dict[str, list[str]]

    @staticmethod
    def resolve_parent(obj: Requirement) -> str | None:
        return obj.parent.ref if obj.parent is not None else None


class LinkOut(Schema):
    mapping_set: str
    direction: Literal["to", "from"] = Field(description="to: this is the source")
    relationship: Relationship = Field(description="as stored: source is <it> of target")
    requirement: RequirementBrief


class RequirementDetailOut(Schema):
    requirement: RequirementOut
    children: list[RequirementBrief]
    links: list[LinkOut] = Field(description="its mappings both ways")


class MappingOut(Schema):
    mapping_set: str
    source: RequirementBrief
    target: RequirementBrief
    relationship: Relationship

    @staticmethod
    def resolve_mapping_set(obj: Mapping) -> str:
        return obj.mapping_set.name


class RequirementFilterIn(Schema):
    framework: str = Field("", description="framework code, e.g. iso27001-2022")
    kind: RequirementKind | None = None
    theme: Theme | None = None
    category: Category | None = None
    attribute: list[str] = Field(
        default_factory=list,
        description="family:value, e.g. control_type:Detective; repeat to require several",
    )
    is_new: bool | None = None
    q: str = Field("", description="words to find in the ref, title or summary")

    def to_filters(self) -> RequirementFilters:
        return RequirementFilters(
            framework=self.framework.strip(),
            kind=self.kind or "",
            theme=self.theme or "",
            category=self.category or "",
            attributes=tuple(parse_attribute(text) for text in self.attribute),
            is_new=self.is_new,
            q=self.q,
        )


class MappingFilterIn(Schema):
    source_framework: str = ""
    target_framework: str = ""
    mapping_set: str = ""
    requirement: str = Field("", description="<framework>:<ref> at either end")

    def to_filters(self) -> MappingFilters:
        requirement = None
        if self.requirement.strip():
            code, ref = parse_key(self.requirement)
            requirement = (code, selectors.requirement_get(framework=code, ref=ref).ref)
        return MappingFilters(
            source_framework=self.source_framework.strip(),
            target_framework=self.target_framework.strip(),
            mapping_set=self.mapping_set.strip(),
            requirement=requirement,
        )


@router.get(
    "/catalog/frameworks",
    response={200: list[FrameworkOut], **ERRORS},
    summary="Frameworks with their counts",
)
@paginate(Pagination)
def framework_list(request: HttpRequest) -> Any:
    return selectors.framework_list()


@router.get(
    "/catalog/frameworks/{code}",
    response={200: FrameworkDetailOut, **ERRORS},
    summary="One framework, its mapping sets and their coverage",
)
def framework_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    framework = selectors.framework_get(code=code)
    coverage = [
        {
            "mapping_set": c.mapping_set.name,
            "source": SideOut.of(c.source),
            "target": SideOut.of(c.target),
        }
        for c in selectors.coverage_for(framework=framework)
    ]
    sets = selectors.mapping_set_list(framework=framework)
    # Returned as a dict of model objects: ninja validates it once, against the schema.
    return {
        "framework": framework,
        "mapping_sets": [MappingSetOut.of(s) for s in sets],
        "coverage": coverage,
    }


@router.get(
    "/catalog/requirements",
    response={200: list[RequirementOut], **ERRORS},
    summary="Requirements, filtered",
)
@paginate(Pagination)
def requirement_list(request: HttpRequest, filters: Query[RequirementFilterIn]) -> Any:
    return selectors.requirement_list(filters=filters.to_filters())


@router.get(
    "/catalog/requirements/{framework}/{ref}",
    response={200: RequirementDetailOut, **ERRORS},
    summary="One requirement with its mappings both ways",
)
def requirement_detail(request: HttpRequest, framework: str, ref: str) -> dict[str, Any]:
    requirement = selectors.requirement_get(framework=framework, ref=ref)
    links = [
        {
            "mapping_set": group.mapping_set.name,
            "direction": "to" if group.outgoing else "from",
            "relationship": link.relationship,
            "requirement": link.requirement,
        }
        for group in selectors.requirement_links(requirement)
        for link in group.links
    ]
    return {
        "requirement": requirement,
        "children": list(selectors.requirement_children(requirement)),
        "links": links,
    }


@router.get(
    "/catalog/mappings",
    response={200: list[MappingOut], **ERRORS},
    summary="Mappings between requirements, filtered",
)
@paginate(Pagination)
def mapping_list(request: HttpRequest, filters: Query[MappingFilterIn]) -> Any:
    return selectors.mapping_list(filters=filters.to_filters())
