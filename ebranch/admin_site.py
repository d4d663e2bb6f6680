"""The officers' admin: who may enter, and what each screen shows, come from `request.scope`."""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


class EbranchAdminSite(admin.AdminSite):
    """Entry is decided by the scope, not `is_staff`: officers and superusers get in.

    An account without an officer position gets a 404 on every admin URL, so the admin's existence
    does not tell them anything; anonymous visitors are sent to the portal's login page.
    """

    site_header = _("ebranch administration")
    site_title = _("ebranch administration")
    index_title = _("Roster and organizations")
    site_url = "/"
    enable_nav_sidebar = False  # officers have a handful of screens; the width goes to the roster

    def has_permission(self, request):
        return request.user.is_active and request.scope.is_officer

    def register(self, model_or_iterable, admin_class=None, **options):
        """Screens that do not follow the scope (Django's groups, allauth's addresses) are for superusers."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ScopedAdminMixin):
            admin_class = superusers_only(admin_class)
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, inner)

    def login(self, request, extra_context=None):
        """Officers sign in through the portal's login page (phone or email), not the admin's form."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = index
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise Http404
            return HttpResponseRedirect(next_url)
        return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))


class ScopedAdminMixin:
    """A ModelAdmin whose rows and permissions come from `request.scope`, not Django permissions.

    Subclasses define `scoped_queryset(request)` and the object rules `can_view`/`can_change`;
    an object outside the scope, or one the user may not view, is a 404 in every view, never a
    redirect or a 403.
    """

    show_full_result_count = False  # one COUNT per list page, not two

    def scoped_queryset(self, request):
        raise NotImplementedError

    def get_queryset(self, request):
        qs = self.scoped_queryset(request)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_object(self, request, object_id, from_field=None):
        """The object, or a 404 when it is missing or the user may not see it: the same answer for
        both, so that ids cannot be probed (Django would say 403 for one and redirect for the other)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    # Rules, with obj=None meaning "any object of this kind".

    def can_view(self, request, obj) -> bool:
        return True  # the queryset already holds only what the user may read

    def can_add(self, request) -> bool:
        return False

    def can_change(self, request, obj) -> bool:
        return False

    def can_delete(self, request, obj) -> bool:
        return self.can_change(request, obj)

    def has_module_permission(self, request):
        return request.scope.is_officer

    def has_view_permission(self, request, obj=None):
        return request.scope.is_officer and self.can_view(request, obj)

    def has_add_permission(self, request):
        return request.scope.is_officer and self.can_add(request)

    def has_change_permission(self, request, obj=None):
        return request.scope.is_officer and self.can_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.scope.is_officer and self.can_delete(request, obj)


def superusers_only(admin_class):
    """A ModelAdmin shown to superusers alone; officers' menus do not ask Django's permission tables."""

    class SuperusersOnly(admin_class):
        def has_module_permission(self, request):
            return request.scope.is_superuser

        def has_view_permission(self, request, obj=None):
            return request.scope.is_superuser

        def has_add_permission(self, request, *args):
            return request.scope.is_superuser

        def has_change_permission(self, request, obj=None):
            return request.scope.is_superuser

        def has_delete_permission(self, request, obj=None):
            return request.scope.is_superuser

    SuperusersOnly.__name__ = SuperusersOnly.__qualname__ = admin_class.__name__
    return SuperusersOnly
