"""``openisms bench-data [--scale small|reference] [--seed N]``: the benchmark's data set."""

from __future__ import annotations

from argparse import SUPPRESS, ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from openisms.bench.generator import SCALES, generate, write_credentials
from openisms.cli.base import OpenismsCommand


class Command(OpenismsCommand):
    help = (
        "Generate the deterministic benchmark data set into an empty database (DESIGN.md "
        "section 4): organisation 'bench', the empty 'peer' and many small ones."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="reference",
            help="reference (10,000 assets, 20,000 risks...), small (about 1/50); tiny: tests",
        )
        parser.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
        parser.add_argument(
            "--credentials",
            type=Path,
            default=None,
            help=SUPPRESS,  # where the runner finds the login and tokens
        )

    def run(self, **options: Any) -> None:
        summary = generate(SCALES[options["scale"]], options["seed"])
        if connection.vendor == "postgresql":
            # What autovacuum does minutes after a bulk load in production: without table
            # statistics, PostgreSQL plans the first queries over 20,000 risks blind, and
            # without the visibility map it cannot answer a count from an index alone.
            # VACUUM cannot run inside a transaction (a caller's, as in the tests).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        path: Path = options["credentials"] or Path(settings.VAR_DIR) / "bench" / "credentials.json"
        write_credentials(summary, path)
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"  API tokens written to {path}")
