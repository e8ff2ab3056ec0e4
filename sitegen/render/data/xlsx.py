"""A small XLSX writer: worksheets as self-contained parts, workbooks assembled from them.

Why not XlsxWriter (used until #15): it cost ~8 µs a cell, and a workbook's shared-string
table ties every sheet to the whole workbook, so all.xlsx had to write every unit-year's sheet a
second time. Here a sheet's XML is a pure function of its rows — strings are inline, and the style
table is fixed up front (STYLES) — so a unit-year's sheet is written and deflated ONCE, then
stored as is in its own workbook and in all.xlsx (zip entries keep the deflated bytes, their
CRC and size). What the files keep from before: cell types, the decimals of a number as written
(65.00 shows 0.00), a quote prefix on text that looks like a formula, the frozen header row, the
sheet names, and dates from the content (every zip entry 1980-01-01), so same cells → same bytes.

What the XML follows: ECMA-376 Part 1 (SpreadsheetML: worksheet, workbook, styles) and Part 2
(OPC: content types, relationships); the zip around it is archive.py's.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO, Iterable, Iterator

from sitegen.render.data.archive import Deflater, Part, Zip
from sitegen.render.data.columns import FORMULA_STARTS

# Every cell in SpreadsheetML has a style index into cellXfs. 0 plain, 1 quote prefix (text that
# looks like a formula, shown as text), DECIMALS + n: a number shown with n decimals.
QUOTED, DECIMALS = 1, 2
MAX_PLACES = 30  # the most decimals a number format may show in Excel
MAX_TEXT = 32767  # the longest text a cell holds, in UTF-16 units (Excel's limit; XlsxWriter's cut)

# XML 1.0 cannot carry these controls at all: Excel's own escape is _xHHHH_, and a literal _xHHHH_
# in the text is itself escaped as _x005F_xHHHH_ (so Excel reads back what was written).
NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "application/vnd.openxmlformats-"


def column_letters(count: int) -> list[str]:
    """A, B, …, Z, AA, AB, …: the column part of a cell reference."""
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def text_cell(text: str) -> str:
    """A string cell's XML after its reference: inline, so the sheet needs no shared table."""
    if len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le", "surrogatepass")) // 2 > MAX_TEXT:
        text = utf16_truncate(text, MAX_TEXT)
    style = f' s="{QUOTED}"' if text.startswith(FORMULA_STARTS) else ""
    if NEEDS_ESCAPE.search(text):
        text = LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def utf16_truncate(text: str, limit: int) -> str:
    """The longest start of `text` within `limit` UTF-16 units, never half a character."""
    length = 0
    for index, char in enumerate(text):
        length += 2 if ord(char) > 0xFFFF else 1
        if length > limit:
            return text[:index]
    return text


SHEET_VIEW = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
              'state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
SHEET_TAIL = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
              "</worksheet>")


def sheet_head(dimension: str | None) -> str:
    """Everything before the first row. `dimension`, the cells' range, is optional (a streamed sheet has none)."""
    ref = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">{ref}{SHEET_VIEW}<sheetData>'


def number_cell(ref: str, value: Any) -> str:
    """A number cell's XML after `<c r="`: a Decimal shown with its decimals as written (at most
    MAX_PLACES), as the float a spreadsheet holds, in XlsxWriter's notation (%.16G)."""
    if type(value) is Decimal:
        e = value.as_tuple().exponent
        style = DECIMALS if e >= 0 else DECIMALS - e if e >= -MAX_PLACES else DECIMALS + MAX_PLACES  # type: ignore[operator]
        return f'{ref} s="{style}"><v>{float(value):.16G}</v></c>'
    if type(value) in (int, float, bool):
        return f"{ref}><v>{value:.16G}</v></c>"
    raise TypeError(f"no XLSX cell for {type(value).__name__}: {value!r}")


def rows_xml(rows: list[list[Any]], first: int = 1) -> tuple[str, int, int]:
    """The XML of these rows, the first numbered `first`, and the last row and column written
    (0 without any). A cell is text (a non-empty str) or a number (number_cell); None and ""
    leave it empty. This runs for every cell of the site (~2 million at 10,000 projects): a
    comprehension, and a text's XML made once a sheet (the same texts repeat down a sheet)."""
    texts: dict[str, str] = {}

    def text(value: str) -> str:
        xml = texts[value] = text_cell(value)
        return xml

    letters = column_letters(max(map(len, rows), default=0))
    body, last_row = [], 0
    for y, row in enumerate(rows, start=first):
        n = str(y) + '"'
        cells = [f'<c r="{letters[x]}{n}{texts.get(value) or text(value)}' if type(value) is str
                 else '<c r="' + number_cell(letters[x] + n, value)
                 for x, value in enumerate(row) if value is not None and value != ""]
        if cells:
            body.append(f'<row r="{n}>{"".join(cells)}</row>')
            last_row = y
    return "".join(body), last_row, last_column(rows)


def last_column(rows: list[list[Any]]) -> int:
    """The number of the last column that some row fills."""
    for x in range(max(map(len, rows), default=0), 0, -1):
        if {row[x - 1] for row in rows if len(row) >= x} - {None, ""}:
            return x
    return 0


def sheet_xml(rows: list[list[Any]]) -> str:
    """One worksheet, its first row (the headers) frozen."""
    body, last_row, last_column = rows_xml(rows)
    dimension = f"A1:{column_letters(last_column)[-1]}{last_row}" if last_row else "A1"
    return sheet_head(dimension) + body + SHEET_TAIL


# ---------------------------------------------------------------- parts and the zip


@dataclass(frozen=True)
class SheetPart:
    """A worksheet ready for any workbook: its name (the tab) and its XML, deflated."""

    name: str
    part: Part


def sheet_part(name: str, rows: list[list[Any]]) -> SheetPart:
    return SheetPart(name, Part.of(sheet_xml(rows).encode("utf-8")))


# ---------------------------------------------------------------- the workbook around the sheets


def attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def number_format(places: int) -> str:
    return "0." + "0" * places if places else "0"


def styles_xml() -> str:
    """The fixed style table: plain, quote prefix, then 0 to MAX_PLACES decimals."""
    formats = "".join(f'<numFmt numFmtId="{163 + n}" formatCode="{number_format(n)}"/>' for n in range(1, MAX_PLACES + 1))
    xf = '<xf numFmtId="{}" fontId="0" fillId="0" borderId="0" xfId="0"{}/>'
    numbers = [xf.format(1 if n == 0 else 163 + n, ' applyNumberFormat="1"') for n in range(MAX_PLACES + 1)]
    cells = [xf.format(0, ""), xf.format(0, ' quotePrefix="1"'), *numbers]
    return (f'{XML_HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="{MAX_PLACES}">{formats}</numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(cells)}">{"".join(cells)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


STYLES = Part.of(styles_xml().encode("utf-8"))


def content_types(count: int) -> str:
    overrides = [("/xl/workbook.xml", "officedocument.spreadsheetml.sheet.main+xml"),
                 ("/xl/styles.xml", "officedocument.spreadsheetml.styles+xml"),
                 ("/docProps/core.xml", "package.core-properties+xml"),
                 ("/docProps/app.xml", "officedocument.extended-properties+xml"),
                 *((f"/xl/worksheets/sheet{n}.xml", "officedocument.spreadsheetml.worksheet+xml") for n in range(1, count + 1))]
    return (f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{TYPES}package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{TYPES}{kind}"/>' for name, kind in overrides) + "</Types>")


def relationships(targets: list[tuple[str, str]]) -> str:
    return (f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELS}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{kind}" Target="{target}"/>' for n, (kind, target) in enumerate(targets, start=1))
            + "</Relationships>")


def package_parts(names: list[str], created: datetime) -> list[tuple[str, str]]:
    """(path, XML) of everything a workbook has besides its sheets, in the order XlsxWriter wrote them."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    sheets = "".join(f'<sheet name="{attribute(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1))
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    return [
        ("[Content_Types].xml", content_types(len(names))),
        ("_rels/.rels", relationships([(office + "officeDocument", "xl/workbook.xml"),
                                       (PACKAGE_RELS + "/metadata/core-properties", "docProps/core.xml"),
                                       (office + "extended-properties", "docProps/app.xml")])),
        ("docProps/app.xml", f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                             "<Application>sitegen</Application></Properties>"),
        ("docProps/core.xml", f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                              'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>sitegen</dc:creator>'
                              f'<cp:lastModifiedBy>sitegen</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}'
                              f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'),
        ("xl/workbook.xml", f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><workbookPr/><bookViews><workbookView activeTab="0"/>'
                            f'</bookViews><sheets>{sheets}</sheets><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'),
        ("xl/_rels/workbook.xml.rels", relationships([*((office + "worksheet", f"worksheets/sheet{n}.xml") for n in range(1, len(names) + 1)),
                                                      (office + "styles", "styles.xml")])),
    ]  # fmt: skip


class Workbook:
    """A workbook written front to back on a stream. `names` (the tabs) come first, because the
    workbook lists its sheets before them; then every sheet in that order, whole (put) or row by
    row (stream_sheet)."""

    def __init__(self, stream: BinaryIO, names: list[str], created: datetime):
        check_names(names)
        self.names, self.count = names, 0
        self.archive = Zip(stream)
        for path, xml in package_parts(names, created):
            self.archive.put(path, Part.of(xml.encode("utf-8")))
        self.archive.put("xl/styles.xml", STYLES)

    def next_path(self, name: str) -> str:
        self.count += 1
        if self.count > len(self.names) or name != self.names[self.count - 1]:
            raise ValueError(f"工作表顺序与目录不符：第 {self.count} 个是「{name}」")
        return f"xl/worksheets/sheet{self.count}.xml"

    def put(self, sheet: SheetPart) -> None:
        self.archive.put(self.next_path(sheet.name), sheet.part)

    def put_file(self, name: str, part: Part, file: BinaryIO) -> None:
        self.archive.put_file(self.next_path(name), part, file)

    @contextmanager
    def stream_sheet(self, name: str) -> Iterator[SheetStream]:
        with self.archive.stream_entry(self.next_path(name)) as deflater:
            sheet = SheetStream(deflater)
            yield sheet
            sheet.close()

    def close(self) -> None:
        if self.count != len(self.names):
            raise ValueError(f"工作表少了：目录有 {len(self.names)} 个，只写了 {self.count} 个")
        self.archive.close()


class SheetStream:
    """A worksheet written row by row (its rows come from many parts), deflated as it goes."""

    def __init__(self, out: Deflater):
        self.out, self.next_row = out, 1
        out.write(sheet_head(None).encode("utf-8"))

    def add(self, rows: list[list[Any]]) -> None:
        body, _, _ = rows_xml(rows, self.next_row)
        self.next_row += len(rows)
        self.out.write(body.encode("utf-8"))

    def close(self) -> None:
        self.out.write(SHEET_TAIL.encode("utf-8"))


def write_workbook(stream: BinaryIO, names: list[str], sheets: Iterable[SheetPart], created: datetime) -> None:
    """A workbook of these sheets, in this order; `sheets` read once, one at a time."""
    book = Workbook(stream, names, created)
    for sheet in sheets:
        book.put(sheet)
    book.close()


def check_names(names: list[str]) -> None:
    """What Excel refuses to open: a tab name of 32+ characters, with []:*?/\\, or twice (any case)."""
    seen = set()
    for name in names:
        if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name) or name.lower() in seen:
            raise ValueError(f"工作表名「{name}」不能用于 XLSX（空、超过 31 个字符、含 []:*?/\\ 或重复）")
        seen.add(name.lower())
