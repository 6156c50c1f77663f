"""The base of every ``openisms`` command: --org, --json, domain errors as exit code 1."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.core import selectors
from openisms.core.actors import ServiceActor, cli_actor
from openisms.core.errors import DomainError
from openisms.core.models import Organization


class OpenismsCommand(BaseCommand):
    """Calls ``run``; a DomainError becomes a CommandError: on the console one line,
    ``openisms <command>: <message>``, and exit code 1.

    Usage errors (unknown option, missing argument) exit with 2, from argparse.
    """

    org_option = False
    json_option = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        if self.org_option:
            parser.add_argument(
                "--org", metavar="SLUG", help="the organisation (default: the only one)"
            )
        if self.json_option:
            parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args: Any, **options: Any) -> str | None:
        try:
            self.run(**options)
        except DomainError as error:
            raise CommandError(error.message) from None
        return None

    def execute(self, *args: Any, **options: Any) -> str | None:
        """Django's, but an error on the console reads as the program's own message (Django
        prints the exception's class name, ``CommandError:``, before it)."""
        try:
            result: str | None = super().execute(*args, **options)
        except CommandError as error:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            name = type(self).__module__.rsplit(".", 1)[-1].replace("_", "-")
            self.stderr.write(f"openisms {name}: {error}")
            sys.exit(error.returncode)
        return result

    def run(self, **options: Any) -> None:
        raise NotImplementedError

    @property
    def actor(self) -> ServiceActor:
        """The console user, as the audit trail names it."""
        return cli_actor()

    def organization(self, options: dict[str, Any]) -> Organization:
        """The organisation named by ``--org``, or the only one."""
        return selectors.organization_resolve(options.get("org"))

    def emit_json(self, value: Any) -> None:
        """Print ``value`` as indented JSON."""
        self.stdout.write(json.dumps(value, indent=2, default=str))
