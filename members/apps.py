from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Members and officers")

    def ready(self):
        from . import audit, security  # noqa: F401 (audit log registrations, signal receivers)
