"""Run one ``openisms`` command in this process and report its time and peak memory.

``python -m openisms.bench.probe OUT.json <command> [args...]``: Django starts first, untimed,
so that the time is the command's own work; the peak resident memory (``ru_maxrss``) is the
whole process's, Django included, as an operator would see it.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    """Time ``argv[1:]`` as a management command; write the result to ``argv[0]``."""
    out, command = Path(argv[0]), argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openisms.settings")
    import django
    from django.core.management import call_command, load_command_class
    from django.core.management.base import CommandError

    django.setup()
    load_command_class(_app_of(command[0]), command[0])
    started = time.perf_counter()
    error = ""
    try:
        call_command(*command)
    except CommandError as exc:
        error = str(exc)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.write_text(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "error": error}))
    return 1 if error else 0


def _app_of(name: str) -> str:
    from django.core.management import get_commands

    return get_commands()[name]


if __name__ == "__main__":  # pragma: no cover - run as a subprocess by the runner
    sys.exit(main(sys.argv[1:]))
