from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .attachments import ACCEPT
from .models import Attendance, Meeting

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """A phone's date-and-time picker. The value is read in Asia/Shanghai, whatever the browser's zone."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, attrs={"class": "input"}, **kwargs)


class MeetingForm(forms.ModelForm):
    invited_organizations = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Also invite (joint meeting)"),
    )
    video_url = forms.URLField(
        label=_("Video link"), required=False, assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "input"}),
    )

    class Meta:
        model = Meeting
        fields = [
            "organization", "kind", "title", "agenda", "starts_at", "ends_at", "mode", "video_url",
            "chat_group", "address",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "starts_at": _("Beijing time (Asia/Shanghai)."),
            "ends_at": _("Beijing time (Asia/Shanghai)."),
        }

    def __init__(self, *args, organizations, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["invited_organizations"].queryset = organizations
        if len(organizations) == 1:
            # one branch: nothing to choose, no joint meeting to offer
            self.fields["organization"].initial = organizations[0].pk
            del self.fields["invited_organizations"]
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        if editing:
            del self.fields["organization"]
        if editing and "invited_organizations" in self.fields:
            organizer = self.instance.organization_id
            self.initial["invited_organizations"] = [
                org for org in self.instance.invited_organizations.all() if org.pk != organizer
            ]

    def _post_clean(self):
        # the service validates and saves; ModelForm's own instance validation is not used here
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("chat_group", "video_url", "address", "agenda"):
            data[name] = data.get(name) or ""
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class ReplyForm(forms.Form):
    reply = forms.ChoiceField(
        choices=Attendance.Reply.choices, widget=forms.RadioSelect, label=_("Your reply")
    )
    leave_reason = forms.CharField(label=_("Reason for leave"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reply") == Attendance.Reply.LEAVE and not (data.get("leave_reason") or "").strip():
            raise ValidationError({"leave_reason": _("Give a reason for your leave.")})
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Meeting code"), max_length=6, min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class CorrectionForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("1", _("present")), ("0", _("absent"))], coerce=lambda v: v == "1", label=_("Attendance")
    )
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 12}), required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, Word, Excel, PowerPoint or OpenDocument without macros, or a JPEG, PNG or WebP "
                    "image; up to 15 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
