"""Officer screens for the roster, officer positions and accounts; every row and right from the scope."""

import tablib
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm
from import_export.tmp_storages import CacheStorage

from ebranch.admin_site import ScopedAdminMixin

from .forms import MemberAdminForm, PositionAdminForm, RosterImportForm
from .models import Member, PersonalDataAccess, Position, User
from .resources import (
    REQUIRED_COLUMNS,
    ROSTER_COLUMNS,
    ROSTER_FORMATS,
    MemberResource,
    RosterFileError,
    RosterXLSX,
    import_error_messages,
)

MAX_ERROR_MESSAGES = 200


class OrganizationInScopeFilter(admin.RelatedFieldListFilter):
    """Offers only the organizations whose roster the user reads."""

    def field_choices(self, field, request, model_admin):
        return [(org.pk, str(org)) for org in request.scope.roster_organizations().order_by("path")]

    def has_output(self):
        return super().has_output() or bool(self.lookup_val)  # a filter in the URL always applies


class RosterUploadStorage(CacheStorage):
    """An uploaded roster waits for confirmation in the cache, an hour at most, never on disk."""

    CACHE_LIFETIME = 3600
    CACHE_PREFIX = "roster-import-"


def copy_saved(source, target) -> None:
    """Make the admin's unsaved object the one a service saved, for its log entry and redirect."""
    if source is target:
        return
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


class AuditHistoryMixin:
    """The history page also lists the audit log's entries (old → new, personal fields masked).

    The page itself checks the scope (404 outside it) before the entries are read.
    """

    object_history_template = "admin/audit_history.html"
    audit_history_limit = 100

    def history_view(self, request, object_id, extra_context=None):
        entries = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model), object_pk=str(object_id)
            )
            .select_related("actor", "content_type")
            .order_by("-timestamp", "-pk")[: self.audit_history_limit]
        )
        return super().history_view(request, object_id, {**(extra_context or {}), "audit_entries": entries})


class ServiceFormAdminMixin:
    """Builds the form per request (it needs the scope) and saves through the form's service."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"scope": request.scope, "actor": request.user})

    def save_model(self, request, obj, form, change):
        copy_saved(form.save_via_service(actor=request.user), obj)


@admin.register(Member)
class MemberAdmin(
    AuditHistoryMixin, ScopedAdminMixin, ServiceFormAdminMixin, ImportExportMixin, admin.ModelAdmin
):
    form = MemberAdminForm
    list_display = (
        "name", "organization_name", "status", "id_number_masked", "phone_masked", "work_place",
        "home_township",
    )
    list_select_related = ("organization", "work_place", "home_township")
    list_filter = ("status", ("organization", OrganizationInScopeFilter))
    search_fields = ("name",)  # never numbers: a search lands in access logs and browser history
    search_help_text = _("Search by name.")
    list_per_page = 50
    ordering = ("name", "pk")
    readonly_fields = ("id_number_masked", "phone_masked", "sex", "birth_date", "account")

    resource_classes = [MemberResource]
    import_formats = ROSTER_FORMATS
    export_formats = ROSTER_FORMATS
    import_form_class = RosterImportForm
    export_form_class = ExportForm
    import_template_name = "admin/members/member/import.html"
    tmp_storage_class = RosterUploadStorage
    to_encoding = "utf-8-sig"  # so that Excel opens the CSV as UTF-8

    # Scope

    def scoped_queryset(self, request):
        return request.scope.members().select_related("organization", "work_place", "home_township")

    def can_add(self, request):
        scope = request.scope
        return scope.is_superuser or bool(scope.managed_paths)

    def can_change(self, request, obj):
        return self.can_add(request) if obj is None else request.scope.can_manage(obj.organization)

    def can_delete(self, request, obj):
        scope = request.scope
        return scope.is_overseer if obj is None else scope.can_oversee(obj.organization)

    # Lists

    def get_list_display(self, request):
        """A secretary's roster is one branch: the organization column would repeat it on every row."""
        scope = request.scope
        one_branch = not scope.is_superuser and len(scope.roster_paths) == 1 and all(
            p.organization.numchild == 0 for p in scope.positions
        )
        display = super().get_list_display(request)
        return tuple(name for name in display if name != "organization_name") if one_branch else display

    @admin.display(description=_("organization"), ordering="organization__path")
    def organization_name(self, obj):
        return obj.organization.display_name

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("Mobile number"))
    def phone_masked(self, obj):
        return obj.masked_phone

    @admin.display(description=_("account"))
    def account(self, obj):
        return str(obj.user) if obj.user_id else _("not signed up yet")

    # Forms

    def get_fieldsets(self, request, obj=None):
        editable = obj is None or self.has_change_permission(request, obj)
        identity = ("id_number", "phone") if editable else ("id_number_masked", "phone_masked")
        fieldsets = [
            (None, {"fields": (
                "name", *identity, "organization", "status", "joined_party_on", "full_member_on",
                "member_since",
            )}),
            (_("Background"), {"fields": (
                "ethnicity", "education", "university", "graduation_year", "home_township", "work_place",
                "employer",
            )}),
        ]
        if obj is not None:
            derived = ("sex", "birth_date", "account")
            fieldsets.append((_("From the ID number and the account"), {"fields": derived}))
        return fieldsets

    # Import and export

    def has_import_permission(self, request):
        return request.scope.is_officer and self.can_add(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"scope": request.scope}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"scope": request.scope}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True  # all or nothing, at the confirm step too
        return kwargs

    def get_export_filename(self, request, queryset, file_format):
        return f"roster-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_urls(self):
        template = path(
            "import/template/", self.admin_site.admin_view(self.template_view), name="members_member_template"
        )
        return [template, *super().get_urls()]

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is not None:
            result = context.get("result")
            if result is not None and (result.has_errors() or result.has_validation_errors()):
                context["import_errors"] = self.capped(import_error_messages(result))
            context["roster_columns"] = [
                (label, key in REQUIRED_COLUMNS) for key, label in ROSTER_COLUMNS.items()
            ]
        return response

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except RosterFileError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("admin:members_member_import"))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The roster changed between preview and confirmation; the import was rolled back.
            messages.error(request, _("Nothing was imported. Correct these rows and upload the file again."))
            for line in self.capped(import_error_messages(result)):
                messages.error(request, line)
            return HttpResponseRedirect(reverse("admin:members_member_import"))
        return super().process_result(result, request)

    @staticmethod
    def capped(lines: list[str]) -> list[str]:
        if len(lines) <= MAX_ERROR_MESSAGES:
            return lines
        more = len(lines) - MAX_ERROR_MESSAGES
        tail = ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more)
        return [*lines[:MAX_ERROR_MESSAGES], tail % {"count": more}]

    def add_success_message(self, result, request):
        count = len(result.valid_rows())
        message = ngettext("Imported %(count)s member.", "Imported %(count)s members.", count)
        messages.success(request, message % {"count": count})

    def template_view(self, request):
        """An empty roster file with the headings in the user's language."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        file_format = RosterXLSX()
        dataset = tablib.Dataset(headers=[str(label) for label in ROSTER_COLUMNS.values()])
        response = HttpResponse(file_format.export_data(dataset), content_type=file_format.get_content_type())
        response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
        return response


class PositionActiveFilter(admin.SimpleListFilter):
    title = _("held now")
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        active = Position.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Position)
class PositionAdmin(AuditHistoryMixin, ScopedAdminMixin, ServiceFormAdminMixin, admin.ModelAdmin):
    form = PositionAdminForm
    list_display = ("user", "kind", "organization", "starts_on", "ends_on", "contact_phone")
    list_select_related = ("user", "organization")
    list_filter = (PositionActiveFilter, "kind", ("organization", OrganizationInScopeFilter))
    search_fields = ("user__display_name", "organization__name")
    ordering = ("organization__path", "kind", "starts_on")
    fields = ("user", "organization", "kind", "starts_on", "ends_on", "contact_phone")

    def scoped_queryset(self, request):
        return request.scope.positions_visible().select_related("user", "organization")

    def can_add(self, request):
        return request.scope.is_overseer

    def can_change(self, request, obj):
        scope = request.scope
        return scope.is_overseer if obj is None else scope.can_oversee(obj.organization)

    def can_delete(self, request, obj):
        return request.scope.is_superuser  # positions are history: end them instead

    def get_readonly_fields(self, request, obj=None):
        return ("user", "organization", "kind", "starts_on") if obj is not None else ()


@admin.register(User)
class UserAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Accounts, for superusers to look up; they change through sign-up and the portal."""

    list_display = ("__str__", "email", "phone_masked", "is_active", "is_superuser", "last_login")
    search_fields = ("display_name", "email")
    fields = ("display_name", "email", "phone_masked", "is_active", "is_staff", "is_superuser",
              "last_login", "date_joined")
    readonly_fields = fields

    def scoped_queryset(self, request):
        return User.objects.all()

    def has_module_permission(self, request):
        return request.scope.is_superuser

    def can_view(self, request, obj):
        return request.scope.is_superuser

    @admin.display(description=_("Mobile number"))
    def phone_masked(self, obj):
        return obj.masked_phone



@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Who saw whose full ID or phone number, and why: read only, for overseers of the member's branch."""

    list_display = ("accessed_at", "officer", "member", "member_organization", "field", "reason")
    list_select_related = ("officer", "member__organization")
    list_filter = ("field",)
    search_fields = ("member__name", "officer__display_name")
    ordering = ("-accessed_at", "-pk")
    fields = ("accessed_at", "officer", "member", "member_organization", "field", "reason")
    readonly_fields = fields

    def scoped_queryset(self, request):
        scope = request.scope
        accesses = PersonalDataAccess.objects.select_related("officer", "member__organization")
        if scope.is_superuser:
            return accesses
        subtree = Q(pk__in=[])
        for p in scope.positions:
            if p.kind in Position.OVERSIGHT_KINDS:
                subtree |= Q(member__organization__path__startswith=p.organization.path)
        return accesses.filter(subtree)

    def has_module_permission(self, request):
        return request.scope.is_overseer

    def can_view(self, request, obj):
        return request.scope.is_overseer

    @admin.display(description=_("organization"), ordering="member__organization__path")
    def member_organization(self, obj):
        return obj.member.organization.display_name
