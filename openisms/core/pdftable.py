"""Long tables of a PDF report, laid out here and added to the document WeasyPrint writes.

WeasyPrint lays a table out through CSS and Pango, cell by cell: about 8 ms for a row of ten
cells on two cores, so a register of 1,000 risks took 10 s. A register's table needs little
of CSS: fixed columns, text wrapped at spaces, a header on every page, striped rows. This
module measures text with the font's own advance widths (fontTools), wraps it, cuts pages and
draws them with pydyf, both installed with WeasyPrint: 1,000 rows take a fraction of a second.
The font is embedded as a subset of the glyphs drawn, with a ToUnicode map, so that the text
can be searched and copied.

What it does not do: kerning and shaping (scripts that need shaping, such as Arabic, are
drawn letter by letter), right-to-left text, and glyphs the font lacks (drawn as its box).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pydyf
from django.core.exceptions import ImproperlyConfigured
from fontTools import subset
from fontTools.ttLib import TTFont

MM = 72 / 25.4
#: A4 landscape, in points.
PAGE_WIDTH, PAGE_HEIGHT = 297 * MM, 210 * MM
#: Where Debian (fonts-dejavu-core), Fedora and Alpine keep DejaVu Sans, the reports' font.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
)
#: Tables the embedded subset leaves out: the glyphs are drawn one by one, unshaped.
_DROPPED_TABLES = ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"\r\n|\r|\n")


def _rgb(colour: str) -> str:
    """``#1d273b`` as PDF's ``r g b`` operands."""
    return " ".join(f"{int(colour[i : i + 2], 16) / 255:.3f}" for i in (1, 3, 5))


@dataclass(frozen=True)
class _Metrics:
    units: int
    glyphs: dict[str, tuple[int, int]]  # character -> (glyph id, advance in font units)
    missing: tuple[int, int]
    ascent: float  # of the em
    descent: float
    bbox: list[int]  # in thousandths of the em
    postscript_name: str


@cache
def _metrics(path: Path) -> _Metrics:
    """What layout needs of a font file, read once per process."""
    font = TTFont(path, lazy=True)
    units: int = font["head"].unitsPerEm
    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    advances = font["hmtx"].metrics
    hhea, head = font["hhea"], font["head"]
    return _Metrics(
        units=units,
        glyphs={chr(c): (order[n], advances[n][0]) for c, n in font.getBestCmap().items()},
        missing=(0, advances[font.getGlyphOrder()[0]][0]),
        ascent=hhea.ascent / units,
        descent=-hhea.descent / units,
        bbox=[round(v * 1000 / units) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        postscript_name=str(font["name"].getDebugName(6) or path.stem).replace(" ", ""),
    )


class Face:
    """One TrueType face: advance widths for layout, glyph ids for drawing, and the subset of
    the glyphs drawn for embedding."""

    def __init__(self, path: Path, resource: str) -> None:
        metrics = _metrics(path)
        self.path, self.resource, self.units = path, resource, metrics.units
        self._glyphs, self._missing = metrics.glyphs, metrics.missing
        self.ascent, self.descent, self.bbox = metrics.ascent, metrics.descent, metrics.bbox
        self.postscript_name = metrics.postscript_name
        #: Glyph id -> (advance in font units, the text it stands for), for what was drawn.
        self.used: dict[int, tuple[int, str]] = {}

    def advance(self, text: str) -> int:
        """The advance of ``text`` in font units (no kerning)."""
        glyphs, missing = self._glyphs, self._missing
        return sum(glyphs.get(char, missing)[1] for char in text)

    def width(self, text: str, size: float) -> float:
        """The advance of ``text`` at ``size`` points."""
        return self.advance(text) * size / self.units

    def encode(self, text: str) -> str:
        """``text`` as a PDF hex string of two-byte glyph ids (Identity-H); the glyphs are
        remembered for the subset."""
        glyphs, missing, used = self._glyphs, self._missing, self.used
        hexes = []
        for char in text:
            gid, advance = glyphs.get(char, missing)
            if gid not in used:
                used[gid] = (advance, char if gid else "")
            hexes.append(f"{gid:04x}")
        return "<" + "".join(hexes) + ">"

    def embed(self, pdf: pydyf.PDF) -> bytes:
        """Add the font (a Type 0 font over the subset of the glyphs used) to ``pdf``; its
        reference."""
        data = self._subset()
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
        base = f"/{tag}+{self.postscript_name}"
        fontfile = pydyf.Stream([data], pydyf.Dictionary({"Length1": len(data)}), compress=True)
        pdf.add_object(fontfile)
        descriptor = pydyf.Dictionary(
            {
                "Type": "/FontDescriptor",
                "FontName": base,
                "Flags": 32,
                "FontBBox": pydyf.Array(self.bbox),
                "ItalicAngle": 0,
                "Ascent": round(self.ascent * 1000),
                "Descent": round(-self.descent * 1000),
                "CapHeight": round(self.ascent * 700),
                "StemV": 80,
                "FontFile2": fontfile.reference,
            }
        )
        pdf.add_object(descriptor)
        to_unicode = pydyf.Stream([self._cmap()], compress=True)
        pdf.add_object(to_unicode)
        cid = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/CIDFontType2",
                "BaseFont": base,
                "CIDSystemInfo": pydyf.Dictionary(
                    {
                        "Registry": pydyf.String("Adobe"),
                        "Ordering": pydyf.String("Identity"),
                        "Supplement": 0,
                    }
                ),
                "FontDescriptor": descriptor.reference,
                "W": pydyf.Array(self._widths()),
                "CIDToGIDMap": "/Identity",
            }
        )
        pdf.add_object(cid)
        font = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/Type0",
                "BaseFont": base,
                "Encoding": "/Identity-H",
                "DescendantFonts": pydyf.Array([cid.reference]),
                "ToUnicode": to_unicode.reference,
            }
        )
        pdf.add_object(font)
        reference: bytes = font.reference
        return reference

    def _subset(self) -> bytes:
        options = subset.Options()
        options.retain_gids = True  # the content streams draw the font's own glyph ids
        options.notdef_outline = True
        options.layout_features = []
        options.hinting = False
        options.glyph_names = False
        options.drop_tables += _DROPPED_TABLES
        font = TTFont(self.path, lazy=True)
        for tag in _DROPPED_TABLES:  # unread: the subsetter would read them to drop them
            if tag in font:
                del font[tag]
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=sorted({0, *self.used}))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()

    def _widths(self) -> list[Any]:
        widths: list[Any] = []
        for gid in sorted(self.used):
            widths += [gid, pydyf.Array([round(self.used[gid][0] * 1000 / self.units)])]
        return widths

    def _cmap(self) -> bytes:
        """The ToUnicode CMap: which text each glyph drawn stands for."""
        pairs = [
            f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>"
            for gid, (_, text) in sorted(self.used.items())
            if text
        ]
        blocks = [
            f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar"
            for chunk in (pairs[i : i + 100] for i in range(0, len(pairs), 100))
        ]
        return (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
            + "\n".join(blocks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        ).encode("ascii")


@cache
def font_path(file_name: str) -> Path:
    """The DejaVu file ``file_name``, or a clear error saying which package provides it."""
    for directory in FONT_DIRS:
        if (directory / file_name).is_file():
            return directory / file_name
    raise ImproperlyConfigured(
        f"The PDF reports need the font {file_name} (DejaVu Sans; Debian: apt-get install "
        f"fonts-dejavu-core); it is in none of {', '.join(str(d) for d in FONT_DIRS)}."
    )


@dataclass(frozen=True)
class Column:
    """A column: its header and its width in millimetres (widths are scaled to the page)."""

    title: str
    width: float


@dataclass(frozen=True)
class Style:
    """The table's look, the same as the reports' CSS."""

    size: float = 8.5
    heading_size: float = 12.0
    footer_size: float = 8.0
    pad_x: float = 1.5 * MM
    pad_y: float = 1.2 * MM
    margins: tuple[float, float, float, float] = (14 * MM, 12 * MM, 16 * MM, 12 * MM)
    text: str = "#1d273b"
    muted: str = "#555555"
    header_fill: str = "#f1f3f6"
    stripe_fill: str = "#f4f6f8"
    rule: str = "#c8ccd3"


def clean(value: Any) -> str:
    """A cell's value as text: tabs as spaces, control characters dropped."""
    if value is None:
        return ""
    return _UNPRINTABLE.sub("", str(value).replace("\t", " "))


def wrap(text: str, face: Face, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``: broken at line breaks, then at spaces, and
    inside a word only where the word alone is wider than the column."""
    limit, space = width * face.units / size, face.advance(" ")
    lines: list[str] = []
    for paragraph in _BREAKS.split(text):
        line, used = "", -1
        for word in paragraph.split(" "):
            advance = face.advance(word)
            if used >= 0 and used + space + advance <= limit:
                line, used = f"{line} {word}", used + space + advance
                continue
            if used >= 0:
                lines.append(line)
            line, used = word, advance
            if advance > limit:  # a word wider than the column is cut where it must be
                *whole, line = _cut(word, face, limit)
                lines += whole
                used = face.advance(line)
        lines.append(line)
    return lines


def _cut(word: str, face: Face, limit: float) -> list[str]:
    pieces, piece, used = [], "", 0
    for char in word:
        advance = face.advance(char)
        if piece and used + advance > limit:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + char, used + advance
    return [*pieces, piece]


@dataclass
class _Page:
    ops: list[str] = field(default_factory=list)
    rows: int = 0


class Table:
    """A long table laid out on A4 landscape pages: a heading on its first page, the header
    on every page, the rows striped, a row taller than a page continued on the next."""

    def __init__(self, heading: str, columns: Sequence[Column], style: Style | None = None) -> None:
        self.style = style or Style()
        self.regular = Face(font_path("DejaVuSans.ttf"), "OpenismsR")
        self.bold = Face(font_path("DejaVuSans-Bold.ttf"), "OpenismsB")
        _, right, _, left = self.style.margins
        scale = (PAGE_WIDTH - left - right) / sum(c.width for c in columns)
        self.widths = [c.width * scale for c in columns]
        self.lefts = [left + sum(self.widths[:i]) for i in range(len(columns))]
        self.leading = self.style.size * (self.regular.ascent + self.regular.descent)
        self.heading, self.columns = heading, columns
        self.pages: list[_Page] = []
        self._before: list[list[str]] = []
        self._y = 0.0
        self._rows = 0

    def layout(self, rows: Iterable[Sequence[Any]], empty: str) -> int:
        """Lay ``rows`` out (``empty`` stands alone when there are none); the number of pages."""
        self._new_page(first=True)
        for row in rows:
            self._row([clean(v) for v in row])
        if not self._rows:
            self._row([empty], span=True)
        return len(self.pages)

    def _new_page(self, first: bool = False) -> None:
        style = self.style
        self.pages.append(_Page())
        self._y = PAGE_HEIGHT - style.margins[0]
        if first:
            self._y -= style.heading_size * self.bold.ascent
            self._draw(
                self._text(self.bold, style.heading_size, style.margins[3], self._y, self.heading)
            )
            self._y -= style.heading_size * self.bold.descent + 2 * MM
        cells = [
            wrap(c.title, self.bold, style.size, self._inner(i)) for i, c in enumerate(self.columns)
        ]
        height = max(len(c) for c in cells) * self.leading + 2 * style.pad_y
        bottom = self._y - height
        self._fill(style.header_fill, bottom, height)
        left, right = self.lefts[0], PAGE_WIDTH - style.margins[1]
        self._draw(
            f"{_rgb(style.rule)} RG 0.5 w {left:.2f} {bottom:.2f} m {right:.2f} {bottom:.2f} l S"
        )
        self._cells(self.bold, cells)
        self._y = bottom

    def _inner(self, column: int) -> float:
        return self.widths[column] - 2 * self.style.pad_x

    def _row(self, values: list[str], span: bool = False) -> None:
        style = self.style
        if span:
            cells = [wrap(values[0], self.regular, style.size, sum(self.widths) - 2 * style.pad_x)]
        else:
            cells = [
                wrap(v, self.regular, style.size, self._inner(i)) for i, v in enumerate(values)
            ]
        self._rows += 1
        while cells:
            room = int((self._y - style.margins[2] - 2 * style.pad_y) // self.leading)
            # A row moves to the next page whole, unless it is taller than a page.
            if room < 1 or (room < max(len(c) for c in cells) and self.pages[-1].rows):
                self._new_page()
                continue
            part, rest = [c[:room] for c in cells], [c[room:] for c in cells]
            height = max(len(c) for c in part) * self.leading + 2 * style.pad_y
            if self._rows % 2 == 0:
                self._fill(style.stripe_fill, self._y - height, height)
            self._cells(self.regular, part)
            self.pages[-1].rows += 1
            self._y -= height
            cells = rest if any(rest) else []

    def _fill(self, colour: str, bottom: float, height: float) -> None:
        left, width = self.lefts[0], sum(self.widths)
        self._draw(f"{_rgb(colour)} rg {left:.2f} {bottom:.2f} {width:.2f} {height:.2f} re f")

    def _cells(self, face: Face, cells: list[list[str]]) -> None:
        style = self.style
        baseline = self._y - style.pad_y - style.size * face.ascent
        for column, lines in enumerate(cells):
            x = self.lefts[column] + style.pad_x
            for number, line in enumerate(lines):
                if line:
                    y = baseline - number * self.leading
                    self._draw(self._text(face, style.size, x, y, line))

    def _draw(self, op: str) -> None:
        self.pages[-1].ops.append(op)

    def _text(
        self, face: Face, size: float, x: float, y: float, text: str, colour: str = ""
    ) -> str:
        return (
            f"BT {_rgb(colour or self.style.text)} rg /{face.resource} {size} Tf "
            f"1 0 0 1 {x:.2f} {y:.2f} Tm {face.encode(text)} Tj ET"
        )

    def footers(self, left_text: str, first_number: int, total: int) -> None:
        """Each page's footer: ``left_text``, and "Page n of total" from ``first_number``.

        The pages before (1 to ``first_number - 1``: the document's own, when ``add_to`` is
        told to number them) get the same footer.
        """
        self._before = [self._footer(left_text, n, total) for n in range(1, first_number)]
        for number, page in enumerate(self.pages, start=first_number):
            page.ops += self._footer(left_text, number, total)

    def _footer(self, left_text: str, number: int, total: int) -> list[str]:
        style = self.style
        size, y = style.footer_size, style.margins[2] / 2 - style.footer_size * 0.3
        label = f"Page {number} of {total}"
        x = PAGE_WIDTH - style.margins[1] - self.regular.width(label, size)
        return [
            self._text(self.regular, size, style.margins[3], y, left_text, style.muted),
            self._text(self.regular, size, x, y, label, style.muted),
        ]

    def add_to(self, pdf: pydyf.PDF, *, number_existing: bool = False) -> None:
        """Add the laid-out pages, and the fonts they draw with, at the end of ``pdf``.

        ``number_existing``: also draw the footers of ``footers`` on the pages already in
        ``pdf`` (WeasyPrint's, which then need no footer of their own, nor a second
        rendering to learn the total).
        """
        fonts = pydyf.Dictionary(
            {face.resource: face.embed(pdf) for face in (self.regular, self.bold) if face.used}
        )
        if number_existing:
            _stamp(pdf, self._before, fonts)
        resources = pydyf.Dictionary({"Font": fonts})
        pdf.add_object(resources)
        for page in self.pages:
            content = pydyf.Stream(["\n".join(page.ops).encode("ascii")], compress=True)
            pdf.add_object(content)
            page_object = pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": pdf.pages.reference,
                    "MediaBox": pydyf.Array([0, 0, PAGE_WIDTH, PAGE_HEIGHT]),
                    "Contents": content.reference,
                    "Resources": resources.reference,
                }
            )
            pdf.add_page(page_object)


def _resolved(pdf: pydyf.PDF, value: Any) -> Any:
    """A pydyf object from its reference (``b"12 0 R"``), or the value itself."""
    if isinstance(value, bytes) and value.endswith(b" R"):
        return pdf.objects[int(value.split()[0])]
    return value


def _stamp(pdf: pydyf.PDF, footers: Sequence[Sequence[str]], fonts: pydyf.Dictionary) -> None:
    """Draw ``footers`` (one list of operators per page) on the pages already in ``pdf``.

    Each page's own content is wrapped in ``q``/``Q`` so that the footer is drawn in the
    default coordinates whatever the page's content left in place (WeasyPrint flips the
    y axis and does not undo it), and the fonts join the page's font resources.
    """
    numbers = pdf.pages["Kids"][::3]  # pydyf lists each page as: number, 0, "R"
    if len(numbers) != len(footers):
        raise ValueError(f"{len(numbers)} pages to number, {len(footers)} footers made for them")
    for number, ops in zip(numbers, footers, strict=True):
        page = pdf.objects[number]
        # Line ends at the edges: a reader may join the page's streams without a separator.
        save = pydyf.Stream([b"q", b""])
        footer = pydyf.Stream([b"", b"Q", "\n".join(ops).encode("ascii")], compress=True)
        pdf.add_object(save)
        pdf.add_object(footer)
        contents = _resolved(pdf, page["Contents"])
        own = list(contents) if isinstance(contents, pydyf.Array) else [page["Contents"]]
        page["Contents"] = pydyf.Array([save.reference, *own, footer.reference])
        resources = _resolved(pdf, page["Resources"])
        _resolved(pdf, resources["Font"]).update(fonts)
