"""Compact CJK fonts in the PDFs WeasyPrint writes, and cheaper font handling.

Why one-page PDFs were 260 KB: WeasyPrint subsets with HarfBuzz's
RETAIN_GIDS, so each embedded face keeps every table sized for all 65,535
glyph ids of Noto CJK (offsets, empty charstrings, metrics) before a single
used glyph is drawn: 110-130 KB a face, two or three faces a document.

The fix rests on one property of CID-keyed CFF fonts such as Noto CJK: the
codes in the PDF's content streams are CIDs, and the font's charset maps
each CID to a glyph. So glyphs may be renumbered freely as long as the
charset keeps their CIDs, which HarfBuzz does when it subsets without
RETAIN_GIDS. `use_compact_subsets()` changes three things inside WeasyPrint
(version 62 to 70; each is checked for before it is changed):

1. CID-keyed CFF fonts are subset without RETAIN_GIDS (in HarfBuzz, fast).
2. Only the CFF table of that subset is embedded, as FontFile3
   /CIDFontType0C instead of /OpenType: viewers read the codes of an
   OpenType wrapper as glyph ids, while for a bare CID-keyed CFF the PDF
   format selects glyphs by CID through the charset. The font descriptor
   and the CIDFontType0 dictionary are WeasyPrint's, as for any CFF font.
3. A font's file is copied into Python only when something reads it.
   WeasyPrint copies the whole file into every font of every document, and
   Noto CJK comes as 20-26 MB collections: 66 MB copied (and its pages
   faulted in) for a one-page table, most of a worker's system time.

Other fonts keep WeasyPrint's own subsetting. Content streams, widths (W)
and ToUnicode are keyed by CID and stay as they are, so text extraction and
copying are unchanged; a test compares every page's pixels with WeasyPrint's
own output.
"""

from __future__ import annotations

import io
import struct

from fontTools.ttLib import TTFont

_originals: dict[str, object] = {}

_identity: dict[tuple[str, int], bool] = {}
# What WeasyPrint drops too, plus vertical metrics: the tables are horizontal.
DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GDEF", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
               b"PCLT", b"SVG ", b"VORG", b"vhea", b"vmtx")


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
    if getattr(self, "bare_cff", None):
        return  # already subset, by an earlier write_pdf of the same document
    if not to_unicode or self.missing or not cid_identity(self):
        return _originals["subset"](self, to_unicode, hinting)
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

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
    opentype = get_hb_object_data(face) if face else None
    cff = sfnt_table(opentype, b"CFF ")
    if not cff:
        return _originals["subset"](self, to_unicode, hinting)
    self.file_content = opentype  # still OpenType, so WeasyPrint describes it as a CFF font
    self.index = 0  # a single font now, no longer a face in a collection
    self.bare_cff = cff


def sfnt_table(font: bytes | None, tag: bytes) -> bytes | None:
    """One table's bytes from an OpenType file, by its table directory."""
    if not font or len(font) < 12:
        return None
    (count,) = struct.unpack_from(">H", font, 4)
    for record in range(count):
        found, _, offset, length = struct.unpack_from(">4sIII", font, 12 + 16 * record)
        if found == tag:
            return font[offset:offset + length]
    return None


def fonts_dictionary(pdf, fonts, compress, subset, options):
    """WeasyPrint's build_fonts_dictionary, then each compacted font's stream holds its bare CFF."""
    result = _originals["build_fonts_dictionary"](pdf, fonts, compress, subset, options)
    bare = {id(font.file_content): font.bare_cff for font in fonts.values() if getattr(font, "bare_cff", None)}
    if bare:
        import pydyf

        for item in pdf.objects:
            if isinstance(item, pydyf.Stream) and len(item.stream) == 1 and id(item.stream[0]) in bare:
                item.stream = [bare[id(item.stream[0])]]
                item.extra["Subtype"] = "/CIDFontType0C"
    return result


def font_init(self, pango_font, description, font_size):
    """WeasyPrint's Font.__init__ without copying the font file (see 3. above)."""
    from weasyprint.pdf import fonts

    fonts.get_hb_object_data = no_face_copy
    try:
        _originals["init"](self, pango_font, description, font_size)
    finally:
        fonts.get_hb_object_data = _originals["get_hb_object_data"]


def no_face_copy(hb_object, ot_color=None, glyph=None):
    if ot_color is None and glyph is None:
        return None  # read later, by file_content, if ever
    return _originals["get_hb_object_data"](hb_object, ot_color, glyph)


def read_file_content(font) -> bytes:
    data = font.__dict__.get("_file_content")
    if data is None:
        data = font.__dict__["_file_content"] = _originals["get_hb_object_data"](font.hb_face)
    return data


def store_file_content(font, data: bytes | None) -> None:
    font.__dict__["_file_content"] = data


def use_compact_subsets() -> None:
    """Install the changes into WeasyPrint once; nothing changes when its internals are not
    the ones expected (the PDFs are then WeasyPrint's own, only bigger)."""
    import weasyprint.pdf
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import harfbuzz_subset

    expected = (harfbuzz_subset and hasattr(fonts, "get_hb_object_data") and hasattr(fonts.Font, "subset")
                and hasattr(weasyprint.pdf, "build_fonts_dictionary") and "file_content" not in vars(fonts.Font))
    if fonts.Font.subset is compact_subset or not expected:
        return
    _originals.update(subset=fonts.Font.subset, init=fonts.Font.__init__, get_hb_object_data=fonts.get_hb_object_data,
                      build_fonts_dictionary=weasyprint.pdf.build_fonts_dictionary)
    fonts.Font.subset = compact_subset
    fonts.Font.__init__ = font_init
    fonts.Font.file_content = property(read_file_content, store_file_content)
    weasyprint.pdf.build_fonts_dictionary = fonts_dictionary


def use_weasyprint_subsets() -> None:
    """Undo use_compact_subsets (for the test that compares with WeasyPrint's own output)."""
    import weasyprint.pdf
    from weasyprint.pdf import fonts

    if fonts.Font.subset is compact_subset:
        fonts.Font.subset = _originals["subset"]
        fonts.Font.__init__ = _originals["init"]
        del fonts.Font.file_content
        weasyprint.pdf.build_fonts_dictionary = _originals["build_fonts_dictionary"]
