"""WeasyPrint, imported without its slow search for its libraries.

WeasyPrint looks for each of its native libraries (GObject, Pango, HarfBuzz, Fontconfig...)
under six names, those of Linux, macOS and Windows, and cffi asks ``ctypes.util.find_library``
about every name that does not load as given. On Linux each question runs ``ldconfig -p`` and,
for a name no Linux library has, ``gcc`` and ``ld`` too: about 20 questions and 50 processes,
0.3-0.6 s of the first PDF in a process. A PDF export from the command line pays that every
time (a third of the risk assessment PDF's budget). While WeasyPrint is imported here, the
questions are answered from one listing of ldconfig's cache, as ``find_library`` answers
them from it; where that fails (no ldconfig, as on musl, or a library outside its cache),
WeasyPrint is imported the usual way.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

LDCONFIG = "/sbin/ldconfig"
#: ``find_library`` as Python made it; put back after every import here, whatever happened.
_USUAL_FIND_LIBRARY = ctypes.util.find_library
#: One import at a time: two threads making their first PDF at once would otherwise swap
#: ``find_library`` in and out over each other.
_IMPORTING = threading.Lock()
#: The ABI ldconfig names for this machine's libraries, as ``ctypes.util`` reads it.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}.get(f"{os.uname().machine}-{struct.calcsize('l') * 8}", "libc6")


def lookup_in(listing: bytes, abi: str = _ABI) -> Callable[[str], str | None]:
    """``find_library`` answered from ``ldconfig -p``'s ``listing``: the file name of the
    library ``name`` built for ``abi`` (``gobject-2.0`` -> ``libgobject-2.0.so.0``), or None."""

    def find_library(name: str) -> str | None:
        pattern = rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(os.fsencode(name)), abi.encode())
        found = re.search(pattern, listing)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


def _listing() -> bytes | None:
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command, no shell
            [LDCONFIG, "-p"],
            capture_output=True,
            check=True,
            timeout=30,
            env={"LC_ALL": "C", "LANG": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


@contextmanager
def libraries_from_one_listing() -> Iterator[bool]:
    """Within: ``ctypes.util.find_library`` answers from one listing of ldconfig's cache
    (yields True), or as usual where there is no listing (False)."""
    listing = _listing()
    if listing is None:
        yield False
        return
    ctypes.util.find_library = lookup_in(listing)  # type: ignore[assignment]
    try:
        yield True
    finally:
        ctypes.util.find_library = _USUAL_FIND_LIBRARY


def weasyprint_html() -> Any:
    """``weasyprint.HTML``; the first call in a process imports WeasyPrint (above)."""
    with _IMPORTING:
        if "weasyprint" not in sys.modules:
            try:
                with libraries_from_one_listing():
                    import weasyprint  # noqa: F401
            except OSError:  # a library the listing does not hold: the usual search finds it
                for name in [module for module in sys.modules if module.startswith("weasyprint")]:
                    del sys.modules[name]
        from weasyprint import HTML

    return HTML
