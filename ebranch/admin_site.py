from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class EbranchAdminSite(admin.AdminSite):
    """The officers' admin. Whether a user may enter is decided by the scope, not `is_staff`."""

    site_header = _("ebranch administration")
    site_title = _("ebranch administration")
    index_title = _("Roster and organizations")

    def has_permission(self, request):
        return request.user.is_active and request.scope.is_officer
