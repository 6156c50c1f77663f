"""``openisms assets import FILE`` and ``openisms assets export``: the inventory as files."""

from __future__ import annotations

from argparse import ArgumentParser
from dataclasses import fields
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import CommandError, OutputWrapper

from openisms.assets import exports
from openisms.assets.filters import AssetFilters
from openisms.assets.imports import import_file
from openisms.cli.base import OpenismsCommand
from openisms.core.errors import ValidationError

FILTERS = [f.name for f in fields(AssetFilters)]


def _plain(text: str) -> str:
    return text  # no colour: stderr is styled as errors by default


class ProgressBar:
    """``checking [##########..........]  50%`` on one line of stderr, redrawn in place.

    Drawn only when stderr is a terminal, so logs and pipes stay clean.
    """

    def __init__(self, stream: OutputWrapper, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.enabled = stream.isatty()
        self.drawn = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        share = done / total if total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        line = f"\r{phase:<9} [{bar}] {share:4.0%}"
        self.stream.write(line, style_func=_plain, ending="")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        """End the bar's line."""
        if self.drawn:
            self.stream.write("", style_func=_plain)


class Command(OpenismsCommand):
    help = "Import assets from a CSV or XLSX file, or export the inventory."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("import", help="import a CSV or XLSX file, all or nothing")
        load.add_argument("file", type=Path, help="the .csv or .xlsx file")
        load.add_argument("--dry-run", action="store_true", help="check every row; write nothing")
        load.add_argument("--org", metavar="SLUG")
        load.add_argument("--json", action="store_true", help="print the result as JSON")
        out = sub.add_parser("export", help="export the inventory (filtered) as CSV or XLSX")
        out.add_argument("--format", choices=exports.FORMATS, default="csv")
        out.add_argument("-o", "--output", type=Path, help="the file to write (CSV: stdout)")
        out.add_argument("--org", metavar="SLUG")
        for name in FILTERS:
            out.add_argument(f"--{name}", default=None, help=f"filter: {name} (as on the page)")

    def run(self, **options: Any) -> None:
        if options["verb"] == "import":
            self._import(options)
        else:
            self._export(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise ValidationError.field("file", f"no file {path}")
        bar = ProgressBar(self.stderr)
        try:
            result = import_file(
                actor=self.actor,
                org=self.organization(options),
                filename=path.name,
                content=path.read_bytes(),
                dry_run=options["dry_run"],
                progress=bar,
            )
        except ValidationError as error:
            bar.finish()
            self._refuse(error, options["json"])
        bar.finish()
        self._summary(result.summary(), result.created, result.updated, options["json"])

    def _refuse(self, error: ValidationError, as_json: bool) -> NoReturn:
        """List every error, one a line, then exit 1."""
        if as_json:
            self.emit_json({"ok": False, "detail": error.message, "errors": error.errors})
        else:
            for key, messages in error.errors.items():
                for message in messages:
                    self.stderr.write(f"{key}: {message}")
        raise CommandError(error.message)

    def _summary(
        self, counts: dict[str, Any], created: list[str], updated: list[str], as_json: bool
    ) -> None:
        if as_json:
            self.emit_json({"ok": True, **counts, "created_refs": created, "updated_refs": updated})
            return
        verb = "Would import (dry run)" if counts["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb} {counts['rows']} rows: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, 0 errors."
        )

    def _export(self, options: dict[str, Any]) -> None:
        file_format, output = options["format"], options["output"]
        if output is None and file_format == "xlsx":
            raise ValidationError.field("-o", "give a file for XLSX, e.g. -o assets.xlsx")
        chosen = {name: options[name] for name in FILTERS if options.get(name)}
        content, name = exports.export_inventory(
            actor=self.actor,
            org=self.organization(options),
            filters=AssetFilters(**chosen),
            file_format=file_format,
        )
        if output is None:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
            return
        output.write_bytes(content)
        self.stderr.write(f"Wrote {output} ({len(content):,} bytes; {name}).")
