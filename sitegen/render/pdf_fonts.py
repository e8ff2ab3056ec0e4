"""Compact CJK fonts in the PDFs WeasyPrint writes.

Why one-page PDFs were 260 KB: WeasyPrint subsets with HarfBuzz's
RETAIN_GIDS, so each embedded face keeps every table sized for all 65,535
glyph ids of Noto CJK (offsets, empty charstrings, metrics) before a single
used glyph is drawn: 110-130 KB a face, two or three faces a document.

The fix rests on one property of CID-keyed CFF fonts such as Noto CJK: the
codes in the PDF's content streams are CIDs, and the font's charset maps
each CID to a glyph. So glyphs may be renumbered freely as long as the
charset keeps their CIDs, which HarfBuzz does when it subsets without
RETAIN_GIDS. Two steps:

1. `use_compact_subsets()` makes WeasyPrint subset CID-keyed CFF fonts
   without RETAIN_GIDS (in HarfBuzz, fast). Other fonts keep WeasyPrint's
   own subsetting.
2. `compact_fonts()` rewrites the finished PDF: each OpenType-wrapped CFF
   becomes a bare CFF (FontFile3 /CIDFontType0C), because viewers read the
   codes of an OpenType wrapper as glyph ids, while for a bare CID-keyed CFF
   the PDF format selects glyphs by CID through the charset. A font that
   still carries unused glyphs (step 1 not applied) is renumbered here.

Content streams, widths (W) and ToUnicode are keyed by CID and stay as they
are, so text extraction and copying are unchanged.
"""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

_weasyprint_subset = None
_identity: dict[tuple[str, int], bool] = {}
# What WeasyPrint drops too, plus vertical metrics: the tables are horizontal.
DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GDEF", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
               b"PCLT", b"SVG ", b"VORG", b"vhea", b"vmtx")


# ---------------------------------------------------------------- step 1


def cid_identity(font) -> bool:
    """Whether a WeasyPrint font is CID-keyed CFF with CID = glyph id (Noto CJK is); once per face."""
    key = (font.hash, font.index)
    if key not in _identity:
        _identity[key] = read_cid_identity(font.file_content, font.index)
    return _identity[key]


def read_cid_identity(data: bytes, index: int) -> bool:
    font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
    if "CFF " not in font or "ROS" not in font["CFF "].cff.topDictIndex[0].rawDict:
        return False
    order = font.getGlyphOrder()
    step = max(1, len(order) // 64)
    return all(order[gid] == f"cid{gid:05d}" for gid in range(1, len(order), step))


def compact_subset(self, to_unicode, hinting):
    """WeasyPrint's Font.subset, without RETAIN_GIDS for CID-keyed CFF fonts."""
    if not to_unicode or self.missing or not cid_identity(self):
        return _weasyprint_subset(self, to_unicode, hinting)
    from weasyprint.pdf.fonts import get_hb_object_data
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    gids = sorted(to_unicode)
    plan = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(plan)
    harfbuzz.hb_set_add_sorted_array(glyphs, ffi.new(f"hb_codepoint_t[{len(gids)}]", gids), len(gids))
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE | harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    # Without GSUB there is no glyph closure either: only the glyphs the text uses.
    drop = harfbuzz_subset.hb_subset_input_set(plan, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(self.hb_face, plan), harfbuzz.hb_face_destroy)
    data = get_hb_object_data(face) if face else None
    if not data:
        return _weasyprint_subset(self, to_unicode, hinting)
    self.file_content = data
    self.index = 0  # a single font now, no longer a face in a collection


def use_compact_subsets() -> None:
    """Install compact_subset into WeasyPrint once; harmless when HarfBuzz-subset is missing."""
    global _weasyprint_subset
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import harfbuzz_subset

    if _weasyprint_subset is None and harfbuzz_subset:
        _weasyprint_subset = fonts.Font.subset
        fonts.Font.subset = compact_subset


# ---------------------------------------------------------------- step 2


def used_cids(widths: ArrayObject) -> list[int]:
    """Every CID the W array gives a width: WeasyPrint lists exactly the used glyphs."""
    cids: list[int] = []
    position = 0
    while position + 1 < len(widths):
        start, entry = int(widths[position]), widths[position + 1]
        if isinstance(entry, ArrayObject):
            cids.extend(range(start, start + len(entry)))
            position += 2
        else:  # the `first last width` form
            cids.extend(range(start, int(entry) + 1))
            position += 3
    return cids


def bare_cff(opentype: bytes, cids: list[int]) -> bytes | None:
    """The CID-keyed CFF inside `opentype` with only `cids`; None when that is not safe."""
    font = TTFont(io.BytesIO(opentype), lazy=True)
    if "CFF " not in font:
        return None
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    wanted = {".notdef"} | {f"cid{cid:05d}" for cid in cids if cid}
    if "ROS" not in top.rawDict or not wanted <= set(top.charset):
        return None  # a code the charset cannot resolve would show another glyph
    if len(top.charset) <= 2 * len(wanted) + 16:
        return font.reader["CFF "]  # already compact: the table as HarfBuzz wrote it
    renumber(top, wanted)  # a subset that kept every glyph id (WeasyPrint's own)
    out = io.BytesIO()
    cff.compile(out, font)
    return out.getvalue()


def renumber(top, wanted: set[str]) -> None:
    """Keep only the wanted glyphs; names (cidNNNNN) and so CIDs stay with their charstrings."""
    keep = [gid for gid, name in enumerate(top.charset) if name in wanted]
    strings = top.CharStrings
    index = strings.charStringsIndex
    index.items = [index[gid] for gid in keep]
    del index.file, index.offsets
    top.FDSelect.format = None
    top.FDSelect.gidArray = [top.FDSelect.gidArray[gid] for gid in keep]
    top.charset = [top.charset[gid] for gid in keep]
    top.numGlyphs = len(keep)
    strings.charStrings = {name: position for position, name in enumerate(top.charset)}


def descendant_fonts(writer: PdfWriter):
    seen = set()
    for page in writer.pages:
        fonts = page.get("/Resources", DictionaryObject()).get_object().get("/Font", DictionaryObject())
        for reference in fonts.get_object().values():
            for descendant in reference.get_object().get("/DescendantFonts", ArrayObject()):
                descendant = descendant.get_object()
                if id(descendant) not in seen:
                    seen.add(id(descendant))
                    yield descendant


def compact_fonts(pdf: bytes) -> bytes:
    """The same PDF with every CID-keyed OpenType-CFF font embedded as a compact bare CFF."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    changed = False
    for descendant in descendant_fonts(writer):
        stream = descendant["/FontDescriptor"].get_object().get("/FontFile3")
        if stream is None or stream.get_object().get("/Subtype") != "/OpenType":
            continue
        stream = stream.get_object()
        cff = bare_cff(stream.get_data(), used_cids(descendant.get("/W", ArrayObject())))
        if cff is None:
            continue
        stream.set_data(cff)
        stream[NameObject("/Subtype")] = NameObject("/CIDFontType0C")
        changed = True
    if not changed:
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
