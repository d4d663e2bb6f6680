"""Uploaded spreadsheets (.xlsx, .csv) read row by row, within limits, in bounded memory.

Nothing that a file says about itself is trusted. Before an .xlsx is opened, its zip directory is
checked: the number of parts, the sum of their declared unpacked sizes and their packing ratio
(Python's zipfile never unpacks more than a part declares). Its XML is then streamed through expat
in small chunks, with no DTD, no token longer than MAX_TOKEN, and the sheet's declared dimension
ignored: rows are counted as they come, gaps included, and reading stops at the first row, column
or cell past a limit. A CSV is checked for its encoding in chunks and read line by line, blank
lines counted as rows.

Every refusal is a `Refused` error with a `code` (and the row and column where known); callers turn
it into their own message.
"""

import codecs
import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

UNREADABLE = "unreadable"  # not a spreadsheet, damaged, or built to mislead a reader
PARTS = "parts"  # too many parts in the archive
UNPACKED = "unpacked"  # too large once unpacked
ROWS = "rows"  # a row past the row limit, blank rows included
COLUMNS = "columns"  # a value past the column limit
CELL = "cell"  # a cell longer than the limit
LONG_ROW = "long_row"  # a CSV line longer than any row within the limits

CHUNK = 64 * 1024
MAX_TOKEN = 1024 * 1024  # expat holds a whole tag in memory: none may be longer
RATIO_FLOOR = 1024 * 1024  # parts smaller than this may pack as tightly as they like
MAX_SHEET_COLUMNS = 16384  # Excel's own limit (XFD)
MAX_STYLES = 65536
#: number formats that Excel in Chinese shows as dates without writing them in the file
CHINESE_DATE_FORMATS = {27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58}
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})[0-9]*")


@dataclass(frozen=True)
class Limits:
    rows: int  # rows in all: heading, blank rows and gaps included
    columns: int  # the last column that may hold a value
    cell_chars: int  # characters in one cell
    parts: int = 200  # parts of an .xlsx archive
    unpacked_bytes: int = 20 * 1024 * 1024  # declared unpacked sizes of all parts together
    ratio: int = 200  # declared unpacked size / packed size, for parts over RATIO_FLOOR


class Refused(Exception):
    def __init__(self, code: str, *, row: int | None = None, column: int | None = None):
        super().__init__(code, row, column)
        self.code, self.row, self.column = code, row, column


class UncachedFormula:
    """A formula cell saved without its value (files written by scripts, not by a spreadsheet)."""

    __slots__ = ()

    def __repr__(self):
        return "UNCACHED_FORMULA"


UNCACHED_FORMULA = UncachedFormula()
_TOO_LONG = object()  # a shared string past the cell limit, refused where a cell uses it


# CSV


def csv_rows(data: bytes | str, limits: Limits) -> Iterator[list[str]]:
    """The records of a CSV in UTF-8 (with or without BOM) or GB18030, trailing empty cells dropped."""
    if isinstance(data, bytes):
        if b"\x00" in data:
            raise Refused(UNREADABLE)
        text = io.TextIOWrapper(io.BytesIO(data), encoding=_csv_encoding(data), newline="")
    else:
        text = io.StringIO(data, newline="")
    lines = _CsvLines(text, limits.columns * (limits.cell_chars + 3) + 2)  # quotes and a comma each
    try:
        for number, record in enumerate(csv.reader(lines), start=1):
            lines.record_read(number)
            if number > limits.rows:
                raise Refused(ROWS, row=number)
            width = len(record)
            while width and not record[width - 1].strip():
                width -= 1
            if width > limits.columns:
                raise Refused(COLUMNS, row=number)
            for column, value in enumerate(record[:width], start=1):
                if len(value) > limits.cell_chars:
                    raise Refused(CELL, row=number, column=column)
            yield record[:width]
    except csv.Error:
        raise Refused(UNREADABLE) from None


def _csv_encoding(data: bytes) -> str:
    view = memoryview(data)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GB18030
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(view), CHUNK):
                decoder.decode(view[start:start + CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise Refused(UNREADABLE)


class _CsvLines:
    """Physical lines for csv.reader; one record may not take more than `cap` characters."""

    def __init__(self, text, cap: int):
        self.text, self.cap, self.used, self.number = text, cap, 0, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.cap + 1)
        if not line:
            raise StopIteration
        self.used += len(line)
        if self.used > self.cap:
            raise Refused(LONG_ROW, row=self.number + 1)
        return line

    def record_read(self, number: int) -> None:
        self.used, self.number = 0, number


# XLSX


def xlsx_rows(data: bytes, limits: Limits) -> Iterator[list]:
    """The rows of the workbook's first sheet as lists of values, a blank list for each blank row.

    Values are as openpyxl gives them with data_only=True, except that a formula saved without its
    value is UNCACHED_FORMULA instead of None, numbers in Excel's Chinese built-in date formats are
    dates, and empty cells at the end of a row are dropped.
    """
    archive = _open_archive(data, limits)
    with archive:
        book = _Book(archive, limits)
        sheet = _Sheet(book, limits)
        last = 0
        chunks = _parse(archive, book.sheet, sheet)
        while True:
            try:
                next(chunks)
            except StopIteration:
                return
            except Refused:
                yield from _rows(sheet.done, last)  # the rows before the breach come first
                raise
            yield from _rows(sheet.done, last)
            last = sheet.done[-1][0] if sheet.done else last
            sheet.done.clear()


def _rows(done: list[tuple[int, dict]], last: int) -> Iterator[list]:
    for number, cells in done:
        for _gap in range(last + 1, number):
            yield []
        row = [None] * max(cells, default=0)
        for column, value in cells.items():
            row[column - 1] = value
        yield row
        last = number


def _open_archive(data: bytes, limits: Limits) -> zipfile.ZipFile:
    _check_directory_record(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise Refused(UNREADABLE) from None
    try:
        _check_parts(archive, limits)
    except Refused:
        archive.close()
        raise
    return archive


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.parts:
        raise Refused(PARTS)
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise Refused(UNREADABLE)  # other methods or encryption: not from a spreadsheet program
        total += info.file_size
        if total > limits.unpacked_bytes:
            raise Refused(UNPACKED)
        if info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise Refused(UNPACKED)


def _check_directory_record(data: bytes, limits: Limits) -> None:
    """The count and size of the zip directory, read where zipfile reads them, before it lists them."""
    at = len(data) - 22
    if at < 0:
        raise Refused(UNREADABLE)
    if data[at:at + 4] != b"PK\x05\x06" or data[at + 20:at + 22] != b"\x00\x00":
        at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
        if at < 0 or len(data) - at < 22:
            raise Refused(UNREADABLE)
    if at >= 20 and data[at - 20:at - 16] == b"PK\x06\x07":
        raise Refused(UNREADABLE)  # zip64: no spreadsheet within the size limit needs it
    entries, directory_size = struct.unpack_from("<HI", data, at + 10)
    if entries > limits.parts or directory_size > limits.parts * 1024:
        raise Refused(PARTS)


def _parse(archive: zipfile.ZipFile, name: str, handler) -> Iterator[None]:
    """Feeds one part to expat in chunks, calling the handler's start/end/text; yields after each."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    events = [0]

    def start(tag, attributes):
        events[0] += 1
        handler.start(tag.rpartition(" ")[2], {k.rpartition(" ")[2]: v for k, v in attributes.items()})

    def end(tag):
        events[0] += 1
        handler.end(tag.rpartition(" ")[2])

    def text(data):
        events[0] += 1
        handler.text(data)

    def other(*args):
        events[0] += 1

    def refuse(*args):
        raise Refused(UNREADABLE)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.CommentHandler = parser.ProcessingInstructionHandler = parser.XmlDeclHandler = other
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        with archive.open(name) as stream:
            seen, unbroken = 0, 0
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
                unbroken = unbroken + len(chunk) if events[0] == seen else len(chunk)
                if unbroken > MAX_TOKEN:
                    raise Refused(UNREADABLE)
                seen = events[0]
                yield
            parser.Parse(b"", True)
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise Refused(UNREADABLE) from None
    yield


def _read(archive: zipfile.ZipFile, name: str, handler):
    for _chunk in _parse(archive, name, handler):
        pass
    return handler


class _Handler:
    def start(self, tag: str, attributes: dict) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class _Relationships(_Handler):
    """The targets of one part's relationships, by id, for the kinds of part that a sheet needs."""

    KINDS = ("officeDocument", "worksheet", "sharedStrings", "styles")

    def __init__(self, source: str, limits: Limits):
        self.folder, self.limits, self.targets = posixpath.dirname(source), limits, {}

    def start(self, tag, attributes):
        if tag != "Relationship" or attributes.get("TargetMode") == "External":
            return
        kind = attributes.get("Type", "").rpartition("/")[2]
        if kind in self.KINDS:
            if len(self.targets) >= self.limits.parts:
                raise Refused(UNREADABLE)
            target = attributes.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(self.folder, target)
            self.targets[attributes.get("Id")] = (kind, posixpath.normpath(path))

    def first(self, kind: str) -> str | None:
        return next((path for k, path in self.targets.values() if k == kind), None)

    @staticmethod
    def of(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")


class _Workbook(_Handler):
    def __init__(self, limits: Limits):
        self.limits, self.sheets, self.date1904 = limits, [], False

    def start(self, tag, attributes):
        if tag == "workbookPr":
            self.date1904 = attributes.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            if len(self.sheets) >= self.limits.parts:
                raise Refused(UNREADABLE)
            self.sheets.append(attributes.get("id"))


class _Book:
    """Where the first worksheet, the shared strings and the styles are, and what they say."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits):
        root = _read(archive, "_rels/.rels", _Relationships("", limits))
        workbook = root.first("officeDocument")
        if workbook is None:
            raise Refused(UNREADABLE)
        book = _read(archive, workbook, _Workbook(limits))
        parts = _read(archive, _Relationships.of(workbook), _Relationships(workbook, limits))
        sheets = [parts.targets.get(sheet) for sheet in book.sheets]
        self.sheet = next((target[1] for target in sheets if target and target[0] == "worksheet"), None)
        if self.sheet is None:
            raise Refused(UNREADABLE)
        self.epoch = CALENDAR_MAC_1904 if book.date1904 else CALENDAR_WINDOWS_1900
        strings, styles = parts.first("sharedStrings"), parts.first("styles")
        self.strings = _read(archive, strings, _SharedStrings(limits)).strings if strings else []
        style = _read(archive, styles, _Styles()) if styles else _Styles()
        self.dates, self.durations = style.date_styles()


class _SharedStrings(_Handler):
    def __init__(self, limits: Limits):
        self.limits, self.strings = limits, []
        self.parts, self.length, self.phonetic, self.capturing = None, 0, 0, False

    def start(self, tag, attributes):
        if tag == "si":
            self.parts, self.length = [], 0
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.parts is not None and not self.phonetic:
            self.capturing = True

    def end(self, tag):
        if tag == "t":
            self.capturing = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "si" and self.parts is not None:
            if len(self.strings) >= self.limits.rows * self.limits.columns:
                raise Refused(UNPACKED)  # more strings than cells a sheet within the limits can use
            too_long = self.length > self.limits.cell_chars
            self.strings.append(_TOO_LONG if too_long else "".join(self.parts))
            self.parts = None

    def text(self, data):
        if self.capturing and self.parts is not None and self.length <= self.limits.cell_chars:
            self.length += len(data)
            if self.length <= self.limits.cell_chars:
                self.parts.append(data)


class _Styles(_Handler):
    def __init__(self):
        self.formats, self.cell_formats, self.in_cell_formats = {}, [], False

    def start(self, tag, attributes):
        if tag == "numFmt":
            if len(self.formats) >= MAX_STYLES:
                raise Refused(UNREADABLE)
            self.formats[_number(attributes.get("numFmtId"))] = attributes.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_formats = True
        elif tag == "xf" and self.in_cell_formats:
            if len(self.cell_formats) >= MAX_STYLES:
                raise Refused(UNREADABLE)
            self.cell_formats.append(_number(attributes.get("numFmtId", "0")))

    def end(self, tag):
        if tag == "cellXfs":
            self.in_cell_formats = False

    def date_styles(self) -> tuple[set[int], set[int]]:
        dates, durations = set(), set()
        for style, format_id in enumerate(self.cell_formats):
            code = self.formats.get(format_id) or BUILTIN_FORMATS.get(format_id)
            if format_id in CHINESE_DATE_FORMATS or is_date_format(code):
                dates.add(style)
            if is_timedelta_format(code):
                durations.add(style)
        return dates, durations


def _number(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise Refused(UNREADABLE) from None


class _Sheet(_Handler):
    """Collects finished rows in `done` as (row number, {column: value}); refuses at the first breach."""

    def __init__(self, book: _Book, limits: Limits):
        self.book, self.limits = book, limits
        self.done: list[tuple[int, dict]] = []
        self.in_data, self.row, self.cells, self.column = False, 0, None, 0
        self.cell, self.capture, self.length, self.phonetic = None, None, 0, 0

    def start(self, tag, attributes):
        if tag == "sheetData":
            self.in_data = True
        elif not self.in_data:
            return
        elif tag == "row":
            number = _number(attributes["r"]) if "r" in attributes else self.row + 1
            if number <= self.row or self.cells is not None:
                raise Refused(UNREADABLE)
            if number > self.limits.rows:
                raise Refused(ROWS, row=number)
            self.row, self.cells, self.column = number, {}, 0
        elif tag == "c":
            if self.cells is None or self.cell is not None:
                raise Refused(UNREADABLE)
            reference = attributes.get("r")
            self.column = _column(reference) if reference else self.column + 1
            if self.column > MAX_SHEET_COLUMNS:
                raise Refused(UNREADABLE)
            self.cell = {"type": attributes.get("t", "n"), "style": _number(attributes.get("s", "0"))}
        elif self.cell is None:
            return
        elif tag == "f":
            self.cell["formula"] = True
        elif tag == "v":
            self.cell["v"], self.capture, self.length = [], "v", 0
        elif tag == "is":
            self.cell["is"], self.length = [], 0
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and "is" in self.cell and not self.phonetic:
            self.capture = "is"

    def end(self, tag):
        if tag == "sheetData":
            self.in_data = False
        elif not self.in_data:
            return
        elif tag in ("v", "t"):
            self.capture = None
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c":
            if self.cell is None:
                raise Refused(UNREADABLE)
            value = self.value(self.cell)
            self.cell = None
            if value is _TOO_LONG:
                raise Refused(CELL, row=self.row, column=self.column)
            if value is not None and value != "":
                if self.column > self.limits.columns:
                    raise Refused(COLUMNS, row=self.row)
                self.cells[self.column] = value
        elif tag == "row":
            if self.cells is None or self.cell is not None:
                raise Refused(UNREADABLE)
            self.done.append((self.row, self.cells))
            self.cells = None

    def text(self, data):
        if self.capture is None:
            return
        self.length += len(data)
        if self.length > self.limits.cell_chars:
            raise Refused(CELL, row=self.row, column=self.column)
        self.cell[self.capture].append(data)

    def value(self, cell: dict):
        kind = cell["type"]
        v = "".join(cell["v"]) if "v" in cell else None
        if cell.get("formula") and (v is None or (not v and kind != "str")):  # a cached "" is t="str"
            return UNCACHED_FORMULA
        if kind == "inlineStr":
            return "".join(cell["is"]) if "is" in cell else None
        if not v:
            return None
        try:
            if kind == "s":
                return self.book.strings[int(v)]
            if kind in ("str", "e"):
                return v
            if kind == "b":
                return v.strip() in ("1", "true")
            if kind == "d":
                return from_ISO8601(v)
            number = float(v) if "." in v or "e" in v or "E" in v else int(v)
        except (ValueError, IndexError):
            raise Refused(UNREADABLE) from None
        style = cell["style"]
        if style in self.book.dates:
            try:
                return from_excel(number, self.book.epoch, timedelta=style in self.book.durations)
            except (OverflowError, ValueError):
                return number
        return number


def _column(reference: str) -> int:
    match = CELL_REFERENCE.fullmatch(reference.upper())
    if match is None:
        raise Refused(UNREADABLE)
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return column
