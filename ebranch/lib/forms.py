"""Form fields shared by the apps."""

import unicodedata

from django import forms


class DecimalField(forms.DecimalField):
    """An amount may be typed in full width on a Chinese keyboard (１２．５０): NFKC makes it 12.50. Django's
    own field takes full-width digits but refuses the full-width point."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
        return super().to_python(value)
