"""System checks of the payment gateways (registered in apps.py)."""

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from .gateways import is_sandbox


def gateways_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Each entry of DUES_GATEWAYS names an importable class; the sandbox is not one of them."""
    errors = []
    for name, options in (getattr(settings, "DUES_GATEWAYS", None) or {}).items():
        if is_sandbox(name, options):
            errors.append(checks.Error(
                f"DUES_GATEWAYS lists the sandbox ({name!r}); it is ignored there.",
                hint="The sandbox moves no money; it is switched on only by DUES_SANDBOX_ENABLED.",
                id="dues.E001",
            ))
            continue
        try:
            import_string(options["CLASS"])
        except (TypeError, KeyError, ImportError):
            errors.append(checks.Error(
                f"DUES_GATEWAYS[{name!r}] needs a \"CLASS\": the dotted path of a Gateway subclass.",
                id="dues.E002",
            ))
    return errors


def sandbox_deploy_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "DUES_SANDBOX_ENABLED", False) and not settings.DEBUG:
        return [checks.Warning(
            "DUES_SANDBOX_ENABLED is on without DEBUG: members can pay dues at the sandbox's cashier, "
            "which marks bills paid and issues receipts while no money moves.",
            hint="Unset DUES_SANDBOX_ENABLED in production; configure a real gateway in DUES_GATEWAYS.",
            id="dues.W001",
        )]
    return []
