"""Uploaded spreadsheets read row by row within limits: values as openpyxl gives them, refusals early."""

import datetime
import io
import struct
import zipfile
import zlib

import openpyxl
import pytest

from ebranch.lib import tabular
from tests import spreadsheets
from tests.spreadsheets import Cell

LIMITS = tabular.Limits(rows=100, columns=10, cell_chars=20)


def rows_of(data, limits=LIMITS):
    reader = tabular.xlsx_rows if data[:2] == b"PK" else tabular.csv_rows
    return list(reader(data, limits))


def refusal(data, limits=LIMITS) -> tuple:
    with pytest.raises(tabular.Refused) as caught:
        rows_of(data, limits)
    return caught.value.code, caught.value.row, caught.value.column


def one_sheet(*rows, **kwargs) -> bytes:
    return spreadsheets.xlsx(spreadsheets.sheet(rows), **kwargs)


# XLSX: the values


def test_values_are_those_openpyxl_reads():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "数", "日期", "时刻", "真", "小数"])
    sheet.append(["张三", 42, datetime.date(2015, 6, 1), datetime.datetime(2016, 6, 1, 8, 30), True, 1.5])
    sheet.append([])
    sheet.append([None, "x"])
    out = io.BytesIO()
    book.save(out)
    theirs = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True, data_only=True)
    expected = [list(row) for row in theirs.worksheets[0].iter_rows(values_only=True)]
    for row in expected:
        while row and row[-1] is None:
            row.pop()
    assert rows_of(out.getvalue()) == expected
    assert expected[1][2] == datetime.datetime(2015, 6, 1)


def test_shared_strings_join_their_runs_and_leave_out_the_phonetic_reading():
    strings = (f'<sst xmlns="{spreadsheets.MAIN}"><si><r><t>张</t></r><r><t>三</t></r>'
               "<rPh><t>zhang san</t></rPh></si><si><t>李四</t></si></sst>").encode()
    data = one_sheet(spreadsheets.row(1, [Cell("<v>1</v>", ' t="s"'), Cell("<v>0</v>", ' t="s"')]),
                     shared_strings=strings)
    assert rows_of(data) == [["李四", "张三"]]


def test_dates_by_the_cells_style_including_excels_chinese_formats_and_the_1904_calendar():
    cells = [Cell("<v>42156</v>", f' s="{spreadsheets.DATE_STYLE}"'),
             Cell("<v>42156</v>", f' s="{spreadsheets.CHINESE_DATE_STYLE}"'), Cell("<v>42156</v>")]
    assert rows_of(one_sheet(spreadsheets.row(1, cells))) == [
        [datetime.datetime(2015, 6, 1), datetime.datetime(2015, 6, 1), 42156]
    ]
    mac = one_sheet(spreadsheets.row(1, cells[:1]), date1904=True)
    assert rows_of(mac) == [[datetime.datetime(2019, 6, 2)]]


def test_a_formula_gives_its_saved_value_and_one_saved_without_a_value_is_marked():
    cells = [
        Cell("<f>B1</f><v>甲</v>", ' t="str"'),
        Cell('<f>IF(1,"","x")</f><v></v>', ' t="str"'),  # Excel saves a "" result this way
        Cell("<f>1+1</f><v>2</v>"),
        Cell("<f>1+1</f><v/>"),  # as openpyxl saves a formula
        Cell("<f>B1</f>", ' t="str"'),
    ]
    row, = rows_of(one_sheet(spreadsheets.row(1, cells)))
    assert row == ["甲", None, 2, tabular.UNCACHED_FORMULA, tabular.UNCACHED_FORMULA]


def test_gaps_between_rows_are_blank_rows_and_the_dimension_is_ignored():
    data = spreadsheets.xlsx(spreadsheets.sheet(
        [spreadsheets.row(1, ["a"]), spreadsheets.row(4, ["b"])], dimension="A1:XFD1048576"
    ))
    assert rows_of(data) == [["a"], [], [], ["b"]]


def test_rows_before_a_breach_come_first():
    rows = tabular.xlsx_rows(one_sheet(spreadsheets.row(1, ["a"]), spreadsheets.row(2, ["x" * 21])), LIMITS)
    assert next(rows) == ["a"]
    with pytest.raises(tabular.Refused) as caught:
        next(rows)
    assert (caught.value.code, caught.value.row, caught.value.column) == (tabular.CELL, 2, 1)


# XLSX: the limits


@pytest.mark.parametrize(("rows", "breach"), [
    ([spreadsheets.row(1, ["a"]), '<row r="101"/>'], (tabular.ROWS, 101, None)),
    (["<row/>" * 101], (tabular.ROWS, 101, None)),
    ([spreadsheets.row(1, ["a"], first_column=11)], (tabular.COLUMNS, 1, None)),
    ([spreadsheets.row(1, ["a" * 21])], (tabular.CELL, 1, 1)),
    ([spreadsheets.row(1, ["", Cell("<is><r><t>" + "a" * 10 + "</t></r><r><t>" + "b" * 11 + "</t></r></is>",
                                    ' t="inlineStr"')])], (tabular.CELL, 1, 2)),
    ([spreadsheets.row(2, ["a"]), spreadsheets.row(2, ["b"])], (tabular.UNREADABLE, None, None)),
])
def test_sheet_limits(rows, breach):
    assert refusal(one_sheet(*rows)) == breach


def test_styled_empty_cells_past_the_column_limit_are_no_breach():
    assert rows_of(one_sheet(spreadsheets.row(1, ["a", *[Cell("", ' s="1"')] * 30]))) == [["a"]]


def test_long_shared_string_is_refused_where_a_cell_uses_it():
    strings = spreadsheets.shared_strings_part(["a" * 21, "short"])
    assert rows_of(one_sheet(spreadsheets.row(1, [Cell("<v>1</v>", ' t="s"')]), shared_strings=strings)) == [
        ["short"]
    ]
    data = one_sheet(spreadsheets.row(1, ["", Cell("<v>0</v>", ' t="s"')]), shared_strings=strings)
    assert refusal(data) == (tabular.CELL, 1, 2)


def test_archive_limits_are_checked_before_anything_is_unpacked():
    small = tabular.Limits(rows=100, columns=10, cell_chars=20, parts=8, unpacked_bytes=10_000, ratio=50)
    sheet = spreadsheets.sheet([spreadsheets.row(1, ["a"])])
    assert rows_of(spreadsheets.xlsx(sheet), small) == [["a"]]
    assert refusal(spreadsheets.xlsx(sheet, extra={"a.xml": b"", "b.xml": b""}), small)[0] == tabular.PARTS
    assert refusal(spreadsheets.xlsx(sheet, extra={"a.xml": b"x" * 9_000}), small)[0] == tabular.UNPACKED
    assert refusal(spreadsheets.xlsx(sheet, extra={"a.xml": (b"", 10_000_000, 0)}))[0] == tabular.UNPACKED
    tight = spreadsheets.xlsx(sheet, extra={"a.xml": b" " * (tabular.RATIO_FLOOR + 1)})
    packed = tabular.Limits(rows=100, columns=10, cell_chars=20, ratio=50)
    assert refusal(tight, packed)[0] == tabular.UNPACKED


def test_a_part_longer_than_it_declares_is_unreadable():
    sheet = spreadsheets.sheet([spreadsheets.row(n, ["a"]) for n in range(1, 50)])
    deflated = spreadsheets.deflate(sheet)
    forged = spreadsheets.xlsx((deflated, 100, zlib.crc32(sheet)))  # zipfile stops at 100 bytes
    assert refusal(forged)[0] == tabular.UNREADABLE


@pytest.mark.parametrize("xml", [
    b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><worksheet>&b;</worksheet>',
    b'<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" x="' % spreadsheets.MAIN.encode()
    + b"a" * (tabular.MAX_TOKEN + tabular.CHUNK) + b'"/></row></sheetData></worksheet>',
    b"<worksheet><sheetData><row><c><v>1</v></c></row>",  # cut short
    b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>',
])
def test_unreadable_sheets(xml):
    no_ratio = tabular.Limits(rows=100, columns=10, cell_chars=20, ratio=10**6)  # the long tag packs tightly
    assert refusal(spreadsheets.xlsx(xml), no_ratio)[0] == tabular.UNREADABLE


def test_compression_other_than_deflate_is_unreadable():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(spreadsheets.xlsx(spreadsheets.sheet([])))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    assert refusal(out.getvalue())[0] == tabular.UNREADABLE


def test_a_zip64_directory_is_unreadable():
    data = spreadsheets.xlsx(spreadsheets.sheet([]))
    locator = struct.pack("<IIQI", 0x07064B50, 0, 0, 1)
    assert refusal(data[:-22] + locator + data[-22:])[0] == tabular.UNREADABLE


# CSV


def test_csv_in_gb18030_or_with_a_bom_with_quoted_lines_and_blank_lines():
    text = 'name,note,,\r\n"张三","two\r\nlines"\r\n\r\nx,,,\r\n'
    expected = [["name", "note"], ["张三", "two\r\nlines"], [], ["x"]]
    assert rows_of(text.encode("gb18030")) == expected
    assert rows_of(b"\xef\xbb\xbf" + text.encode()) == expected


@pytest.mark.parametrize(("text", "breach"), [
    ("\n" * 101, (tabular.ROWS, 101, None)),
    ("a\n" + "," * 10 + "b\n", (tabular.COLUMNS, 2, None)),
    ("a\n" + "," * 40 + "\n", None),  # empty cells at the end are no breach
    ("a\nb," + "x" * 21 + "\n", (tabular.CELL, 2, 2)),
    ("a\n" + "x" * 500, (tabular.LONG_ROW, 2, None)),
    ('a\n"' + "x\n" * 200 + '"\n', (tabular.LONG_ROW, 2, None)),  # one record over many lines
])
def test_csv_limits(text, breach):
    if breach is None:
        rows_of(text.encode())
    else:
        assert refusal(text.encode()) == breach


@pytest.mark.parametrize("data", [b"a\x00b", b"\xff\xfe\x80\x80"])
def test_csv_that_is_not_text_is_unreadable(data):
    assert refusal(data)[0] == tabular.UNREADABLE
