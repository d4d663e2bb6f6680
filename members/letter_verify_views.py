"""The public check of an introduction letter: by its serial and check code, without any personal data."""

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .letters import letter_by_serial
from .models import IntroductionLetter

CODE_INPUT = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class LetterCheckForm(forms.Form):
    serial = forms.CharField(
        label=_("Letter number"), max_length=60,
        widget=forms.TextInput(attrs=CODE_INPUT),
        help_text=_("As printed on the letter, for example LY-YD-G-01-2026-0001."),
    )
    code = forms.CharField(
        label=_("Check code"), max_length=30,
        widget=forms.TextInput(attrs=CODE_INPUT),
    )


def _status(letter: IntroductionLetter) -> str:
    """A valid letter past its last day reads as expired even before the nightly task marks it."""
    if letter.status == IntroductionLetter.Status.VALID and letter.valid_until < timezone.localdate():
        return IntroductionLetter.Status.EXPIRED
    return letter.status


def verify(request):
    """Public, no login: for a matching letter only its number, the two organizations, its dates and
    status. A wrong code and an unknown number get the same answer."""
    form = LetterCheckForm(request.GET if request.GET else None)
    letter = status = None
    if form.is_valid():
        letter = letter_by_serial(form.cleaned_data["serial"], form.cleaned_data["code"])
        if letter is not None:
            status = _status(letter)
    context = {
        "form": form,
        "checked": form.is_bound and form.is_valid(),
        "letter": letter,
        "status": status,
        "status_label": IntroductionLetter.Status(status).label if status else "",
    }
    return render(request, "members/letter_verify.html", context)
