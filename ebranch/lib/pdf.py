"""HTML templates to PDF with WeasyPrint. Fonts come from @font-face rules pointing at local files."""

import threading

from django.conf import settings
from django.template.loader import render_to_string

_local = threading.local()


def font_config():
    """One FontConfiguration per thread, kept: loading the @font-face fonts costs about a second."""
    if not hasattr(_local, "font_config"):
        from weasyprint.text.fonts import FontConfiguration

        _local.font_config = FontConfiguration()
    return _local.font_config


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # base_url lets templates refer to static files (fonts) by relative path.
    base_url = str(settings.BASE_DIR / "static") + "/"
    return HTML(string=html, base_url=base_url).write_pdf(font_config=font_config())


def render_to_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
