"""Forms for real-name verification: the member's claim, and the officers' decisions."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization, Township, WorkPlace

from .forms import member_date_errors
from .models import Member
from .photos import photo_clean
from .validators import id_birth_date, validate_id_number
from .verification import ConflictDecision

PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class PhotoInput(forms.FileInput):
    """An image input: phones offer the camera or the gallery (`capture` is not set, so not forced)."""

    def __init__(self):
        super().__init__(attrs={"accept": PHOTO_TYPES})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class ClaimForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"), max_length=50,
        help_text=_("As on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("ID number"), max_length=20,
        help_text=_("18 characters, as on your ID card. A final x may be lower case."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    work_place = forms.ModelChoiceField(
        label=_("Work city"), queryset=WorkPlace.objects.order_by("province", "name"), required=False,
        empty_label=_("Other or not listed"),
        help_text=_("With your home township, this decides which branch reviews your claim."),
    )
    home_township = forms.ModelChoiceField(
        label=_("Home township"), queryset=Township.objects.order_by("code"), required=False,
        empty_label=_("Other or not listed"),
    )
    front_photo = forms.FileField(
        label=_("ID card, front (photo side)"), required=False, widget=PhotoInput()
    )
    back_photo = forms.FileField(
        label=_("ID card, back (national emblem side)"), required=False, widget=PhotoInput()
    )

    def __init__(self, *args, claim=None, **kwargs):
        """With `claim`, the form answers a request for more information: fields start from the claim,
        and a blank ID number or photo keeps the one sent before."""
        self.claim = claim
        if claim is not None:
            kwargs.setdefault("initial", {
                "name": claim.name, "work_place": claim.work_place_id,
                "home_township": claim.home_township_id,
            })
        super().__init__(*args, **kwargs)
        if claim is not None:
            field = self.fields["id_number"]
            field.required = False
            field.widget.attrs["placeholder"] = claim.masked_id_number
            field.help_text = _("Now %(masked)s. Leave blank to keep it.") % {
                "masked": claim.masked_id_number
            }
            for name in ("front_photo", "back_photo"):
                self.fields[name].help_text = _("Leave empty to keep the photo you sent.")

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value and self.claim is not None:
            return self.claim.id_number
        return validate_id_number(value)

    def _clean_photo(self, name):
        upload = self.cleaned_data.get(name)
        return photo_clean(upload) if upload else None

    def clean_front_photo(self):
        return self._clean_photo("front_photo")

    def clean_back_photo(self):
        return self._clean_photo("back_photo")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the member"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApproveLinkForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Roster entry"), queryset=Member.objects.none(), widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the roster entries shown.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates
        self.fields["member"].label_from_instance = lambda m: m.name


class ApproveCreateForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Branch"), queryset=Organization.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=Member.Status.choices)
    joined_party_on = forms.DateField(label=_("Joined the Party on"), widget=DateInput())
    full_member_on = forms.DateField(label=_("Became a full member on"), required=False, widget=DateInput())
    member_since = forms.DateField(
        label=_("Member of this branch since"), initial=timezone.localdate, widget=DateInput()
    )

    def __init__(self, *args, claim, organizations, **kwargs):
        self.claim = claim
        kwargs.setdefault("initial", {"organization": claim.organization_id})
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean(self):
        cleaned = super().clean()
        errors = member_date_errors(
            status=cleaned.get("status"), joined_party_on=cleaned.get("joined_party_on"),
            full_member_on=cleaned.get("full_member_on"), birth_date=id_birth_date(self.claim.id_number),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class ConflictForm(ReasonForm):
    DECISIONS = [
        (ConflictDecision.REJECT, _("Reject this claim; the account holding the record keeps it")),
        (ConflictDecision.MOVE, _("Move the member record to this account; the other account loses it")),
        (ConflictDecision.REVIEW, _("Send to the branch for review (only when no account holds the record)")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    field_order = ["decision", "reason"]
