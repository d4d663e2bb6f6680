from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dues"
    verbose_name = _("Dues")

    def ready(self):
        from members import transfer_dues

        from .selectors import dues_standing

        transfer_dues.register(dues_standing)
