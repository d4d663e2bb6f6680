"""The page where an officer who manages a member's organization sees their full ID or phone number.

A GET shows only the form. The value is shown once, in the response to the POST that records the
access, never on a page that could be reloaded or cached.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from .models import PersonalDataAccess
from .reveal import personal_data_reveal


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Show"), choices=PersonalDataAccess.Field.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, strip=True,
        help_text=_("Why you need the full number, e.g. to register the member for an exam."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


@never_cache
@login_required
def member_reveal(request, pk):
    member = request.scope.managed_members().select_related("organization").filter(pk=pk).first()
    if member is None:
        raise Http404
    form = RevealForm(request.POST or None)
    context = {"member": member, "form": form, "revealed_label": None, "value": None}
    if request.method == "POST" and form.is_valid():
        field = form.cleaned_data["field"]
        context["value"] = personal_data_reveal(
            actor=request.user, member=member, field=field, reason=form.cleaned_data["reason"]
        )
        context["revealed_label"] = PersonalDataAccess.Field(field).label
        context["form"] = RevealForm()
    return render(request, "members/reveal.html", context)
