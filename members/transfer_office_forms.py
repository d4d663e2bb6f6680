"""Forms for the officers' transfer pages: a member arriving from outside the portal, activity cards."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization, Township, WorkPlace
from ebranch.lib.months import months_later

from .forms import member_date_errors
from .models import ActivityCard, Member
from .validators import id_birth_date, validate_id_number, validate_phone
from .verification_forms import DateInput

#: the member's details passed on to `transfer_register_incoming`
INCOMING_MEMBER_FIELDS = (
    "name", "phone", "ethnicity", "status", "joined_party_on", "full_member_on", "education", "university",
    "graduation_year", "home_township", "work_place", "employer",
)


class IncomingForm(forms.Form):
    """An introduction letter received from an organization outside the portal."""

    from_outside = forms.CharField(
        label=_("Organization that issued the letter"), max_length=100,
        help_text=_("As printed on the letter."),
    )
    letter_number = forms.CharField(label=_("Number of the letter"), max_length=50)
    received_on = forms.DateField(label=_("Date received"), widget=DateInput())
    id_number = forms.CharField(
        label=_("ID number"), max_length=20,
        help_text=_("Sex and birth date are read from the ID number."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(
        label=_("Full name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, initial="汉族")
    status = forms.ChoiceField(label=_("Status"), choices=Member.Status.choices)
    joined_party_on = forms.DateField(label=_("Joined the Party on"), widget=DateInput())
    full_member_on = forms.DateField(label=_("Became a full member on"), required=False, widget=DateInput())
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Member.Education.choices], required=False
    )
    university = forms.CharField(label=_("University"), max_length=100, required=False)
    graduation_year = forms.IntegerField(
        label=_("Graduation year"), min_value=1950, max_value=2100, required=False
    )
    home_township = forms.ModelChoiceField(
        label=_("Home township"), queryset=Township.objects.order_by("code"), required=False,
        empty_label=_("Other or not listed"),
    )
    work_place = forms.ModelChoiceField(
        label=_("Work city"), queryset=WorkPlace.objects.order_by("province", "name"), required=False,
        empty_label=_("Other or not listed"),
    )
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return validate_phone(value) if value else ""

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        id_number = cleaned.get("id_number")
        errors = member_date_errors(
            status=cleaned.get("status"), joined_party_on=cleaned.get("joined_party_on"),
            full_member_on=cleaned.get("full_member_on"),
            birth_date=id_birth_date(id_number) if id_number else None,
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            name: data[name] for name in ("from_outside", "letter_number", "received_on", "id_number")
        }
        arguments.update({name: data[name] for name in INCOMING_MEMBER_FIELDS})
        arguments["ethnicity"] = arguments["ethnicity"].strip()
        return arguments


class ActivityCardForm(forms.Form):
    host_organization = forms.ModelChoiceField(
        label=_("Host branch"), queryset=Organization.objects.none(),
        help_text=_("The branch whose meetings the member will attend."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends on"), widget=DateInput(),
        help_text=_("At most 6 months after the start; for longer, transfer the membership."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=200,
        help_text=_("For example: working in another city until the end of the season."),
    )

    def __init__(self, *args, member: Member, today: datetime.date | None = None, **kwargs):
        today = today or timezone.localdate()
        kwargs.setdefault(
            "initial", {"starts_on": today, "ends_on": months_later(today, ActivityCard.MAX_MONTHS)}
        )
        super().__init__(*args, **kwargs)
        self.fields["host_organization"].queryset = (
            Organization.objects.filter(kind=Organization.Kind.BRANCH)
            .exclude(pk=member.organization_id)
            .order_by("path")
        )
