from django import forms
from django.core.exceptions import ValidationError

from ebranch.lib.forms import add_service_errors


class PhoneForm(forms.Form):
    name = forms.CharField(required=False)
    phone = forms.CharField(required=False)


def bound() -> PhoneForm:
    form = PhoneForm(data={"name": "张三", "phone": "139"})
    assert form.is_valid()
    return form


def test_service_errors_go_to_their_field_or_above_the_form():
    form = bound()
    add_service_errors(form, ValidationError({"name": "Too short.", "birth_date": "Not a date."}))
    assert form.errors == {"name": ["Too short."], "__all__": ["Not a date."]}
    assert "name" not in form.cleaned_data


def test_a_plain_service_error_goes_above_the_form():
    form = bound()
    add_service_errors(form, ValidationError(["First.", "Second."]))
    assert form.non_field_errors() == ["First.", "Second."] and not form.is_valid()


def test_error_keys_can_name_another_field():
    form = bound()
    add_service_errors(form, ValidationError({"phone_digest": "Taken."}), {"phone_digest": "phone"})
    assert form.errors == {"phone": ["Taken."]}
