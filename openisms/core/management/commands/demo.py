"""``openisms demo``: the demo organisation and its logins."""

from __future__ import annotations

from typing import Any

from openisms.cli.base import OpenismsCommand
from openisms.core.demo import DEMO_PASSWORD, demo_create


class Command(OpenismsCommand):
    help = 'Create the demo organisation "Acme Cloud Ltd" with one user per role.'
    json_option = True

    def run(self, **options: Any) -> None:
        result = demo_create(actor=self.actor)
        org = result.organization
        if options["json"]:
            self.emit_json(
                {
                    "slug": org.slug,
                    "created": result.created,
                    "password": DEMO_PASSWORD,
                    "logins": [{"role": r, "email": e} for r, e in result.logins],
                }
            )
            return
        verb = "Created" if result.created else "Already there:"
        self.stdout.write(f"{verb} {org.name} at /o/{org.slug}/")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for role, email in result.logins:
            self.stdout.write(f"  {role:<8} {email}")
