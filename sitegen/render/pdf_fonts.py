"""Shrink the CJK fonts WeasyPrint embeds, after it has written the PDF.

Why one-page PDFs were 260 KB: WeasyPrint subsets with HarfBuzz's
RETAIN_GIDS, so each embedded face keeps every table sized for all 65,535
glyph ids of Noto CJK (offsets, empty charstrings, metrics) before a single
used glyph: 110-130 KB a face, two faces (regular and bold) a document.

The fix: Noto CJK's CFF is CID-keyed, and in a CID-keyed font the codes in
the PDF's content streams are CIDs, mapped to glyphs through the CFF
charset. We subset each embedded font again without retaining glyph ids;
fontTools keeps every glyph's CID in the new charset. The OpenType wrapper
is dropped and the bare CFF embedded as FontFile3 /CIDFontType0C, where
selecting glyphs by CID through the charset is what the PDF format defines
(viewers read an OpenType wrapper's codes as glyph ids instead, which would
break after renumbering). Content streams, widths (W) and ToUnicode are
keyed by CID and stay untouched, so text extraction is unchanged.
"""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject


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


def bare_cff_subset(opentype: bytes, cids: list[int]) -> bytes | None:
    """The CID-keyed CFF of `opentype`, keeping only `cids`; None for any other font.

    WeasyPrint's HarfBuzz pass has already desubroutinized the charstrings and
    removed hints, and CID fonts have no composite glyphs, so renumbering is
    all that is left: keep the used charstrings, their FDSelect entries and
    their names (cidNNNNN, which the charset is written from). This is what
    fontTools' subsetter does for CFF, without the glyph closure that makes
    it ten times slower here.
    """
    font = TTFont(io.BytesIO(opentype), lazy=True)
    if "CFF " not in font:
        return None
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    charset = top.charset
    if "ROS" not in top.rawDict or not top.CharStrings.charStringsAreIndexed:
        return None
    keep = sorted({0} | {cid for cid in cids if 0 <= cid < len(charset)})
    if any(charset[gid] != f"cid{gid:05d}" for gid in keep[1:]):
        return None  # CID ≠ glyph id: the content streams would point at other glyphs
    strings = top.CharStrings
    index = strings.charStringsIndex
    index.items = [index[gid] for gid in keep]
    del index.file, index.offsets
    top.FDSelect.format = None
    top.FDSelect.gidArray = [top.FDSelect.gidArray[gid] for gid in keep]
    top.charset = [charset[gid] for gid in keep]
    top.numGlyphs = len(keep)
    strings.charStrings = {name: position for position, name in enumerate(top.charset)}
    out = io.BytesIO()
    cff.compile(out, font)
    return out.getvalue()


def descendant_fonts(writer: PdfWriter):
    seen = set()
    for page in writer.pages:
        fonts = page.get("/Resources", DictionaryObject()).get_object().get("/Font", DictionaryObject())
        for reference in fonts.get_object().values():
            font = reference.get_object()
            for descendant in font.get("/DescendantFonts", ArrayObject()):
                if id(descendant.get_object()) not in seen:
                    seen.add(id(descendant.get_object()))
                    yield descendant.get_object()


def compact_fonts(pdf: bytes) -> bytes:
    """The same PDF with every CID-keyed OpenType-CFF font replaced by a compact bare CFF."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    changed = False
    for descendant in descendant_fonts(writer):
        descriptor = descendant["/FontDescriptor"].get_object()
        stream = descriptor.get("/FontFile3")
        if stream is None or stream.get_object().get("/Subtype") != "/OpenType":
            continue
        stream = stream.get_object()
        cff = bare_cff_subset(stream.get_data(), used_cids(descendant.get("/W", ArrayObject())))
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
