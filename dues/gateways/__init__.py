"""Payment gateways by name, from the `DUES_GATEWAYS` setting: {name: {"CLASS": dotted path, ...options}}."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Gateway, NotificationInvalid

DEFAULT_GATEWAYS = {"sandbox": {"CLASS": "dues.gateways.sandbox.SandboxGateway"}}

__all__ = ["Gateway", "NotificationInvalid", "gateway_get", "gateway_names", "gateway_default"]


def _config() -> dict:
    return getattr(settings, "DUES_GATEWAYS", None) or DEFAULT_GATEWAYS


def gateway_names() -> list[str]:
    return list(_config())


def gateway_default() -> str:
    return gateway_names()[0]


def gateway_get(name: str) -> Gateway:
    """The gateway configured under `name`; KeyError when there is none."""
    options = dict(_config()[name])
    cls = import_string(options.pop("CLASS"))
    gateway = cls(**options)
    gateway.name = name
    return gateway
