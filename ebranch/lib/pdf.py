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
