"""``openisms audit verify [--org SLUG]``: walk the hash chains."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from openisms.cli.base import OpenismsCommand
from openisms.core import audit


class Command(OpenismsCommand):
    help = "Check the audit trail: every event's hash and its link to the one before."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser("verify", help="walk the chains; exit 1 at the first break")
        verify.add_argument("--org", metavar="SLUG", help="one organisation (default: all)")
        verify.add_argument("--json", action="store_true")

    def run(self, **options: Any) -> None:
        if options.get("org"):
            reports = [audit.verify(self.organization(options))]
        else:
            reports = audit.verify_all()
        if options["json"]:
            self.emit_json(
                [
                    {
                        "chain": r.name,
                        "ok": r.ok,
                        "checked": r.checked,
                        "broken_seq": r.broken_seq,
                        "problem": r.problem,
                    }
                    for r in reports
                ]
            )
        else:
            for r in reports:
                state = "ok" if r.ok else f"BROKEN at event #{r.broken_seq}: {r.problem}"
                self.stdout.write(f"{r.name}: {r.checked} events checked, {state}")
        broken = [r for r in reports if not r.ok]
        if broken:
            first = broken[0]
            raise CommandError(
                f"audit trail of {first.name} is broken at event #{first.broken_seq}: "
                f"{first.problem}"
            )
