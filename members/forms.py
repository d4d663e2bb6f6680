"""Admin forms for the roster: members, officer positions and the roster import.

The member and position forms validate by running their service in a savepoint that is rolled
back, so a rule the service enforces shows up as a field error; the admin then runs it for real.
"""

import datetime

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

from branches.models import Organization
from ebranch.lib.forms import add_service_errors

from .models import Member, Position, User
from .services import member_create, member_update, position_assign, position_end, position_update
from .validators import id_birth_date, validate_id_number, validate_phone

PARTY_MIN_AGE = 18
MEMBER_FORM_FIELDS = [
    "name", "organization", "status", "joined_party_on", "full_member_on", "member_since",
    "ethnicity", "education", "university", "graduation_year", "home_township", "work_place", "employer",
]


def member_date_errors(
    *, status: str, joined_party_on, full_member_on, birth_date: datetime.date | None
) -> dict[str, str]:
    """Rules on a member's Party dates, as messages per field (the model only has bare constraints)."""
    errors = {}
    today = timezone.localdate()
    if joined_party_on and joined_party_on > today:
        errors["joined_party_on"] = _("This date is in the future.")
    elif joined_party_on and birth_date:
        try:
            adult = birth_date.replace(year=birth_date.year + PARTY_MIN_AGE)
        except ValueError:  # born on 29 February
            adult = datetime.date(birth_date.year + PARTY_MIN_AGE, 3, 1)
        if joined_party_on < adult:
            errors["joined_party_on"] = _("This is before the member's 18th birthday.")
    if status == Member.Status.FULL and not full_member_on:
        errors["full_member_on"] = _("A full member needs the date they became a full member.")
    elif status == Member.Status.PROBATIONARY and full_member_on:
        errors["full_member_on"] = _("A probationary member has no full-membership date yet.")
    elif full_member_on and full_member_on > today:
        errors["full_member_on"] = _("This date is in the future.")
    elif full_member_on and joined_party_on and full_member_on < joined_party_on:
        errors["full_member_on"] = _("This is before the date the member joined the Party.")
    return errors


class _DryRun(Exception):
    pass


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose model validation is its service's. Set `scope` and `actor` per request."""

    scope = None
    actor = None
    #: model error keys that belong to a form field
    error_fields: dict[str, str] = {}

    def service_call(self, *, actor, instance):
        raise NotImplementedError

    def save_via_service(self, *, actor):
        return self.service_call(actor=actor, instance=self.instance)

    def _post_clean(self):
        if self.errors:
            return
        instance = None
        if self.instance.pk is not None:
            instance = type(self.instance).objects.get(pk=self.instance.pk)
        try:
            with transaction.atomic():
                self.service_call(actor=self.actor, instance=instance)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            add_service_errors(self, error, self.error_fields)


class MemberAdminForm(ServiceModelForm):
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)

    error_fields = {
        "id_number_digest": "id_number", "birth_date": "id_number", "sex": "id_number",
        "phone_digest": "phone",
    }

    class Meta:
        model = Member
        fields = MEMBER_FORM_FIELDS
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "member_since" in self.fields:
            # compare with the record, not with an echo of the form's own initial value
            self.fields["member_since"].show_hidden_initial = False
        if "organization" in self.fields and self.scope is not None:
            self.fields["organization"].queryset = self.scope.managed_organizations().order_by("path")
        if "id_number" not in self.fields:
            return
        if self.instance.pk is None:
            self.fields["id_number"].required = True
            self.fields["id_number"].help_text = _("Sex and birth date are read from the ID number.")
            return
        current = {"id_number": self.instance.masked_id_number, "phone": self.instance.masked_phone}
        for name, masked in current.items():
            field = self.fields[name]
            field.widget.attrs["placeholder"] = masked
            field.widget.attrs["autocomplete"] = "off"
            if masked:
                field.help_text = _("Now %(masked)s. Leave blank to keep it.") % {"masked": masked}
            else:
                field.help_text = _("None yet. Leave blank to keep it so.")

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return validate_id_number(value) if value else ""

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return validate_phone(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        id_number = cleaned.get("id_number")
        birth_date = id_birth_date(id_number) if id_number else self.instance.birth_date
        errors = member_date_errors(
            status=cleaned.get("status"), joined_party_on=cleaned.get("joined_party_on"),
            full_member_on=cleaned.get("full_member_on"), birth_date=birth_date,
        )
        for field, message in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def _member_fields(self, *, changed_only: bool) -> dict:
        names = [name for name in MEMBER_FORM_FIELDS if name in self.cleaned_data]
        if changed_only:
            names = [name for name in names if name in self.changed_data]
        return {name: self.cleaned_data[name] for name in names}

    def service_call(self, *, actor, instance):
        id_number = self.cleaned_data.get("id_number") or None
        phone = self.cleaned_data.get("phone") or None
        if instance is None or instance.pk is None:
            return member_create(actor=actor, id_number=id_number or "", phone=phone or "",
                                 **self._member_fields(changed_only=False))
        return member_update(member=instance, actor=actor, id_number=id_number, phone=phone,
                             **self._member_fields(changed_only=True))


class PositionAdminForm(ServiceModelForm):
    """Assigning a position, or later ending it and changing its contact phone."""

    class Meta:
        model = Position
        fields = ["user", "organization", "kind", "starts_on", "ends_on", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.scope is None:
            return
        overseen = self.overseen_organizations()
        if "organization" in self.fields:
            self.fields["organization"].queryset = overseen
        if "user" in self.fields:
            users = User.objects.all()
            if not self.scope.is_superuser:
                users = users.filter(
                    Q(member__organization__in=overseen) | Q(positions__organization__in=overseen)
                ).distinct()
            self.fields["user"].queryset = users.order_by("display_name", "pk")

    def overseen_organizations(self):
        if self.scope.is_superuser:
            return Organization.objects.order_by("path")
        pks = [org.pk for org in self.scope.managed_organizations() if self.scope.can_oversee(org)]
        return Organization.objects.filter(pk__in=pks).order_by("path")

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization", self.instance.organization if self.instance.pk else None)
        kind = cleaned.get("kind", self.instance.kind)
        starts_on = cleaned.get("starts_on", self.instance.starts_on)
        ends_on = cleaned.get("ends_on")
        if self.instance.pk and self.instance.ends_on and not ends_on:
            self.add_error("ends_on", _("An ended position cannot be reopened; assign a new one."))
        elif ends_on and starts_on and ends_on < starts_on:
            self.add_error("ends_on", _("A position cannot end before it starts."))
        if kind == Position.Kind.SECRETARY and organization is not None and ends_on is None:
            open_secretary = Position.objects.filter(
                organization=organization, kind=Position.Kind.SECRETARY, ends_on__isnull=True
            ).exclude(pk=self.instance.pk)
            if open_secretary.exists():
                self.add_error(
                    "kind", _("This organization already has a secretary; end that position first.")
                )
        return cleaned

    def service_call(self, *, actor, instance):
        data = self.cleaned_data
        if instance is None or instance.pk is None:
            return position_assign(
                actor=actor, user=data["user"], organization=data["organization"], kind=data["kind"],
                starts_on=data["starts_on"], ends_on=data.get("ends_on"),
                contact_phone=data.get("contact_phone", ""),
            )
        if "contact_phone" in self.changed_data:
            instance = position_update(position=instance, actor=actor, contact_phone=data["contact_phone"])
        if "ends_on" in self.changed_data and data.get("ends_on"):
            instance = position_end(position=instance, actor=actor, ends_on=data["ends_on"])
        return instance


class RosterImportForm(ImportForm):
    """The upload step: one file, its format taken from its name, checked before any row is read."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.import_formats = list(formats)
        self.fields["format"].required = False
        self.fields["format"].widget = forms.HiddenInput()
        upload = self.fields["import_file"]
        upload.label = _("Roster file")
        upload.help_text = _("An .xlsx or .csv file of at most %(size)s MB and %(rows)s rows.") % {
            "size": round(settings.ROSTER_IMPORT_MAX_BYTES / 1024 / 1024, 1),
            "rows": settings.ROSTER_IMPORT_MAX_ROWS,
        }
        upload.widget.attrs["accept"] = ".xlsx,.csv"
        upload.widget.attrs.pop("class", None)

    def clean_import_file(self):
        from .resources import RosterFileError, not_a_spreadsheet, too_large

        upload = self.cleaned_data["import_file"]
        if upload.size > settings.ROSTER_IMPORT_MAX_BYTES:
            raise too_large()
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        extensions = [fmt().get_extension() for fmt in self.import_formats]
        if extension not in extensions:
            raise not_a_spreadsheet()
        self.format_index = extensions.index(extension)
        data = b"".join(upload.chunks())
        upload.seek(0)
        try:
            self.import_formats[self.format_index]().create_dataset(data)
        except RosterFileError as error:
            raise ValidationError(error.messages) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        if hasattr(self, "format_index"):
            cleaned["format"] = str(self.format_index)
        return cleaned


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, which says a phone number is taken, as it does for an email address.

    allauth hides a taken phone number only by sending a code to it, and phone verification is off
    here: its hidden path ended in a 500. Sign-up without verification cannot hide either."""

    def clean(self):
        cleaned = super().clean()
        if self.account_already_exists and "phone" in self.cleaned_data:
            self.account_already_exists = False
            self.add_error("phone", get_adapter().error_messages["phone_taken"])
        return cleaned
