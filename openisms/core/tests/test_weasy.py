"""WeasyPrint is imported with one look at ldconfig's cache instead of dozens of processes."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

from openisms.core import weasy

LISTING = b"""1234 libs found in cache `/etc/ld.so.cache'
\tlibpolkit-gobject-1.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpolkit-gobject-1.so.0
\tlibgobject-2.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libgobject-2.0.so.0
\tlibpixman-1.so.0 (libc6) => /lib/i386-linux-gnu/libpixman-1.so.0
\tlibharfbuzz.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz.so.0
\tlibharfbuzz-subset.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libharfbuzz-subset.so.0
"""
HAS_LDCONFIG = Path(weasy.LDCONFIG).exists()


def test_a_library_is_found_by_its_short_name_and_other_platforms_names_are_not() -> None:
    find = weasy.lookup_in(LISTING, "libc6,x86-64")
    assert find("gobject-2.0") == "libgobject-2.0.so.0"
    assert find("harfbuzz") == "libharfbuzz.so.0"
    assert find("harfbuzz-subset") == "libharfbuzz-subset.so.0"
    assert find("libgobject-2.0-0") is None  # Windows' name
    assert find("gobject") is None  # not libpolkit-gobject-1
    assert find("harfbuzz-vector") is None
    assert find("pixman-1") is None  # only a 32-bit build is there


def test_overlapping_uses_leave_the_usual_search_in_place() -> None:
    usual = ctypes.util.find_library
    first, second = weasy.libraries_from_one_listing(), weasy.libraries_from_one_listing()
    first.__enter__()
    second.__enter__()  # two threads making their first PDF at once
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    assert ctypes.util.find_library is usual


@pytest.mark.skipif(not HAS_LDCONFIG, reason="no ldconfig here")
@pytest.mark.parametrize("name", ["gobject-2.0", "harfbuzz", "fontconfig", "libpango-1.0-0", "c"])
def test_the_answers_are_those_of_ctypes(name: str) -> None:
    with weasy.libraries_from_one_listing() as listed:
        assert listed
        quick = ctypes.util.find_library(name)
    assert quick == ctypes.util.find_library(name)


def test_the_usual_search_is_back_afterwards_and_kept_without_ldconfig(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    usual = ctypes.util.find_library
    with weasy.libraries_from_one_listing():
        pass
    assert ctypes.util.find_library is usual
    monkeypatch.setattr(weasy, "LDCONFIG", str(tmp_path / "no-ldconfig"))
    with weasy.libraries_from_one_listing() as listed:
        assert not listed
        assert ctypes.util.find_library is usual


_FRESH_IMPORT = """
import subprocess, sys
launched = []
real = subprocess.Popen.__init__
def counting(self, args, *rest, **options):
    launched.append(args)
    real(self, args, *rest, **options)
subprocess.Popen.__init__ = counting
from openisms.core.weasy import weasyprint_html
pdf = weasyprint_html()(string="<p>Risk register</p>").write_pdf()
assert pdf.startswith(b"%PDF"), pdf[:20]
print(len(launched))
"""


@pytest.mark.skipif(not HAS_LDCONFIG, reason="no ldconfig here")
def test_a_fresh_process_imports_weasyprint_with_one_process_started() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FRESH_IMPORT], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "1", done.stderr
