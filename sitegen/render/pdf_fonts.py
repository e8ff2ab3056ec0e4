"""The PDFs' CJK fonts, subset to each job's characters before WeasyPrint loads them.

Why: Noto CJK comes as 20-26 MB collections of 65,535 glyphs. WeasyPrint
embeds a subset, but one that keeps every glyph id (HarfBuzz's RETAIN_GIDS),
so each face it embeds carries tables sized for all 65,535 glyphs, over a
hundred kilobytes a face before a single glyph is drawn: a one-page table
would weigh several hundred kilobytes.

So each job's faces are subset first, with HarfBuzz (uharfbuzz), to the
characters its documents contain (a few hundred glyphs, renumbered from 0,
CID = glyph id), and WeasyPrint gets them through its public API only:
@font-face rules in a user stylesheet, whose URLs a URL fetcher serves from
memory (nothing to share between the machines of a Dask cluster), in a
FontConfiguration of the job's own (the same family names load other files in
the next job). WeasyPrint subsets them as it always does, and a write_pdf
finisher then embeds the bare CID-keyed CFF of the glyphs drawn (bare_cff_fonts).
The layout CSS (static/pdf.css) asks for these "… Subset" families first, the
installed ones after them (a site's own pdf.css without them gets the installed
fonts as WeasyPrint embeds them: right, only bigger).

Only what the layout and the PDF need is kept: no OpenType layout features (the
text is horizontal Chinese with Arabic numerals; a test compares the pictures
with WeasyPrint's output from the installed fonts), no vertical metrics, no
hints (WeasyPrint drops them too).
"""

from __future__ import annotations

import html
import struct
from dataclasses import replace

import uharfbuzz as hb

from sitegen.base.resources import font_faces

# The families static/pdf.css prints with, and the weights it uses (th and body text
# regular, h1 bold); CSS family name of a subset: the installed family's + SUFFIX.
FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
WEIGHTS = {400: 80, 700: 200}  # CSS font-weight: fontconfig's weight
SUFFIX = " Subset"
URL_SCHEME = "sitegen-font:"
DROP_TABLES = ("BASE", "GDEF", "GPOS", "GSUB", "JSTF", "VORG", "vhea", "vmtx", "DSIG")
# Characters a document may show without having them in its HTML: the page numbers and
# what CSS generates (quotes, ellipsis) are covered by ASCII and these.
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u2018\u2019\u201c\u201d\u2026\u3000"


def font_characters(htmls) -> str:
    """Every character the documents' text and CSS may draw, sorted: what their fonts keep."""
    found = set(ALWAYS)
    for text in htmls:
        found.update(html.unescape(text))
    return "".join(sorted(found))


def with_shared_fonts(parts, css: str) -> tuple:
    """PdfDocuments laid out in one job (an assembled document's parts, a flat unit-year's table
    and its projects' own PDFs) with fonts of all their characters and of the print CSS they
    are laid out with (its @page footer's 第 页 共): each knows them (font_text, part of its
    cache key)."""
    characters = font_characters([css, *(part.html for part in parts)])
    return tuple(replace(part, font_text=characters) for part in parts)


def installed_faces() -> dict[tuple[str, int], tuple[str, int]]:
    """(family, CSS weight) -> (file, face index) of the installed faces of FAMILIES."""
    faces = {}
    # In the order of fontconfig's lines sorted as text: of two files of one face, the first.
    for face in sorted(font_faces(), key=lambda f: "\t".join((f.family, f.weight, f.index, f.file))):
        for css_weight, fc_weight in WEIGHTS.items():
            if face.family in FAMILIES and face.weight == str(fc_weight):
                faces.setdefault((face.family, css_weight), (face.file, int(face.index)))
    return faces


class SubsetFonts:
    """The installed faces of one process, opened once (HarfBuzz maps the files)."""

    def __init__(self):
        self.faces = {key: hb.Face(hb.Blob.from_file_path(path), index)
                      for key, (path, index) in sorted(installed_faces().items())}

    def for_text(self, characters: str) -> "JobFonts":
        """The fonts of one job: every face subset to `characters`."""
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        files = {f"{URL_SCHEME}{family.replace(' ', '-')}-{weight}": subset(face, characters)
                 for (family, weight), face in self.faces.items()}
        rules = "".join(
            f'@font-face {{ font-family: "{family}{SUFFIX}"; font-weight: {weight}; '
            f'src: url("{URL_SCHEME}{family.replace(" ", "-")}-{weight}"); }}\n'
            for family, weight in self.faces)
        fetcher = fetcher_for(files)
        config = FontConfiguration()
        return JobFonts(config, CSS(string=rules, font_config=config, url_fetcher=fetcher), fetcher)


class JobFonts:
    """What WeasyPrint lays a job's documents out with: its font configuration, the
    @font-face stylesheet and the URL fetcher serving the fonts."""

    def __init__(self, config, stylesheet, fetcher):
        self.config, self.stylesheet, self.fetcher = config, stylesheet, fetcher

    def close(self) -> None:
        """Remove the font files WeasyPrint wrote for the @font-face rules (a temporary folder).
        It does so when the FontConfiguration is collected, but a job's lives in reference
        cycles that a worker collects late, or never before it exits: the folders stayed."""
        self.config.__del__()


def fetcher_for(files: dict[str, bytes]):
    """WeasyPrint's URL fetcher, serving the subset fonts' URLs from memory."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FontFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url in files:
                return URLFetcherResponse(url, files[url], {"Content-Type": "font/otf"})
            return super().fetch(url, headers)

    return FontFetcher()


def subset(face, characters: str) -> bytes:
    """The face with only the glyphs of `characters`, renumbered from 0, CID = glyph id."""
    plan = hb.SubsetInput()
    for character in characters:
        plan.unicode_set.add(ord(character))
    plan.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NOTDEF_OUTLINE
    plan.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()  # no feature: no glyph reached through one
    drop = plan.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in DROP_TABLES:
        drop.add(int.from_bytes(tag.encode("ascii"), "big"))
    font = bytearray(hb.subset(face, plan).blob.data)
    identity_charset(font)
    return bytes(font)


def bare_cff_fonts(document, pdf) -> None:
    """A write_pdf finisher (WeasyPrint's hook on its pydyf objects): each embedded subset
    font becomes the bare CID-keyed CFF of only the glyphs the PDF draws.

    WeasyPrint embeds an OpenType font keeping every glyph id below the last one drawn;
    a bare CID-keyed CFF (FontFile3 /CIDFontType0C) selects glyphs by CID through its
    charset, so the glyphs drawn are kept under their CIDs (the codes in the content
    streams, since subset() made CID = glyph id) and the others, and the OpenType tables
    around the CFF (cmap, hmtx, name...), left out. Widths (W) and ToUnicode are keyed by
    code and stay as they are."""
    import pydyf

    by_reference = {item.reference: item for item in pdf.objects if isinstance(item, pydyf.Object) and item.number}
    for font in pdf.objects:
        if not (isinstance(font, pydyf.Dictionary) and font.get("Subtype") == "/CIDFontType0"):
            continue
        descriptor = by_reference.get(font.get("FontDescriptor"))
        stream = by_reference.get(descriptor.get("FontFile3")) if descriptor else None
        if not (isinstance(stream, pydyf.Stream) and stream.extra.get("Subtype") == "/OpenType"
                and len(stream.stream) == 1):
            continue
        cff = drawn_glyphs_cff(bytes(stream.stream[0]), widths_codes(font.get("W", ())))
        if cff:
            stream.stream = [cff]
            stream.extra["Subtype"] = "/CIDFontType0C"


def widths_codes(widths) -> list[int]:
    """The codes of a W array: `first [w1 w2 ...]` runs."""
    codes = []
    for first, run in zip(widths[::2], widths[1::2]):
        codes.extend(range(first, first + len(run)))
    return codes


def drawn_glyphs_cff(font: bytes, glyphs: list[int]) -> bytes | None:
    """The CFF table of `font` subset to `glyphs` (renumbered, their CIDs kept), or None when
    `font` is not a CID-keyed CFF with CID = glyph id (then it stays as WeasyPrint made it)."""
    if not identity_charset(font, check_only=True):
        return None
    plan = hb.SubsetInput()
    for glyph in sorted({0, *glyphs}):
        plan.glyph_set.add(glyph)
    plan.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    plan.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()
    subset_font = hb.subset(hb.Face(hb.Blob(font)), plan).blob.data
    offset, length = table_record(subset_font, b"CFF ") or (0, 0)
    return bytes(subset_font[offset:offset + length]) or None


# A CID-keyed CFF (Noto CJK is one) names each glyph by a CID in its charset, and a subset
# keeps the original CIDs: glyph 5 may be CID 12,345. WeasyPrint writes glyph ids into the
# PDF, which viewers read as glyph ids in an OpenType font but a bare CID-keyed CFF
# selects by CID. With the charset rewritten so that every CID is its glyph id, the codes
# are both, and the finisher may embed the bare CFF of only the glyphs drawn.

def identity_charset(font: bytearray | bytes, check_only: bool = False) -> bool:
    """Rewrite, in place, the charset of the font's CID-keyed CFF table to CID = glyph id;
    `check_only`: only tell whether it is so already. False for a font without a CID-keyed CFF."""
    record = table_record(font, b"CFF ")
    if record is None:
        return False
    cff = record[0]
    position = index_end(font, cff + font[cff + 2])  # the header, then the Name INDEX
    start, end = index_items(font, position)[0]  # the Top DICT
    top = dict_operators(bytes(font[start:end]))
    if (12, 30) not in top or 15 not in top or 17 not in top:
        return False  # not CID-keyed
    glyphs = struct.unpack_from(">H", font, cff + top[17][0])[0]
    charset = cff + top[15][0]
    room, cids = charset_walk(font, charset, glyphs)
    if check_only:
        return cids == list(range(1, glyphs))
    if glyphs < 2:
        return True
    candidates = [bytes([0]) + b"".join(struct.pack(">H", cid) for cid in range(1, glyphs)),
                  bytes([2]) + struct.pack(">HH", 1, glyphs - 2)]
    if glyphs - 2 <= 255:
        candidates.append(bytes([1]) + struct.pack(">HB", 1, glyphs - 2))
    best = min(candidates, key=len)
    assert len(best) <= room, "an identity charset is never longer than the subset's own"
    font[charset:charset + len(best)] = best
    return True


def table_record(font: bytes, tag: bytes) -> tuple[int, int] | None:
    """(offset, length) of a table of an OpenType font, from its table directory."""
    (count,) = struct.unpack_from(">H", font, 4)
    for record in range(count):
        found, _, offset, length = struct.unpack_from(">4sIII", font, 12 + 16 * record)
        if found == tag:
            return offset, length
    return None


def index_items(data: bytes, position: int) -> list[tuple[int, int]]:
    """(start, end) of each item of the CFF INDEX at `position`."""
    (count,) = struct.unpack_from(">H", data, position)
    if count == 0:
        return []
    size = data[position + 2]
    offsets = [int.from_bytes(data[position + 3 + i * size:position + 3 + (i + 1) * size], "big")
               for i in range(count + 1)]
    base = position + 3 + (count + 1) * size - 1
    return [(base + offsets[i], base + offsets[i + 1]) for i in range(count)]


def index_end(data: bytes, position: int) -> int:
    items = index_items(data, position)
    return items[-1][1] if items else position + 2


def dict_operators(data: bytes) -> dict:
    """A CFF DICT: operator (an int, or (12, n) for the escaped ones) -> its operands."""
    result, operands, i = {}, [], 0
    while i < len(data):
        b0 = data[i]
        if b0 <= 21:
            operator = (12, data[i + 1]) if b0 == 12 else b0
            i += 2 if b0 == 12 else 1
            result[operator], operands = operands, []
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b0 == 30:  # a real number: nibbles up to an 0xf one; its value is not needed here
            i += 1
            while data[i] & 0x0F != 0x0F and data[i] >> 4 != 0x0F:
                i += 1
            i += 1
            operands.append(0)
        elif b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        else:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
    return result


def charset_walk(font: bytes, position: int, glyphs: int) -> tuple[int, list[int]]:
    """(bytes, CIDs of glyphs 1, 2, ...) of the charset at `position` (formats 0, 1 and 2)."""
    kind, cids = font[position], []
    if kind == 0:
        cids = list(struct.unpack_from(f">{glyphs - 1}H", font, position + 1))
        return 1 + 2 * (glyphs - 1), cids
    size, at = (3 if kind == 1 else 4), position + 1
    while len(cids) < glyphs - 1:
        first = struct.unpack_from(">H", font, at)[0]
        left = font[at + 2] if kind == 1 else struct.unpack_from(">H", font, at + 2)[0]
        cids.extend(range(first, first + left + 1))
        at += size
    return at - position, cids[:glyphs - 1]
