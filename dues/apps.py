from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dues"
    verbose_name = _("Dues")

    def ready(self):
        from django.core import checks

        from members import transfer_dues

        from .checks import gateways_check, sandbox_deploy_check
        from .selectors import dues_standing

        transfer_dues.register(dues_standing)
        checks.register(gateways_check)
        checks.register(sandbox_deploy_check, checks.Tags.security, deploy=True)
