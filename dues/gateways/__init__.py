"""Payment gateways by name: the real ones from the `DUES_GATEWAYS` setting
({name: {"CLASS": dotted path, ...options}}), then the sandbox when `DUES_SANDBOX_ENABLED` is on.

The sandbox moves no money, so it is never a fallback: without DEBUG it is off unless enabled by name
(dues/checks.py warns then), and with no gateway at all paying online is unavailable."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Gateway, NotificationInvalid

SANDBOX = "sandbox"
SANDBOX_CLASS = "dues.gateways.sandbox.SandboxGateway"

__all__ = [
    "Gateway", "NotificationInvalid", "gateway_get", "gateway_names", "gateway_default", "sandbox_enabled",
]


def sandbox_enabled() -> bool:
    return bool(getattr(settings, "DUES_SANDBOX_ENABLED", False))


def is_sandbox(name: str, options) -> bool:
    return name == SANDBOX or (isinstance(options, dict) and options.get("CLASS") == SANDBOX_CLASS)


def _config() -> dict:
    configured = getattr(settings, "DUES_GATEWAYS", None) or {}
    config = {name: options for name, options in configured.items() if not is_sandbox(name, options)}
    if sandbox_enabled():
        config[SANDBOX] = {"CLASS": SANDBOX_CLASS}
    return config


def gateway_names() -> list[str]:
    return list(_config())


def gateway_default() -> str | None:
    """The first gateway configured; None when paying online is unavailable."""
    names = gateway_names()
    return names[0] if names else None


def gateway_get(name: str) -> Gateway:
    """The gateway configured under `name`; KeyError when there is none."""
    options = dict(_config()[name])
    cls = import_string(options.pop("CLASS"))
    gateway = cls(**options)
    gateway.name = name
    return gateway
