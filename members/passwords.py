"""Password rules (AUTH_PASSWORD_VALIDATORS) beyond Django's own."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, with its message in this project's catalogue: Django 5.2 reworded the message
    and its Chinese translation has not caught up, so members would read it in English."""

    def get_error_message(self):
        return (
            ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                self.min_length,
            )
            % self.min_length
        )
