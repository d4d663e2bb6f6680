from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ebranch.lib.forms import DecimalField

from .models import Category

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class DeclareForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    declared_base = DecimalField(
        label=_("Monthly base (yuan)"), required=False, **MONEY,
        help_text=_("Employed: wage after tax and social insurance. Retired: pension."),
    )
    fixed_amount = DecimalField(
        label=_("Farmers: monthly dues (0.20–1.00 yuan)"), required=False, **MONEY,
    )

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if category in (Category.EMPLOYED, Category.RETIRED) and data.get("declared_base") is None:
            self.add_error("declared_base", _("Give your monthly base."))
        if data.get("declared_base") is None:
            data["declared_base"] = Decimal("0")
        if category != Category.FARMER:
            data["fixed_amount"] = None
        return data


class ApproveForm(forms.Form):
    base = DecimalField(label=_("Approved base"), required=False, **MONEY)


class ChangeForm(forms.Form):
    new_amount = DecimalField(label=_("New monthly dues"), **MONEY)
    from_month = forms.DateField(
        label=_("From month"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RefundSettleForm(forms.Form):
    # Emptiness is the service's to refuse, with its own message.
    note = forms.CharField(label=_("How the money was returned"), max_length=200, required=False)
