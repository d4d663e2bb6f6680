from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import User, digest_phone
from .sms import sms_send
from .validators import validate_phone


class ChinaPhoneField(PhoneField):
    """An 11-digit mainland mobile number, with or without +86."""

    def __init__(self, **kwargs):
        kwargs["validators"] = []
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "13800000000", "inputmode": "numeric"})


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        """Without phone verification, the phone stage only turned away accounts that have no phone."""
        stages = super().get_login_stages()
        if not app_settings.PHONE_VERIFICATION_ENABLED:
            stages.remove("allauth.account.stages.PhoneVerificationStage")
        return stages

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth counts failed sign-ins per email or username; without this, every sign-in by phone
        would share one counter (five failures anywhere would lock out all phone sign-ins). The number
        is hashed so that it does not sit in the cache."""
        phone = credentials.get("phone")
        if phone:
            return f"phone:{digest_phone(phone)}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def phone_form_field(self, **kwargs):
        return ChinaPhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        try:
            return validate_phone(phone)
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from None

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        sms_send(phone=phone, message=_("Your ebranch verification code is %(code)s.") % {"code": code})

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.set_phone(phone)
        user.save(update_fields=["phone_encrypted", "phone_digest"])

    def get_phone(self, user):
        phone = user.phone
        return (phone, True) if phone else None

    def set_phone_verified(self, user, phone: str) -> None:
        pass

    def get_user_by_phone(self, phone: str):
        digest = digest_phone(phone)
        return User.objects.filter(phone_digest=digest).first() if digest else None
