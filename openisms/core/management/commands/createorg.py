"""``openisms createorg NAME --owner EMAIL``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from openisms.cli.base import OpenismsCommand
from openisms.core import services
from openisms.core.errors import ValidationError
from openisms.core.models import User


class Command(OpenismsCommand):
    help = "Create an organisation with an existing user as its owner."
    json_option = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--owner", required=True, metavar="EMAIL", help="its first owner")
        parser.add_argument("--slug", help="the address part, /o/<slug>/ (default: from name)")

    def run(self, **options: Any) -> None:
        owner = User.objects.filter(email=options["owner"].strip().lower()).first()
        if owner is None:
            raise ValidationError.field(
                "--owner", f"no user {options['owner']}; create it with `openisms createuser`"
            )
        org = services.organization_create(
            actor=self.actor, name=options["name"], owner=owner, slug=options.get("slug")
        )
        if options["json"]:
            self.emit_json({"slug": org.slug, "name": org.name, "owner": owner.email})
        else:
            self.stdout.write(f"Created {org.name} at /o/{org.slug}/ with owner {owner.email}.")
