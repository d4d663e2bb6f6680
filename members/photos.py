"""ID-card photos: accepted only as real JPEG, PNG or WebP images within size limits, then
re-encoded without metadata (EXIF, GPS, ICC comments) before anything is stored."""

import io
import os
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def photo_clean(upload) -> ContentFile:
    """Validate an uploaded photo and return a clean JPEG; raise ValidationError for the user."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The photo is larger than 8 MB; please send a smaller one."), code="photo_size"
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(ALLOWED_FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo has more than 40 megapixels; please send a smaller one."),
                    code="photo_pixels",
                )
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The photo has more than 40 megapixels; please send a smaller one."), code="photo_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not a readable JPEG, PNG or WebP photo."), code="photo_format"
        ) from None
    upright = ImageOps.exif_transpose(image).convert("RGB")
    clean = Image.frombytes("RGB", upright.size, upright.tobytes())  # pixels only, no metadata
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=88, optimize=True)
    return ContentFile(out.getvalue(), name="photo.jpg")


class PrivateStorage(FileSystemStorage):
    """Files with personal data, kept under PRIVATE_MEDIA_ROOT and never given a URL: a view that
    checks the scope serves them. The root is read at each use, so tests can point it elsewhere."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks the scope.")
