"""Factories for tests: organizations, accounts, members, positions and ID-card photos."""

import datetime
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from branches.models import Organization
from branches.services import organization_create
from members.models import Member, Position, User
from members.services import member_create, position_assign
from members.validators import id_number_build

TEST_PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, as an authenticator app would hold it
_seq = itertools.count(1)


def organization(*, parent=None, kind=Organization.Kind.BRANCH, name=None, **fields) -> Organization:
    n = next(_seq)
    return organization_create(
        parent=parent, name=name or f"Organization {n}", kind=kind, code=fields.pop("code", f"ORG{n:05d}"),
        **fields,
    )


def user(*, name="", email=None, phone="", password=TEST_PASSWORD) -> User:
    n = next(_seq)
    if email is None and not phone:
        email = f"user{n}@example.com"
    return User.objects.create_user(email, password, phone=phone, display_name=name or f"User {n}")


def id_number(n: int | None = None, *, sex: str = "male", birth_date=datetime.date(1990, 5, 17)) -> str:
    n = next(_seq) if n is None else n
    birth = birth_date + datetime.timedelta(days=n // 400)
    return id_number_build(area_code="350822", birth_date=birth, sequence=n % 400, sex=sex)


def full_width(text: str) -> str:
    """As typed on a Chinese keyboard in full-width mode: ASCII letters, digits and signs as their full-width
    forms (1 → １, X → Ｘ, + → ＋), a space as the ideographic space."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def member(*, organization, user=None, status=Member.Status.FULL, name=None, phone=None, **fields) -> Member:
    n = next(_seq)
    defaults = {
        "joined_party_on": datetime.date(2015, 6, 1),
        "full_member_on": datetime.date(2016, 6, 1) if status == Member.Status.FULL else None,
        "member_since": datetime.date(2020, 1, 1),
    }
    defaults.update(fields)
    return member_create(
        actor=None, organization=organization, user=user, status=status, name=name or f"党员{n}",
        id_number=fields.pop("id_number", None) or id_number(n), phone=phone or f"139{n:08d}",
        **{k: v for k, v in defaults.items() if k != "id_number"},
    )


def position(*, user, organization, kind=Position.Kind.SECRETARY, **fields) -> Position:
    fields.setdefault("starts_on", datetime.date(2020, 1, 1))
    return position_assign(actor=None, user=user, organization=organization, kind=kind, **fields)


def totp(user, *, secret=TOTP_SECRET):
    """An active authenticator app (allauth.mfa), as officers who manage members must have."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


def totp_code(secret=TOTP_SECRET) -> str:
    """The code the authenticator app shows now."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def id_photo(*, format="JPEG", size=(96, 60), color="#d8c8a8", name=None, exif=None) -> SimpleUploadedFile:
    """A small uploaded image, as a phone would send it."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=format, **({"exif": exif} if exif is not None else {}))
    extension = {"JPEG": "jpg"}.get(format, format.lower())
    return SimpleUploadedFile(name or f"photo.{extension}", out.getvalue(), content_type=f"image/{extension}")
