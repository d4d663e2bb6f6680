"""Hand-built .xlsx files for tests of uploads, bombs included: small on disk, quick to build.

A part is given as bytes, or as an already deflated (data, size, crc) triple, so that a part can
unpack to a gigabyte without the test ever holding or compressing a gigabyte.
"""

import functools
import struct
import zlib
from collections.abc import Iterable
from xml.sax.saxutils import escape

from openpyxl.utils.cell import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
MIB = 1024 * 1024

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Target="xl/workbook.xml" '
    f'Type="{RELATIONSHIPS}/officeDocument"/></Relationships>'
).encode()
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
    "</Relationships>"
).encode()
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="31"/></cellXfs>'
    "</styleSheet>"
).encode()
DATE_STYLE, CHINESE_DATE_STYLE = 1, 2  # cell styles of STYLES


def workbook(date1904=False) -> bytes:
    properties = '<workbookPr date1904="1"/>' if date1904 else ""
    return (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">{properties}'
        '<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflate_stream(pieces: Iterable[bytes]) -> tuple[bytes, int, int]:
    """A part written piece by piece, never whole in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, size, crc = [], 0, 0
    for piece in pieces:
        out.append(compressor.compress(piece))
        size, crc = size + len(piece), zlib.crc32(piece, crc)
    out.append(compressor.flush())
    return b"".join(out), size, crc


@functools.cache
def _megabyte_of_a() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(b"a" * MIB) + compressor.flush(zlib.Z_FULL_FLUSH)  # stands alone


def around_gigabyte_of_a(prefix: bytes, suffix: bytes) -> tuple[bytes, int, int]:
    """prefix + 1 GiB of "a" + suffix, deflated from one deflated megabyte repeated (about 1 MB)."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    deflated += _megabyte_of_a() * 1024 + deflate(suffix)
    crc, megabyte = zlib.crc32(prefix), b"a" * MIB
    for _ in range(1024):
        crc = zlib.crc32(megabyte, crc)
    return deflated, len(prefix) + 1024 * MIB + len(suffix), zlib.crc32(suffix, crc)


def zip_archive(parts: dict) -> bytes:
    """A zip file of deflated parts: name → bytes, or → (deflated, size, crc) as they are to be declared."""
    out, directory = bytearray(), bytearray()
    for name, part in parts.items():
        if isinstance(part, bytes):
            part = deflate(part), len(part), zlib.crc32(part)
        deflated, size, crc = part
        encoded = name.encode()
        fields = (8, 0, 0x21, crc, len(deflated), size, len(encoded), 0)  # deflated, 1980-01-01
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0, len(out))
        directory += encoded
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields) + encoded + deflated
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(out), 0)
    return bytes(out + directory + end)


def xlsx(sheet, *, shared_strings=None, extra=None, date1904=False) -> bytes:
    """A workbook of one sheet; `sheet` and `shared_strings` are parts as zip_archive takes them."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook(date1904), "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES, "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings if shared_strings is not None else shared_strings_part([]),
    }
    return zip_archive({**parts, **(extra or {})})


def sheet_part(rows: Iterable[str], dimension="A1:H2") -> Iterable[bytes]:
    yield f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()
    for row in rows:
        yield row.encode()
    yield b"</sheetData></worksheet>"


def sheet(rows: Iterable[str], dimension="A1:H2") -> bytes:
    return b"".join(sheet_part(rows, dimension))


def row(number: int, values, first_column=1) -> str:
    """A row of inline strings; a value that is already a <c> element's inside goes in as it is."""
    cells = []
    for column, value in enumerate(values, start=first_column):
        reference = f"{get_column_letter(column)}{number}"
        if isinstance(value, Cell):
            cells.append(f'<c r="{reference}"{value.attributes}>{value.inside}</c>')
        elif value not in ("", None):
            cells.append(f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


class Cell:
    def __init__(self, inside: str, attributes: str = ""):
        self.inside, self.attributes = inside, attributes


def shared_strings_part(strings: Iterable[str]) -> bytes:
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    return f'<sst xmlns="{MAIN}">{items}</sst>'.encode()
