"""``openisms context scope|issues|parties|obligations``: read the clause 4 registers."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from openisms.cli.base import OpenismsCommand
from openisms.context import filters, selectors, services
from openisms.context.choices import (
    IssueKind,
    IssueStatus,
    ObligationKind,
    ObligationStatus,
    PartyKind,
)
from openisms.core.errors import NotFound


class Command(OpenismsCommand):
    help = "Show the ISMS scope, or list issues, interested parties or obligations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        scope = sub.add_parser("scope", help="the approved scope (or --number N)")
        scope.add_argument("--number", type=int, metavar="N", help="one version, by its number")
        issues = sub.add_parser("issues", help="internal and external issues")
        issues.add_argument("--kind", choices=IssueKind.values, default="")
        issues.add_argument("--status", choices=IssueStatus.values, default="")
        parties = sub.add_parser("parties", help="interested parties and their requirements")
        parties.add_argument("--kind", choices=PartyKind.values, default="")
        obligations = sub.add_parser("obligations", help="the obligations register")
        obligations.add_argument("--kind", choices=ObligationKind.values, default="")
        obligations.add_argument("--status", choices=ObligationStatus.values, default="")
        for each in (scope, issues, parties, obligations):
            each.add_argument("--org", metavar="SLUG", help="the organisation")
            each.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, **options: Any) -> None:
        getattr(self, f"_{options['verb']}")(options)

    def _scope(self, options: dict[str, Any]) -> None:
        org = self.organization(options)
        if options["number"]:
            scope = selectors.scope_version_get(actor=self.actor, org=org, number=options["number"])
        else:
            found = selectors.scope_current(org, actor=self.actor)
            if found is None:
                raise NotFound(f"{org.name} has no approved scope yet.")
            scope = found
        fields = services.snapshot(scope, services.SCOPE_FIELDS)
        if options["json"]:
            self.emit_json({"number": scope.number, "status": scope.status, **fields})
            return
        self.stdout.write(f"Scope version {scope.number} ({scope.get_status_display()})")
        for name, value in fields.items():
            if name == "exclusions":
                value = "\n".join(f"- {r['item']}: {r['justification']}" for r in value)
            self.stdout.write(f"\n{name.replace('_', ' ').capitalize()}:\n{value or '-'}")

    def _issues(self, options: dict[str, Any]) -> None:
        found = filters.IssueFilters(kind=options["kind"], status=options["status"])
        issues = selectors.issue_list(
            actor=self.actor, org=self.organization(options), filters=found
        )
        rows = [{"ref": i.ref, **services.snapshot(i, services.ISSUE_FIELDS)} for i in issues]
        self._print(options, rows, ("ref", "kind", "status", "title"))

    def _parties(self, options: dict[str, Any]) -> None:
        found = filters.PartyFilters(kind=options["kind"])
        parties = selectors.party_list(
            actor=self.actor, org=self.organization(options), filters=found, with_requirements=True
        )
        rows = [
            {
                "ref": p.ref,
                **services.snapshot(p, services.PARTY_FIELDS),
                "requirements": [
                    services.snapshot(r, services.REQUIREMENT_FIELDS) for r in p.requirements.all()
                ],
            }
            for p in parties
        ]
        self._print(options, rows, ("ref", "kind", "relevance", "name"))

    def _obligations(self, options: dict[str, Any]) -> None:
        found = filters.ObligationFilters(kind=options["kind"], status=options["status"])
        obligations = selectors.obligation_list(
            actor=self.actor, org=self.organization(options), filters=found
        )
        fields = services.OBLIGATION_FIELDS
        rows = [{"ref": o.ref, **services.snapshot(o, fields)} for o in obligations]
        self._print(options, rows, ("ref", "kind", "status", "name"))

    def _print(
        self, options: dict[str, Any], rows: list[dict[str, Any]], columns: tuple[str, ...]
    ) -> None:
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write("  ".join(f"{row[c]!s:<11}" for c in columns).rstrip())
        self.stderr.write(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
