"""``openisms serve``: gunicorn on HOST:PORT, or Django's reloading server with ``--dev``."""

from __future__ import annotations

import os
import shutil
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command

from openisms.cli.base import OpenismsCommand
from openisms.core.errors import ValidationError


def _check_bind(bind: str) -> str:
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValidationError.field(
            "--bind", f"expected HOST:PORT, e.g. 127.0.0.1:8000; got {bind!r}"
        )
    return bind


#: How long a request may run before gunicorn restarts its worker.
WORKER_TIMEOUT_SECONDS = 120


class Command(OpenismsCommand):
    help = "Serve the web application and the API."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument(
            "--dev", action="store_true", help="Django's auto-reloading development server instead"
        )

    def run(self, **options: Any) -> None:
        bind = _check_bind(options["bind"])
        if options["dev"]:
            call_command("runserver", bind)
            return
        if options["workers"] < 1:
            raise ValidationError.field("--workers", "must be at least 1")
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        args = [
            gunicorn,
            "openisms.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            "127.0.0.1",
            # A worker silent this long is restarted. gunicorn's 30 s would cut off the
            # largest exports (the risk register XLSX of 20,000 risks takes 5 to 13 s here).
            "--timeout",
            str(WORKER_TIMEOUT_SECONDS),
        ]
        self.stdout.write(
            f"Serving OpenISMS on http://{bind}/ (gunicorn, {options['workers']} "
            "workers; Ctrl+C stops)"
        )
        sys.stdout.flush()
        os.execv(gunicorn, args)  # noqa: S606 - replaces this process with gunicorn
