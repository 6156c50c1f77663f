"""``openisms token create|list|revoke``: personal API tokens."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from openisms.cli.base import OpenismsCommand
from openisms.core import selectors, services
from openisms.core.choices import TokenScope
from openisms.core.errors import NotFound, ValidationError
from openisms.core.models import ApiToken, User


def _user(email: str) -> User:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise ValidationError.field("--user", f"no user {email}")
    return user


class Command(OpenismsCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("--user", required=True, metavar="EMAIL")
        create.add_argument("--org", metavar="SLUG")
        create.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        create.add_argument(
            "--expires-days", type=int, default=90, help="days until it expires (0: never)"
        )
        create.add_argument("--name", default="CLI token")
        create.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="a user's tokens in an organisation")
        listing.add_argument("--user", required=True, metavar="EMAIL")
        listing.add_argument("--org", metavar="SLUG")
        listing.add_argument("--json", action="store_true")
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)
        revoke.add_argument("--org", metavar="SLUG")

    def run(self, **options: Any) -> None:
        getattr(self, f"_{options['verb']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        days = options["expires_days"]
        token, secret = services.api_token_create(
            actor=self.actor,
            user=_user(options["user"]),
            org=self.organization(options),
            name=options["name"],
            scope=options["scope"],
            expires_days=days or None,
        )
        if options["json"]:
            self.emit_json(
                {
                    "id": token.pk,
                    "token": secret,
                    "scope": token.scope,
                    "expires_at": token.expires_at,
                }
            )
        else:
            self.stdout.write(secret)
            self.stderr.write(
                f"Token {token.pk} ({token.scope}) for {token.user.email}; "
                "it is shown only this once."
            )

    def _list(self, options: dict[str, Any]) -> None:
        user, org = _user(options["user"]), self.organization(options)
        tokens = selectors.api_token_list(actor=user, org=org)
        rows = [
            {
                "id": t.pk,
                "name": t.name,
                "prefix": t.prefix,
                "scope": t.scope,
                "state": t.state,
                "expires_at": t.expires_at,
                "last_used_at": t.last_used_at,
            }
            for t in tokens
        ]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(
                f"{row['id']:>5}  {row['prefix']}…  {row['scope']:<5}  "
                f"{row['state']:<7}  {row['name']}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        org = self.organization(options)
        token = (
            ApiToken.objects.select_related("user", "organization")
            .filter(organization=org, pk=options["token_id"])
            .first()
        )
        if token is None:
            raise NotFound(f"No token {options['token_id']} in {org.slug}.")
        services.api_token_revoke(actor=self.actor, token=token)
        self.stdout.write(f"Token {token.pk} ({token.name}) is revoked.")
