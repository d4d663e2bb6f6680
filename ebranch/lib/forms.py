"""Form fields shared by the apps."""

import unicodedata
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


class DecimalField(forms.DecimalField):
    """An amount may be typed in full width on a Chinese keyboard (１２．５０): NFKC makes it 12.50. Django's
    own field takes full-width digits but refuses the full-width point."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
        return super().to_python(value)


def add_service_errors(
    form: forms.Form, error: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: per field where the form has it, else above the form.
    `fields` names the form field of an error key that differs (the model's `phone_digest`: `phone`)."""
    for key, messages in error.update_error_dict({}).items():
        key = (fields or {}).get(key, key)
        form.add_error(key if key in form.fields else None, messages)
