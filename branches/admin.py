"""Officer screens for the organization tree and the places it serves.

Who may do what to an organization:
- whoever oversees its parent (county staff, general-branch officers): everything, including moving
  it in the tree and creating organizations under the nodes they oversee;
- whoever oversees the organization itself: its short name, contact details and the places it takes;
- its committee (secretary, deputy, committee member): its contact details only;
- liaison officers: read only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from ebranch.admin_site import ScopedAdminMixin

from .models import Organization, Township, WorkPlace

IDENTITY_FIELDS = ("name", "kind", "code")
SETTINGS_FIELDS = ("short_name", "work_places", "home_townships")
CONTACT_FIELDS = ("address", "postcode", "phone", "email")
TREE_FIELDS = ("treebeard_position", "treebeard_ref_node")


def overseen_pks(scope) -> set[int]:
    return {org.pk for org in scope.managed_organizations() if scope.can_oversee(org)}


class OrganizationMoveForm(movenodeform_factory(Organization)):
    """Treebeard's form, offering as reference only nodes the user oversees."""

    scope = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.scope is None or self.scope.is_superuser:
            return
        ref = self.fields["treebeard_ref_node"]
        ref.queryset = ref.queryset.filter(pk__in=overseen_pks(self.scope))
        ref.required = True
        ref.empty_label = None

    def clean(self):
        cleaned = super().clean()
        ref = cleaned.get("treebeard_ref_node")
        if ref is not None and cleaned.get("treebeard_position") == "sorted-sibling":
            parent = Organization.objects.get_parent(ref)
            allowed = self.scope is None or self.scope.is_superuser
            if not allowed and (parent is None or not self.scope.can_oversee(parent)):
                message = _("You may only place organizations under ones you oversee.")
                self.add_error("treebeard_ref_node", message)
        return cleaned


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, TreeAdmin):
    form = OrganizationMoveForm
    list_display = ("name", "code", "kind", "phone")
    search_fields = ("name", "short_name", "code")
    list_filter = ("kind",)
    filter_horizontal = ("work_places", "home_townships")

    def scoped_queryset(self, request):
        return request.scope.roster_organizations()

    def get_queryset(self, request):
        """One level of the tree at a time, as TreeAdmin does, starting from the user's top nodes."""
        scoped = self.scoped_queryset(request)
        whole = getattr(request, "_ignore_treebeard_filters", False)
        if whole or not hasattr(request, "_treebeard_parent_id"):
            return scoped
        request._treebeard_parent = None
        if self.is_filtered(request):
            return scoped
        parent_id = request._treebeard_parent_id
        if parent_id:
            parent = get_object_or_404(scoped, pk=parent_id)
            request._treebeard_parent = parent
            return scoped.filter(depth=parent.depth + 1, path__startswith=parent.path)
        if request.scope.is_superuser:
            return scoped.filter(depth=1)
        paths = request.scope.roster_paths
        tops = [path for path in paths if not any(p != path and path.startswith(p) for p in paths)]
        return scoped.filter(path__in=tops)

    # Rules

    def placeable(self, request, obj) -> bool:
        """May the user decide where `obj` sits in the tree (and its name, code and kind)?"""
        scope = request.scope
        if scope.is_superuser:
            return True
        parent = Organization.objects.get_parent(obj)
        return parent is not None and scope.can_oversee(parent)

    def can_add(self, request):
        return request.scope.is_overseer

    def can_change(self, request, obj):
        scope = request.scope
        if obj is None:
            return scope.is_superuser or bool(scope.managed_paths)
        return scope.can_manage(obj)

    def can_delete(self, request, obj):
        return request.scope.is_overseer if obj is None else self.placeable(request, obj)

    # Forms

    def level(self, request, obj) -> str:
        if obj is None or self.placeable(request, obj):
            return "tree"
        if request.scope.can_oversee(obj):
            return "settings"
        return "contact"

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": (*IDENTITY_FIELDS, "short_name")}),
            (_("Contact details"), {"fields": CONTACT_FIELDS}),
            (_("Members it takes"), {"fields": ("work_places", "home_townships")}),
        ]
        if obj is None or (self.has_change_permission(request, obj) and self.level(request, obj) == "tree"):
            fieldsets.append((_("Place in the tree"), {"fields": TREE_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        level = self.level(request, obj)
        if level == "settings":
            return IDENTITY_FIELDS
        if level == "contact":
            return (*IDENTITY_FIELDS, *SETTINGS_FIELDS)
        return ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self.level(request, obj) != "tree":
            kwargs["form"] = forms.ModelForm
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"scope": request.scope})

    def move_node(self, request):
        """Drag and drop in the tree: both ends must be within what the user oversees."""
        scoped = self.scoped_queryset(request)
        node = scoped.filter(pk=request.POST.get("node") or None).first()
        target = scoped.filter(pk=request.POST.get("target") or None).first()
        if node is None or target is None:
            raise Http404
        scope = request.scope
        child = request.POST.get("relation") == "child"
        new_parent = target if child else Organization.objects.get_parent(target)
        if not scope.is_superuser and not (
            self.placeable(request, node) and new_parent is not None and scope.can_oversee(new_parent)
        ):
            raise PermissionDenied
        return super().move_node(request)


class OverseersOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Reference data that only county staff and general-branch officers see and change."""

    def scoped_queryset(self, request):
        return self.model.objects.all()

    def has_module_permission(self, request):
        return request.scope.is_overseer

    def can_view(self, request, obj):
        return request.scope.is_overseer

    def can_add(self, request):
        return request.scope.is_overseer

    def can_change(self, request, obj):
        return request.scope.is_overseer


@admin.register(Township)
class TownshipAdmin(OverseersOnlyAdmin):
    list_display = ("name", "code", "neighbour_names")
    search_fields = ("name", "code")
    filter_horizontal = ("neighbours",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("neighbours")

    @admin.display(description=_("neighbours"))
    def neighbour_names(self, obj):
        return ", ".join(t.name for t in obj.neighbours.all())


@admin.register(WorkPlace)
class WorkPlaceAdmin(OverseersOnlyAdmin):
    list_display = ("name", "province")
    list_filter = ("province",)
    search_fields = ("name", "province")

