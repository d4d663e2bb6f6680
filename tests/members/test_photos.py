"""ID-card photos: only real JPEG, PNG or WebP images within the limits, stored without metadata."""

import io
import struct
import zlib
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from members import photos
from members.photos import PrivateStorage, photo_clean
from tests import factories


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG of huge dimensions that is tiny on disk: 1-bit grey, rows of zeros compressed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def code_of(content: bytes, name="photo.jpg") -> str:
    with pytest.raises(ValidationError) as error:
        photo_clean(upload(content, name))
    return error.value.code


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_header_only(20_000, 20_000)


def jpeg_bytes(**kwargs) -> bytes:
    return factories.id_photo(**kwargs).read()


# Accepted


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_and_stored_as_jpeg(format):
    clean = photo_clean(factories.id_photo(format=format, size=(120, 80)))
    image = Image.open(io.BytesIO(clean.read()))
    assert image.format == "JPEG" and image.size == (120, 80)


def test_gps_and_other_metadata_are_stripped():
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (24.0, 30.0, 0.0), 3: "E", 4: (116.0, 44.0, 0.0)})
    original = factories.id_photo(exif=exif)
    assert Image.open(io.BytesIO(original.read())).getexif().get_ifd(0x8825)  # the upload has GPS
    stored = Image.open(io.BytesIO(photo_clean(original).read()))
    assert not stored.getexif()
    assert "exif" not in stored.info and "icc_profile" not in stored.info


def test_a_sideways_photo_is_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    stored = Image.open(io.BytesIO(photo_clean(factories.id_photo(size=(120, 80), exif=exif)).read()))
    assert stored.size == (80, 120)


# Refused


def test_a_text_file_renamed_jpg_is_refused():
    assert code_of(b"This is not a photo, just text.\n" * 20) == "photo_format"


def test_a_truncated_jpeg_is_refused():
    whole = jpeg_bytes(size=(400, 300), color="#336699")
    assert code_of(whole[: len(whole) // 2]) == "photo_format"


def test_a_png_bomb_is_refused_before_decoding(bomb):
    assert len(bomb) < 200_000  # 400 megapixels in a small file
    with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")) as load:
        assert code_of(bomb, "card.png") == "photo_pixels"
    load.assert_not_called()


def test_an_image_over_40_megapixels_is_refused_before_decoding():
    # 7,000 × 7,000 is below Pillow's own bomb limit but above ours.
    content = png_header_only(7_000, 7_000)
    with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")) as load:
        assert code_of(content, "card.png") == "photo_pixels"
    load.assert_not_called()


def test_an_svg_is_refused():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    assert code_of(svg, "card.svg") == "photo_format"


def test_a_pdf_is_refused():
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    assert code_of(pdf, "card.pdf") == "photo_format"


def test_a_gif_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    assert code_of(out.getvalue(), "card.gif") == "photo_format"


def test_a_file_over_8_mb_is_refused_unopened():
    content = jpeg_bytes()
    content += b"\0" * (photos.MAX_BYTES + 1 - len(content))
    with mock.patch.object(Image, "open", side_effect=AssertionError("opened")) as image_open:
        assert code_of(content) == "photo_size"
    image_open.assert_not_called()


def test_a_file_of_exactly_8_mb_is_not_refused_for_its_size():
    # padding after the JPEG's end marker: a valid image of exactly the limit
    content = jpeg_bytes()
    content += b"\0" * (photos.MAX_BYTES - len(content))
    assert len(content) == photos.MAX_BYTES
    assert photo_clean(upload(content)).size > 0


# Storage


def test_private_storage_has_no_url_and_follows_the_setting(settings, tmp_path):
    storage = PrivateStorage()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "elsewhere"
    assert storage.location == str(tmp_path / "elsewhere")
    with pytest.raises(ValueError):
        storage.url("id-photos/1/x.jpg")
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.MEDIA_ROOT))


def test_a_truncated_jpeg_is_refused_even_after_weasyprint_was_imported():
    # WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES when imported; our PDF module undoes it.
    from ebranch.lib import pdf

    pdf.font_config()
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "#d8c8a8").save(out, format="JPEG")
    with pytest.raises(ValidationError):
        photo_clean(upload(out.getvalue()[:-200]))
