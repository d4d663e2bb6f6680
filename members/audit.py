"""The audit log (django-auditlog): which models are logged, and how personal fields are masked.

Every change to members, positions, organizations, accounts and verification decisions is logged
with who, when and old → new. Keyed hashes (`*_digest`) are left out; encrypted fields are
decrypted and masked, so an entry reads `350822********1234 → 350822********5678`, never the
ciphertext or the full value. The actor comes from auditlog's middleware during a request;
management commands and tasks log without one. Imported by `MembersConfig.ready`.
"""

from auditlog.registry import auditlog
from cryptography.fernet import InvalidToken
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from ebranch.lib import crypto
from ebranch.lib.masking import mask_id_number, mask_phone

from .models import Member, Position, User, VerificationClaim

ID_NUMBER_LENGTH = 18
HIDDEN = "********"


def mask_encrypted(value: str) -> str:
    """auditlog's `mask_callable`: a stored token in, the masked ID number or phone number out."""
    if value in ("", "None"):  # empty, or no value yet (a record being created)
        return value
    try:
        plain = crypto.decrypt(value)
    except InvalidToken:
        return HIDDEN
    return mask_id_number(plain) if len(plain) == ID_NUMBER_LENGTH else mask_phone(plain)


MASK_CALLABLE = f"{__name__}.mask_encrypted"
PERSONAL_LABELS = {"id_number_encrypted": _("ID number"), "phone_encrypted": _("mobile number")}

auditlog.register(
    Member,
    exclude_fields=["id_number_digest", "phone_digest", "created_at", "updated_at"],
    mask_fields=["id_number_encrypted", "phone_encrypted"],
    mask_callable=MASK_CALLABLE,
    mapping_fields=PERSONAL_LABELS,
)
auditlog.register(Position)
auditlog.register(
    Organization,
    exclude_fields=["path", "depth", "numchild"],
    m2m_fields={"work_places", "home_townships"},
)
# Accounts: whether they may sign in and how they are known; never password hashes or last_login.
auditlog.register(User, include_fields=["is_active", "email", "display_name"])
auditlog.register(
    VerificationClaim,
    exclude_fields=["id_number_digest", "front_photo", "back_photo"],
    mask_fields=["id_number_encrypted"],
    mask_callable=MASK_CALLABLE,
    mapping_fields=PERSONAL_LABELS,
)
