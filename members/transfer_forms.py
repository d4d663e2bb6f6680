"""Forms for membership transfers: the request, and the officers' and member's actions on a transfer."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization, WorkPlace
from ebranch.lib.months import month_start, this_month

from .models import IntroductionLetter
from .transfers import RECEIVING_KINDS
from .verification_forms import DateInput


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self):
        super().__init__(format="%Y-%m", attrs={"class": "input"})


class TransferRequestForm(forms.Form):
    BRANCH, OUTSIDE = "branch", "outside"
    TARGETS = [
        (BRANCH, _("A branch in the portal")),
        (OUTSIDE, _("An organization outside the portal")),
    ]

    work_place = forms.ModelChoiceField(
        label=_("New work city"), queryset=WorkPlace.objects.order_by("province", "name"), required=False,
        empty_label=_("Other or not listed"),
    )
    employer = forms.CharField(label=_("New employer"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Reason for the transfer"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: I have moved to Xiamen for work and will stay for more than six months."),
    )
    target = forms.ChoiceField(
        label=_("Transfer to"), choices=TARGETS, initial=BRANCH, widget=forms.RadioSelect,
    )
    to_organization = forms.ModelChoiceField(
        label=_("Branch"), queryset=Organization.objects.none(), required=False,
        empty_label=_("Choose a branch"),
    )
    to_outside = forms.CharField(label=_("Organization name"), max_length=100, required=False)
    to_outside_address = forms.CharField(label=_("Its address"), max_length=200, required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = (
            Organization.objects.filter(kind__in=RECEIVING_KINDS).exclude(pk=member.organization_id)
            .order_by("code")
        )

    def clean(self):
        data = super().clean()
        if data.get("target") == self.BRANCH:
            if data.get("to_organization") is None and "to_organization" not in self.errors:
                self.add_error("to_organization", _("Choose the branch you are transferring to."))
            data["to_outside"] = data["to_outside_address"] = ""
        elif data.get("target") == self.OUTSIDE:
            for field, message in (
                ("to_outside", _("Name the organization you are transferring to.")),
                ("to_outside_address", _("Give the address of the organization outside the portal.")),
            ):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, message)
            data["to_organization"] = None
        return data

    def service_arguments(self) -> dict:
        fields = ("reason", "work_place", "employer", "to_organization", "to_outside", "to_outside_address")
        return {field: self.cleaned_data[field] for field in fields}


class LetterForm(forms.Form):
    """Approve (or reissue): the letter's validity, and the dues month when no dues records are kept."""

    validity_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=IntroductionLetter.MAX_VALIDITY_DAYS,
        initial=IntroductionLetter.MAX_VALIDITY_DAYS,
        help_text=_("At most 90 days."),
    )
    dues_paid_up_to = forms.DateField(
        label=_("Dues paid up to (month)"), required=False, widget=MonthInput(),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text=_("No dues records are kept for this member in the portal: give the last month paid."),
    )

    def __init__(self, *args, ask_dues: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_dues:
            del self.fields["dues_paid_up_to"]

    def clean_dues_paid_up_to(self):
        month = self.cleaned_data["dues_paid_up_to"]
        if month is None:
            return None
        month = month_start(month)
        if month > this_month():
            raise ValidationError(_("The month cannot be in the future."))
        return month


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the member"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReceiptForm(forms.Form):
    returned_on = forms.DateField(
        label=_("Receipt slip returned on"), initial=timezone.localdate, widget=DateInput(),
    )

    def clean_returned_on(self) -> datetime.date:
        returned_on = self.cleaned_data["returned_on"]
        if returned_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return returned_on


class ConfirmForm(forms.Form):
    """An action without fields (withdraw, reissue without a dues month, accept)."""
