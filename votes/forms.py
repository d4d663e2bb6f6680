"""Forms of the ballot pages: the officers' ballot form, the voter's paper and the re-authentication."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetings.forms import DATETIME_FORMAT, DateTimeInput

from . import services
from .models import Ballot, Option
from .tally import option_key

Kind = Ballot.Kind
MARK_CHOICES = [("for", _("for")), ("against", _("against")), ("abstain", _("abstain"))]
WRITE_IN_MAX_LENGTH = 100


class BallotForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "input"})
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "input"})
    )
    opens_at = forms.DateTimeField(
        label=_("Voting opens at"), widget=DateTimeInput(), help_text=_("Beijing time (Asia/Shanghai).")
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes at"), widget=DateTimeInput(), help_text=_("Beijing time (Asia/Shanghai).")
    )
    options = forms.CharField(
        label=_("Candidates or choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "input"}),
        help_text=_("One candidate (election) or choice (poll) per line. A resolution has none: "
                    "members vote for, against or abstain."),
    )
    seats = forms.IntegerField(
        label=_("Seats"), required=False, min_value=1, max_value=50,
        widget=forms.NumberInput(attrs={"class": "input", "inputmode": "numeric"}),
        help_text=_("Elections only: how many are elected."),
    )
    extra_candidates_percent = forms.IntegerField(
        label=_("At least this many percent more candidates than seats"), initial=20, min_value=0,
        max_value=200, widget=forms.NumberInput(attrs={"class": "input", "inputmode": "numeric"}),
        help_text=_("Elections only."),
    )
    max_choices = forms.IntegerField(
        label=_("Most options a voter may choose"), initial=1, min_value=1, max_value=50,
        widget=forms.NumberInput(attrs={"class": "input", "inputmode": "numeric"}),
        help_text=_("Polls only: 1 for a single choice."),
    )

    def __init__(self, *args, ballot: Ballot | None = None, **kwargs):
        if ballot is not None:
            kwargs.setdefault("initial", {
                "kind": ballot.kind, "title": ballot.title, "description": ballot.description,
                "opens_at": ballot.opens_at, "closes_at": ballot.closes_at, "seats": ballot.seats,
                "extra_candidates_percent": ballot.extra_candidates_percent,
                "max_choices": ballot.max_choices,
                "options": "\n".join(o.label for o in ballot.options.all()),
            })
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        if ballot is not None:  # the kind of a ballot is chosen once
            del self.fields["kind"]
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]

    @property
    def kind_value(self) -> str:
        return self.ballot.kind if self.ballot is not None else self.cleaned_data.get("kind")

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("Voting must close after it opens."))
        if self.kind_value == Kind.ELECTION and not data.get("seats") and "seats" not in self.errors:
            self.add_error("seats", _("An election needs at least one seat."))
        return data

    def service_fields(self) -> dict:
        """Keyword arguments for `ballot_create` / `ballot_update`."""
        data = self.cleaned_data
        kind = self.kind_value
        fields = {
            "title": data["title"],
            "description": data.get("description") or "",
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "seats": data.get("seats") if kind == Kind.ELECTION else None,
            "extra_candidates_percent": (
                data.get("extra_candidates_percent")
                if data.get("extra_candidates_percent") is not None else 20
            ),
            "max_choices": (data.get("max_choices") or 1) if kind == Kind.POLL else 1,
            "options": [line.strip() for line in (data.get("options") or "").splitlines() if line.strip()],
        }
        if self.ballot is None:
            fields["kind"] = kind
        return fields


class PaperForm(forms.Form):
    """The voter's paper. `paper_data()` gives the choices in the format of `services.paper_content`
    (option keys `o<id>`); `clean()` checks them with that very function before anyone re-authenticates,
    so a mark left out does not use up a one-time code."""

    def __init__(self, *args, ballot: Ballot, options: list[Option], **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot, self.options = ballot, options
        self.candidates = []
        if ballot.kind == Kind.RESOLUTION:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Your vote"), choices=MARK_CHOICES, widget=forms.RadioSelect,
                error_messages={"required": _("Choose for, against or abstain.")},
            )
        elif ballot.kind == Kind.ELECTION:
            for option in options:
                name = f"mark-{option_key(option.pk)}"
                self.fields[name] = forms.ChoiceField(
                    label=option.label, choices=MARK_CHOICES, widget=forms.RadioSelect,
                    error_messages={"required": _("Mark this candidate: for, against or abstain.")},
                )
                self.candidates.append(name)
            for n in range(1, (ballot.seats or 0) + 1):
                self.fields[f"write_in_{n}"] = forms.CharField(
                    label=_("Another person"), required=False, max_length=WRITE_IN_MAX_LENGTH,
                    widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
                )
        else:
            choices = [(option_key(o.pk), o.label) for o in options]
            if ballot.max_choices > 1:
                self.fields["choices"] = forms.MultipleChoiceField(
                    label=_("Your choices"), choices=choices, widget=forms.CheckboxSelectMultiple,
                    error_messages={"required": _("Choose at least one of the options.")},
                )
            else:
                self.fields["choices"] = forms.ChoiceField(
                    label=_("Your choice"), choices=choices, widget=forms.RadioSelect,
                    error_messages={"required": _("Choose one of the options.")},
                )

    @property
    def candidate_fields(self):
        return [self[name] for name in self.candidates]

    @property
    def write_in_fields(self):
        return [self[name] for name in self.fields if name.startswith("write_in_")]

    def paper_data(self) -> dict:
        data = self.cleaned_data
        if self.ballot.kind == Kind.RESOLUTION:
            return {"choice": data["choice"]}
        if self.ballot.kind == Kind.POLL:
            chosen = data["choices"]
            return {"choices": list(chosen) if isinstance(chosen, list) else [chosen]}
        marks = {name.removeprefix("mark-"): data[name] for name in self.candidates}
        write_ins = [data[name].strip() for name in self.fields if name.startswith("write_in_")]
        return {"marks": marks, "write_ins": [name for name in write_ins if name]}

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.paper_content(self.ballot, self.options, self.paper_data())
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return data


class ReauthForm(forms.Form):
    """Who is casting: the account's password, or a code from the authenticator app."""

    password = forms.CharField(
        label=_("Your password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"class": "input", "autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Or a code from your authenticator app"), required=False, max_length=12,
        widget=forms.TextInput(attrs={
            "class": "input", "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*",
        }),
    )

    def __init__(self, *args, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("code"):
            raise ValidationError(
                _("Confirm it is you: type your password or a code from your authenticator app.")
                if "code" in self.fields else _("Confirm it is you: type your password.")
            )
        return data
