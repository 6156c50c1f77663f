"""``openisms catalog load|list|show|map``: load and read the catalogue from the console."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from openisms.api import catalog as schemas
from openisms.catalog import selectors, services
from openisms.catalog.choices import AttributeFamily, attribute_label
from openisms.catalog.filters import RequirementFilters, parse_key
from openisms.catalog.models import Requirement
from openisms.catalog.services import LoadOutcome
from openisms.cli.base import OpenismsCommand


def _outcome_line(o: LoadOutcome) -> str:
    if o.status == "unchanged":
        return f"{o.file}: {o.name} {o.version} unchanged ({o.rows} rows)"
    since = f" from {o.previous_version}" if o.status == "updated" else ""
    counts = f"{o.created} created, {o.updated} updated, {o.deleted} deleted"
    return f"{o.file}: {o.name} {o.version} {o.status}{since} ({counts})"


def _json_of(schema: Any, value: Any) -> Any:
    """The same JSON as the API answers, through the API's own schema."""
    return schema.model_validate(value).model_dump(mode="json")


class Command(OpenismsCommand):
    help = "Load the catalogue from its data files, list it, show a requirement, map refs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("load", help="load the data files (idempotent)")
        load.add_argument("--dir", type=Path, help="a directory of data files (default: bundled)")
        load.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="the frameworks, or one framework's requirements")
        listing.add_argument("--framework", metavar="CODE", help="e.g. iso27001-2022")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="one requirement with its mappings both ways")
        show.add_argument("key", metavar="FRAMEWORK:REF", help="e.g. iso27001-2022:A.8.8")
        show.add_argument("--json", action="store_true")
        mapping = sub.add_parser("map", help="where a requirement goes in another framework")
        mapping.add_argument("ref", help="e.g. A.12.6.1")
        mapping.add_argument("--from", dest="source", required=True, metavar="CODE")
        mapping.add_argument("--to", dest="target", required=True, metavar="CODE")
        mapping.add_argument("--json", action="store_true")

    def run(self, **options: Any) -> None:
        getattr(self, f"_{options['verb']}")(options)

    def _load(self, options: dict[str, Any]) -> None:
        outcomes = services.catalog_load(actor=self.actor, directory=options.get("dir"))
        if options["json"]:
            self.emit_json([{**vars(o), "status": o.status} for o in outcomes])
            return
        for outcome in outcomes:
            self.stdout.write(_outcome_line(outcome))

    def _list(self, options: dict[str, Any]) -> None:
        code = options.get("framework")
        if code:
            self._list_requirements(selectors.framework_get(code=code).code, options["json"])
            return
        frameworks = list(selectors.framework_list())
        if options["json"]:
            self.emit_json([_json_of(schemas.FrameworkOut, f) for f in frameworks])
            return
        for f in frameworks:
            counts = schemas.FrameworkOut.resolve_counts(f)
            parts = [
                f"{n} {noun}"
                for n, noun in (
                    (counts.clause, "clauses"),
                    (counts.control, "controls"),
                    (counts.criterion, "criteria"),
                )
                if n
            ]
            self.stdout.write(f"{f.code:<16} {f.version:<8} {f.name} ({', '.join(parts)})")

    def _list_requirements(self, code: str, as_json: bool) -> None:
        requirements = selectors.requirement_list(filters=RequirementFilters(framework=code))
        if as_json:
            self.emit_json([_json_of(schemas.RequirementOut, r) for r in requirements])
            return
        for r in requirements:
            indent = "  " * r.level
            self.stdout.write(f"{indent}{r.ref:<{12 - len(indent)}} {r.kind:<9} {r.title}")

    def _show(self, options: dict[str, Any]) -> None:
        code, ref = parse_key(options["key"], "FRAMEWORK:REF")
        requirement = selectors.requirement_get(framework=code, ref=ref)
        groups = selectors.requirement_links(requirement)
        if options["json"]:
            links = [
                {
                    "mapping_set": g.mapping_set.name,
                    "direction": "to" if g.outgoing else "from",
                    "relationship": link.relationship,
                    "requirement": link.requirement,
                }
                for g in groups
                for link in g.links
            ]
            children = list(selectors.requirement_children(requirement))
            value = {"requirement": requirement, "children": children, "links": links}
            self.emit_json(_json_of(schemas.RequirementDetailOut, value))
            return
        self._print_requirement(requirement)
        for group in groups:
            self.stdout.write(f"{group.title} ({group.mapping_set.name}):")
            for link in group.links:
                other = link.requirement
                self.stdout.write(f"  {other.ref:<10} {other.title} ({link.phrase})")

    def _print_requirement(self, r: Requirement) -> None:
        self.stdout.write(f"{r.key}  {r.title}")
        facts = [r.get_kind_display()]
        facts += [r.get_theme_display()] if r.theme else []
        facts += [r.get_category_display()] if r.category else []
        facts += ["new in 2022"] if r.is_new else []
        facts += ["documented information"] if r.documented_information else []
        self.stdout.write(" · ".join(facts))
        self.stdout.write(r.summary)
        for family, label in AttributeFamily.choices:
            values = r.attributes.get(family, [])
            if values:
                self.stdout.write(f"  {label}: {', '.join(map(attribute_label, values))}")

    def _map(self, options: dict[str, Any]) -> None:
        requirement, mapped = selectors.requirement_map(
            ref=options["ref"], source=options["source"], target=options["target"]
        )
        if options["json"]:
            self.emit_json(
                {
                    "from": requirement.key,
                    "to": [
                        {
                            "key": m.requirement.key,
                            "title": m.requirement.title,
                            "relationship": m.relationship,
                            "mapping_set": m.mapping_set.name,
                        }
                        for m in mapped
                    ],
                }
            )
            return
        if not mapped:
            new = " (new in 2022)" if requirement.is_new else ""
            self.stdout.write(f"{requirement.key}{new} maps to nothing in {options['target']}.")
        for m in mapped:
            self.stdout.write(
                f"{requirement.ref} -> {m.requirement.key}  {m.requirement.title}  "
                f"({m.relationship}: {requirement.ref} {m.phrase})"
            )
