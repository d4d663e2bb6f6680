"""HTML templates to PDF with WeasyPrint. Fonts come from @font-face rules pointing at local files."""

import threading

from django.conf import settings
from django.template.loader import render_to_string

_local = threading.local()


def _weasyprint():
    import weasyprint
    from PIL import ImageFile

    # Importing WeasyPrint makes Pillow accept truncated images process-wide; the ID-photo check
    # relies on Pillow refusing them, and receipts embed only images we make ourselves.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def font_config():
    """One FontConfiguration per thread, kept: loading the @font-face fonts costs about a second."""
    if not hasattr(_local, "font_config"):
        _weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        _local.font_config = FontConfiguration()
    return _local.font_config


def html_to_pdf(html: str) -> bytes:
    HTML = _weasyprint().HTML
    # base_url lets templates refer to static files (fonts) by relative path.
    base_url = str(settings.BASE_DIR / "static") + "/"
    return HTML(string=html, base_url=base_url).write_pdf(font_config=font_config())


def render_to_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))


# The libraries WeasyPrint tries for HarfBuzz's font subsetter (weasyprint/text/ffi.py); without one,
# or with HarfBuzz older than 4.1.0, it subsets every font with fontTools (weasyprint/pdf/fonts.py),
# up to 65 times slower for the CJK fallback font. Probed with ctypes: importing WeasyPrint takes seconds.
HARFBUZZ = (
    "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib",
    "libharfbuzz-0.dll",
)
HARFBUZZ_SUBSET = tuple(name.replace("harfbuzz", "harfbuzz-subset") for name in HARFBUZZ)


def _load(names: tuple[str, ...]):
    import ctypes
    import ctypes.util

    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            pass
    for name in names:
        path = ctypes.util.find_library(name)
        if path:
            try:
                return ctypes.CDLL(path)
            except OSError:
                pass
    return None


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz, as it decides it."""
    harfbuzz = _load(HARFBUZZ)
    if harfbuzz is None or _load(HARFBUZZ_SUBSET) is None:
        return False
    return bool(harfbuzz.hb_version_atleast(4, 1, 0))
