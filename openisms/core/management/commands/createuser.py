"""``openisms createuser EMAIL``: a password from stdin, or a generated one printed once."""

from __future__ import annotations

import secrets
import sys
from argparse import ArgumentParser
from typing import Any

from openisms.cli.base import OpenismsCommand
from openisms.core import services


class Command(OpenismsCommand):
    help = "Create a user account that logs in with its e-mail address."
    json_option = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def run(self, **options: Any) -> None:
        generated = not options["password_stdin"]
        password = secrets.token_urlsafe(12) if generated else sys.stdin.readline().rstrip("\n")
        user = services.user_create(
            actor=self.actor, email=options["email"], password=password, full_name=options["name"]
        )
        if options["json"]:
            self.emit_json({"email": user.email, "password": password if generated else None})
            return
        self.stdout.write(f"Created {user.email}.")
        if generated:
            self.stdout.write(f"Password (shown once): {password}")
