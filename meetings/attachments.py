"""What a minutes attachment may be, decided by its content (never its name): PDF, Word, Excel and
PowerPoint documents (Office Open XML, the older binary formats, OpenDocument) without macros, and
JPEG, PNG or WebP images that Pillow decodes within a pixel limit."""

import io
import struct
import warnings
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 15 * 1024 * 1024  # with the form around it, within the proxy's 20m (README)
MAX_PIXELS = 40_000_000
EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "odt", "ods", "odp", "jpg", "png", "webp")
ALIASES = {"jpeg": "jpg"}
ACCEPT = ",".join(f".{ext}" for ext in (*EXTENSIONS, *ALIASES))  # a hint for the file picker

# Office Open XML: the main part and its content type in [Content_Types].xml.
OOXML_TYPE = b"application/vnd.openxmlformats-officedocument.%s.main+xml"
OOXML = {
    "docx": ("word/document.xml", OOXML_TYPE % b"wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", OOXML_TYPE % b"spreadsheetml.sheet"),
    "pptx": ("ppt/presentation.xml", OOXML_TYPE % b"presentationml.presentation"),
}
ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
# Compound File Binary (.doc, .xls, .ppt): the stream that makes each, and the storages of macros.
CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
CFB_MAIN = {"WordDocument": "doc", "Workbook": "xls", "Book": "xls", "PowerPoint Document": "ppt"}
CFB_MACROS = {"Macros", "_VBA_PROJECT_CUR", "VBA"}
IMAGES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class Macros(Exception):
    pass


def attachment_type(upload) -> str:
    """The file's type as its extension (`pdf`, `docx`, …, `jpg`); ValidationError when not accepted."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than 15 MB; attach a smaller one."), code="attachment_size"
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        kind = _detect(data)
    except Macros:
        raise ValidationError(
            _("Documents with macros are not accepted; save it without macros (for example as .docx) "
              "and attach it again."),
            code="attachment_macros",
        ) from None
    if kind is None:
        raise ValidationError(
            _("Attach a PDF, a Word, Excel or PowerPoint document (or OpenDocument), or a JPEG, PNG or WebP "
              "image; this file is none of these."),
            code="attachment_type",
        )
    return kind


def attachment_name(name: str, kind: str) -> str:
    """The name shown and downloaded, ending in the extension of the detected type:
    "纪要.PDF" → "纪要.pdf", "纪要.pdf" holding a Word document → "纪要.docx", "纪要" → "纪要.pdf"."""
    base = PurePath(name.replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    if not dot or ALIASES.get(suffix.lower(), suffix.lower()) not in EXTENSIONS:
        stem = base
    return f"{(stem or 'attachment')[: 199 - len(kind)]}.{kind}"


def _detect(data: bytes) -> str | None:
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zipped(data)
    if data.startswith(CFB_SIGNATURE):
        return _compound(data)
    return _image(data)


def _zipped(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}

            def small(name: str) -> bytes:  # read at most 1 MB of one member: no zip bombs
                with archive.open(name) as member:
                    return member.read(1024 * 1024)

            if infos and infos[0].filename == "mimetype":
                kind = ODF.get(small("mimetype").strip())
                if kind is None or "content.xml" not in names:
                    return None
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    raise Macros
                return kind
            if "[Content_Types].xml" not in names:
                return None
            types = small("[Content_Types].xml")
            if b"macroEnabled" in types or any(name.endswith("vbaProject.bin") for name in names):
                raise Macros
            for kind, (part, content_type) in OOXML.items():
                if part in names and content_type in types:
                    return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError, EOFError):
        return None
    return None


def _compound(data: bytes) -> str | None:
    """Read the directory of a Compound File (MS-CFB) and name the document by its main stream."""
    try:
        names = _cfb_names(data)
    except (struct.error, IndexError, ValueError):
        return None
    if names & CFB_MACROS:
        raise Macros
    kinds = {CFB_MAIN[name] for name in names if name in CFB_MAIN}
    return kinds.pop() if len(kinds) == 1 else None


def _cfb_names(data: bytes) -> set[str]:
    size = 1 << struct.unpack_from("<H", data, 30)[0]
    if size not in (512, 4096):
        raise ValueError("sector size")
    fat_count, directory = struct.unpack_from("<II", data, 44)
    difat_next, difat_count = struct.unpack_from("<II", data, 68)
    sectors = len(data) // size  # a bound for every chain, so a loop cannot run forever

    def sector(n: int) -> bytes:
        start = (n + 1) * size
        if n >= sectors or start + size > len(data):
            raise ValueError("sector outside the file")
        return data[start:start + size]

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    for _step in range(min(difat_count, sectors)):
        if difat_next >= 0xFFFFFFFA:
            break
        block = struct.unpack(f"<{size // 4}I", sector(difat_next))
        fat_sectors.extend(block[:-1])
        difat_next = block[-1]
    fat = []
    for n in fat_sectors[:fat_count]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(n)))
    names, n = set(), directory
    for _step in range(sectors):
        if n >= 0xFFFFFFFA:  # end of chain
            break
        block = sector(n)
        for offset in range(0, size, 128):
            length, kind = struct.unpack_from("<H B", block, offset + 64)
            if kind in (1, 2) and 2 <= length <= 64:  # a storage or a stream
                names.add(block[offset:offset + length - 2].decode("utf-16-le"))
        n = fat[n]
    return names


def _image(data: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(IMAGES))
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image has more than 40 megapixels; attach a smaller one."), code="attachment_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return IMAGES[image.format]
