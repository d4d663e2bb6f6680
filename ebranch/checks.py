"""System checks of the project's own (`manage.py check`), registered in ebranch/apps.py."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning

from ebranch.lib import pdf


@register()
def pdf_font_subsetting(app_configs, **kwargs):
    """Without HarfBuzz's subsetter WeasyPrint falls back to fontTools for every PDF, up to 65 times
    slower for the CJK font used for rare characters in names."""
    if pdf.harfbuzz_subset_available():
        return []
    kind, id_ = (CheckWarning, "ebranch.W001") if settings.DEBUG else (Error, "ebranch.E001")
    return [
        kind(
            "WeasyPrint cannot subset fonts with HarfBuzz (libharfbuzz-subset 4.1.0 or newer): every PDF "
            "would fall back to fontTools, many times slower.",
            hint="Install the system package libharfbuzz-subset0 (bin/demo does, as root).",
            id=id_,
        )
    ]
