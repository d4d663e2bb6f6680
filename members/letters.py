"""Introduction letters as PDF (stub, letter and receipt slip on one page), made once by a Celery task,
and the public check of a letter by its serial and check code."""

import datetime
import hmac
import logging
import unicodedata
from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ebranch.lib.pdf import render_to_pdf

from .models import IntroductionLetter

TEMPLATE = "members/pdf/introduction_letter.html"
logger = logging.getLogger(__name__)


def verify_url(letter: IntroductionLetter) -> str:
    """The public check page, filled in with the letter's serial and check code."""
    query = urlencode({"serial": letter.serial, "code": letter.check_code})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('letters:verify')}?{query}"


def year_month(day: datetime.date | None) -> str:
    """2026-03 (in Chinese 2026年03月); empty when unknown."""
    if day is None:
        return ""
    return _("%(year)s-%(month)s") % {"year": day.year, "month": f"{day.month:02d}"}


def letter_context(letter: IntroductionLetter) -> dict:
    return {
        "letter": letter,
        "id_number": letter.id_number,
        "phone": letter.phone,
        "dues_paid_up_to": year_month(letter.dues_paid_up_to),
        "verify_url": verify_url(letter),
    }


def letter_pdf(letter: IntroductionLetter) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_pdf(TEMPLATE, letter_context(letter))


@shared_task
def letter_pdf_render(letter_id: int) -> bool:
    """Make the letter's PDF; return whether one was made. Claimed with a conditional update on
    `pdf_made_at`, so a repeated or concurrent run makes nothing; a failed render releases the claim."""
    now = timezone.now()
    if not IntroductionLetter.objects.filter(pk=letter_id, pdf_made_at__isnull=True).update(pdf_made_at=now):
        return False
    try:
        letter = IntroductionLetter.objects.select_related("organization").get(pk=letter_id)
        letter.pdf.save(f"{letter.serial}.pdf", ContentFile(letter_pdf(letter)), save=False)
        IntroductionLetter.objects.filter(pk=letter_id).update(pdf=letter.pdf.name)
    except Exception:
        IntroductionLetter.objects.filter(pk=letter_id, pdf_made_at=now).update(pdf_made_at=None)
        raise
    return True


def _digits(text: str, shortest: int, longest: int) -> bool:
    """Plain digits 0-9 of a sensible length: nothing a database integer cannot hold."""
    return shortest <= len(text) <= longest and text.isascii() and text.isdigit()


def letter_pdf_enqueue(letter_id: int) -> None:
    """Ask Celery for the PDF (after the letter is committed). A broker failure is logged, never raised:
    the download makes a missing PDF on demand."""
    try:
        letter_pdf_render.delay(letter_id)
    except Exception:
        logger.exception("Could not enqueue the PDF of introduction letter %s", letter_id)


def letter_by_serial(serial: str, check_code: str) -> IntroductionLetter | None:
    """The letter with this serial (ORG-CODE-YEAR-NUMBER) if the check code matches, else None. Both may
    be typed in full width (ＬＹ－２０２６…): NFKC makes them plain."""
    serial, check_code = (unicodedata.normalize("NFKC", text or "") for text in (serial, check_code))
    code, _sep, rest = serial.strip().upper().rpartition("-")
    org_code, _sep, year = code.rpartition("-")
    if not (org_code and _digits(year, 4, 4) and _digits(rest, 1, 9)):
        return None
    letter = (
        IntroductionLetter.objects.select_related("organization")
        .filter(organization__code__iexact=org_code, year=int(year), number=int(rest))
        .first()
    )
    given = (check_code or "").strip().upper().encode()  # bytes: any text compares, never raises
    if letter is None or not hmac.compare_digest(letter.check_code.encode(), given):
        return None
    return letter
