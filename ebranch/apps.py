from django.contrib.admin.apps import AdminConfig


class EbranchAdminConfig(AdminConfig):
    default_site = "ebranch.admin_site.EbranchAdminSite"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401 (registers the project's system checks)
