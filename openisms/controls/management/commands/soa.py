"""``openisms soa show|check|publish|approve|reject|diff|export|import``: the SoA from a terminal.

``openisms soa check`` exits with 1 when the check finds blockers, so it can gate a pipeline.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from openisms.cli.base import OpenismsCommand
from openisms.controls import checks, exports, imports, selectors, services
from openisms.core.errors import ValidationError

VERBS = ("show", "check", "publish", "approve", "reject", "diff", "export", "import")


class Command(OpenismsCommand):
    help = "Show, check, publish, approve, compare, export and import the SoA."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        parsers = {verb: sub.add_parser(verb) for verb in VERBS}
        for verb, p in parsers.items():
            p.add_argument("--org", metavar="SLUG")
            if verb != "export":
                p.add_argument("--json", action="store_true", help="print JSON for scripts")
        parsers["publish"].add_argument("--note", default="")
        parsers["publish"].add_argument(
            "--override", default="", help="reason to publish over blockers"
        )
        for verb in ("approve", "reject"):
            parsers[verb].add_argument("--version", type=int, required=True, dest="number")
            parsers[verb].add_argument("--comment", default="")
        parsers["diff"].add_argument("a", type=int, help="the older version")
        parsers["diff"].add_argument(
            "b", nargs="?", default="working", help="a version or 'working'"
        )
        export = parsers["export"]
        export.add_argument("--format", choices=exports.FORMATS, default="xlsx")
        export.add_argument("--version", type=int, dest="number", help="a published version")
        export.add_argument("--working", action="store_true", help="the working copy")
        export.add_argument("-o", "--output", type=Path, help="the file to write (default: stdout)")
        parsers["import"].add_argument("file", type=Path, help="the .xlsx or .csv file")

    def run(self, **options: Any) -> None:
        self.options = options
        self.org = self.organization(options)
        getattr(self, f"_{options['verb']}")()

    def _out(self, value: Any, text: str) -> None:
        if self.options.get("json"):
            self.emit_json(value)
        else:
            self.stdout.write(text)

    def _show(self) -> None:
        rows = [r.as_dict() for r in selectors.soa_rows(actor=self.actor, org=self.org)]
        lines = [
            f"{r['ref']:<9} {r['applicable']:<10} {r['status']:<12} {r['title']}" for r in rows
        ]
        self._out(rows, "\n".join(lines))

    def _check(self) -> None:
        rows = selectors.soa_rows(actor=self.actor, org=self.org)
        findings = checks.run(self.org, rows=rows)
        lines = [f"{f.severity:<8} {f.rule:<28} {f.object:<10} {f.message}" for f in findings]
        self._out([asdict(f) for f in findings], "\n".join(lines) or "No problems found.")
        blockers = checks.blockers(findings)
        if blockers:
            raise CommandError(f"{len(blockers)} blocker(s).")

    def _publish(self) -> None:
        version = services.soa_publish(
            actor=self.actor,
            org=self.org,
            note=self.options["note"],
            override_reason=self.options["override"],
        )
        self._out(
            {"number": version.number, "status": version.status},
            f"Published version {version.number}.",
        )

    def _decide(self, approve: bool) -> None:
        version = selectors.soa_version_get(
            actor=self.actor, org=self.org, number=self.options["number"]
        )
        decide = services.soa_approve if approve else services.soa_reject
        version = decide(actor=self.actor, version=version, comment=self.options["comment"])
        self._out(
            {"number": version.number, "status": version.status},
            f"Version {version.number}: {version.get_status_display()}.",
        )

    def _approve(self) -> None:
        self._decide(True)

    def _reject(self) -> None:
        self._decide(False)

    def _diff(self) -> None:
        old = selectors.soa_version_get(
            actor=self.actor, org=self.org, number=self.options["a"]
        ).rows
        b = self.options["b"]
        if b == "working":
            new = [r.as_dict() for r in selectors.soa_rows(actor=self.actor, org=self.org)]
        else:
            new = selectors.soa_version_get(actor=self.actor, org=self.org, number=int(b)).rows
        changes = selectors.soa_diff(old, new)
        lines = [f"{c.ref:<9} {c.kind:<8} {c.changes}" for c in changes]
        self._out([asdict(c) for c in changes], "\n".join(lines) or "No differences.")

    def _export(self) -> None:
        document = exports.build(
            actor=self.actor,
            org=self.org,
            fmt=self.options["format"],
            working=self.options["working"],
            number=self.options["number"],
        )
        output: Path | None = self.options["output"]
        if output is None:
            sys.stdout.buffer.write(document.content)
        else:
            output.write_bytes(document.content)
            self.stderr.write(f"Wrote {output}.")

    def _import(self) -> None:
        path: Path = self.options["file"]
        if not path.is_file():
            raise ValidationError.field("file", f"no file {path}")
        report = imports.soa_import(
            actor=self.actor, org=self.org, filename=path.name, content=path.read_bytes()
        )
        lines = [f"Updated {len(report.updated)} control(s) from {report.edition} ids."]
        lines += [f"Merged into {ref}: {', '.join(old)}" for ref, old in report.merged.items()]
        if report.needs_decision:
            lines.append(f"Need a decision: {', '.join(report.needs_decision)}")
        self._out(report.as_dict(), "\n".join(lines))
