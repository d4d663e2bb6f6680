from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import EmailDelivery


class EmailDeliveryForm(forms.Form):
    email_delivery = forms.ChoiceField(
        label=_("Email me notifications"), choices=EmailDelivery.choices, widget=forms.RadioSelect
    )
