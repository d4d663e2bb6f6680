from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "votes"
    verbose_name = _("Ballots")
