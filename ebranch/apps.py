from django.contrib.admin.apps import AdminConfig


class EbranchAdminConfig(AdminConfig):
    default_site = "ebranch.admin_site.EbranchAdminSite"
