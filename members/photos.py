"""ID-card photos: accepted only as real JPEG, PNG or WebP images within size limits, then
re-encoded without metadata (EXIF, GPS, ICC comments) before anything is stored."""

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
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
