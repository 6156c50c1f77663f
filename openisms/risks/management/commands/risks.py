"""``openisms risks list|export|import|threats load|methodology show|preset``."""

from __future__ import annotations

from argparse import ArgumentParser
from dataclasses import fields
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import CommandError

from openisms.api.risks.library import MethodologyOut
from openisms.api.risks.register import RiskOut, risk_outs
from openisms.cli.base import OpenismsCommand
from openisms.core.errors import ValidationError
from openisms.risks import exports, selectors, services
from openisms.risks.filters import RiskFilters
from openisms.risks.imports import import_file
from openisms.risks.methodology import PRESETS

FILTERS = [f.name for f in fields(RiskFilters) if f.type in ("str", "bool")]


def _json_of(schema: Any, value: Any) -> Any:
    """The same JSON as the API answers, through the API's own schema."""
    return schema.model_validate(value).model_dump(mode="json")


def _org_option(parser: ArgumentParser) -> None:
    parser.add_argument("--org", metavar="SLUG", help="the organisation (default: the only one)")


class Command(OpenismsCommand):
    help = "The risk register on the console: list, export, import, threats, methodology."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        listing = sub.add_parser("list", help="the risks, filtered as on the register page")
        _org_option(listing)
        listing.add_argument("--json", action="store_true", help="print JSON for scripts")
        for name in FILTERS:
            kind = next(f.type for f in fields(RiskFilters) if f.name == name)
            if kind == "bool":
                listing.add_argument(f"--{name.replace('_', '-')}", dest=name, action="store_true")
            else:
                listing.add_argument(f"--{name.replace('_', '-')}", dest=name, default="")
        out = sub.add_parser("export", help="the register (xlsx, csv), report (pdf), plan (docx)")
        _org_option(out)
        out.add_argument("--format", choices=exports.FORMATS, default="xlsx")
        out.add_argument("-o", "--output", type=Path, help="the file to write (CSV: stdout)")
        load = sub.add_parser("import", help="import risks from CSV or XLSX, all or nothing")
        _org_option(load)
        load.add_argument("file", type=Path, help="the .csv or .xlsx file")
        load.add_argument("--dry-run", action="store_true", help="check every row; write nothing")
        load.add_argument("--json", action="store_true", help="print the result as JSON")
        threats = sub.add_parser("threats", help="the shipped threat library")
        threats.add_argument("action", choices=["load"])
        threats.add_argument("--file", type=Path, help="a library file (default: the shipped one)")
        method = sub.add_parser("methodology", help="show the methodology, or start a preset")
        _org_option(method)
        method.add_argument("action", choices=["show", "preset"])
        method.add_argument("name", nargs="?", choices=PRESETS, help="the preset (with preset)")
        method.add_argument("--note", default="", help="what changed and why")
        method.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, **options: Any) -> None:
        getattr(self, f"_{options['verb']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        org = self.organization(options)
        chosen = {name: options[name] for name in FILTERS if options.get(name)}
        risks = selectors.risk_list(
            actor=self.actor, org=org, filters=RiskFilters(**chosen), links=False
        )
        if options["json"]:
            keys = list(risks.values_list("pk", flat=True))
            self.emit_json([_json_of(RiskOut, out) for out in risk_outs(org, keys)])
            return
        for risk in risks:
            level = risk.residual_level or risk.inherent_level or "-"
            owner = risk.owner.email
            self.stdout.write(
                f"{risk.ref:<8} {level:<9} {risk.status:<18} {owner:<28} {risk.title}"
            )

    def _export(self, options: dict[str, Any]) -> None:
        file_format, output = options["format"], options["output"]
        if output is None and file_format != "csv":
            raise ValidationError.field(
                "-o", f"give a file for {file_format}, e.g. -o risks.{file_format}"
            )
        content, name = exports.export_risks(
            actor=self.actor,
            org=self.organization(options),
            filters=RiskFilters(),
            file_format=file_format,
        )
        if output is None:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
            return
        output.write_bytes(content)
        self.stderr.write(f"Wrote {output} ({len(content):,} bytes; {name}).")

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise ValidationError.field("file", f"no file {path}")
        try:
            result = import_file(
                actor=self.actor,
                org=self.organization(options),
                filename=path.name,
                content=path.read_bytes(),
                dry_run=options["dry_run"],
            )
        except ValidationError as error:
            self._refuse(error, options["json"])
        if options["json"]:
            self.emit_json(
                {
                    "ok": True,
                    **result.summary(),
                    "created_refs": result.created,
                    "updated_refs": result.updated,
                }
            )
            return
        verb = "Would import (dry run)" if result.dry_run else "Imported"
        self.stdout.write(
            f"{verb} {result.rows} rows: {len(result.created)} created, "
            f"{len(result.updated)} updated, {result.unchanged} unchanged."
        )

    def _refuse(self, error: ValidationError, as_json: bool) -> NoReturn:
        """Every problem on its own line (row and column first), then exit 1."""
        if as_json:
            self.emit_json({"ok": False, "detail": error.message, "errors": error.errors})
        else:
            for key, messages in error.errors.items():
                for message in messages:
                    self.stderr.write(f"{key}: {message}")
        raise CommandError(error.message)

    def _threats(self, options: dict[str, Any]) -> None:
        outcome = services.threat_library_load(actor=self.actor, path=options.get("file"))
        since = f" (was {outcome.previous_version})" if outcome.previous_version else ""
        self.stdout.write(
            f"Threat library {outcome.code} {outcome.version}{since}: {outcome.status}; "
            f"{outcome.rows} threats, {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.retired} retired."
        )

    def _methodology(self, options: dict[str, Any]) -> None:
        org = self.organization(options)
        if options["action"] == "preset":
            if not options.get("name"):
                raise ValidationError.field("name", f"name a preset: {', '.join(PRESETS)}")
            services.methodology_create(
                actor=self.actor, org=org, preset=options["name"], note=options["note"]
            )
        current = selectors.methodology_current(actor=self.actor, org=org)
        if options["json"]:
            self.emit_json(_json_of(MethodologyOut, current))
            return
        self._print_methodology(current)

    def _print_methodology(self, current: Any) -> None:
        spec = current.parsed
        self.stdout.write(f"{current.name}, version {current.version} ({current.size}), current")
        for name, points in (("Likelihood", spec.likelihood), ("Impact", spec.impact)):
            self.stdout.write(f"{name}: " + ", ".join(f"{p.value} {p.label}" for p in points))
        for level in spec.levels:
            who = "risk owner" if level.owner_may_accept else "top management"
            months = level.review_months
            self.stdout.write(
                f"  {level.label:<10} accepted by {who:<15} review every {months} months"
            )
        for point in reversed(spec.likelihood):
            cells = [
                spec.level(spec.matrix[point.value - 1][i]).label for i in range(len(spec.impact))
            ]
            self.stdout.write(f"  L{point.value} " + " ".join(f"{c:<9}" for c in cells))
