"""Small real files of each kind a minutes attachment may be, made in the test, and a few impostors."""

import functools
import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/{part}" ContentType="{content_type}"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="{part}"/></Relationships>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>会议纪要</w:t></w:r></w:p></w:body></w:document>"""
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACROS = "application/vnd.ms-word.document.macroEnabled.main+xml"
SLIDES_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@functools.cache  # one file: Pillow writes the time into each PDF
def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PDF")
    return out.getvalue()


def image(fmt: str = "PNG", size=(8, 8), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format=fmt)
    return out.getvalue()


def _zip(members: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx(content_type: str = WORD_MAIN, extra: dict | None = None) -> bytes:
    """A minimal Word document as Word writes one: content types, the package relationship, the body."""
    return _zip({
        "[Content_Types].xml": CONTENT_TYPES.format(part="word/document.xml", content_type=content_type),
        "_rels/.rels": RELS.format(part="word/document.xml"),
        "word/document.xml": DOCUMENT,
        **(extra or {}),
    })


def pptx() -> bytes:
    return _zip({
        "[Content_Types].xml": CONTENT_TYPES.format(part="ppt/presentation.xml", content_type=SLIDES_MAIN),
        "_rels/.rels": RELS.format(part="ppt/presentation.xml"),
        "ppt/presentation.xml": "<p:presentation/>",
    })


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "签到"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt(extra: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def compound(*names: str) -> bytes:
    """A Compound File (the container of .doc, .xls and .ppt) with these streams under its root:
    512-byte sectors, sector 0 the FAT, the directory from sector 1 on (four entries a sector)."""
    entries = [("Root Entry", 5), *((name, 2) for name in names)]
    directory = bytearray()
    for name, kind in entries:
        entry = bytearray(128)
        raw = (name + "\0").encode("utf-16-le")
        entry[: len(raw)] = raw
        struct.pack_into("<HB", entry, 64, len(raw), kind)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)  # no siblings, no child
        directory += entry
    directory += bytes(-len(directory) % 512)
    count = len(directory) // 512
    chain = [*range(2, count + 1), 0xFFFFFFFE]  # sector 1 → 2 → … → end of chain
    fat = [0xFFFFFFFD, *chain] + [0xFFFFFFFF] * (128 - 1 - count)
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # versions, byte order, 512-byte sectors
    struct.pack_into("<H", header, 32, 6)
    struct.pack_into("<II", header, 44, 1, 1)  # one FAT sector; the directory starts at sector 1
    struct.pack_into("<IIIII", header, 56, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)  # no mini FAT, no DIFAT
    struct.pack_into("<109I", header, 76, 0, *[0xFFFFFFFF] * 108)
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory)


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200) + b"This program cannot be run in DOS mode."
