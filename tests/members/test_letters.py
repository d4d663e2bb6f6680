"""Introduction letters as PDF (members/letters.py): stub, letter and receipt slip on one page, made once
by a task; and finding a letter by its serial and check code."""

import datetime
import io
import re

import pypdf
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from members.letters import letter_by_serial, letter_pdf_render, year_month
from members.models import IntroductionLetter
from members.transfers import transfer_approve, transfer_request

PARTS = ("Stub", "Introduction letter for a Party membership transfer", "Receipt slip")


@pytest.fixture
def letter(world) -> IntroductionLetter:
    branch = world.branch
    branch.address, branch.postcode, branch.phone = "厦门市思明区莲前西路 2 号", "361000", "0592-5550001"
    branch.save()
    transfer = transfer_request(
        member=world.member.member, actor=world.member, reason="工作调动", to_organization=world.other_branch
    )
    return transfer_approve(
        transfer=transfer, actor=world.secretary, dues_paid_up_to=datetime.date(2026, 3, 1)
    )


def pdf_text(letter) -> tuple[str, int]:
    letter.refresh_from_db()
    with letter.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def in_chinese(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def test_the_pdf_has_the_three_parts_and_every_field(letter, world):
    assert letter_pdf_render(letter.pk) is True

    text, pages = pdf_text(letter)
    flat = re.sub(r"\s", "", text)  # text extraction may see a gap where a font kerns (F J)
    assert pages == 1
    for part in PARTS:
        assert in_chinese(part) in text
    assert text.count(letter.serial) >= 3  # the three parts share the serial
    assert "张三" in text and world.member.member.id_number in text
    assert "厦门第一支部" in text and "深圳第一支部" in text
    with translation.override(settings.LANGUAGE_CODE):
        assert year_month(datetime.date(2026, 3, 1)) in text
    assert world.member.member.phone in text
    assert "0592-5550001" in text and "361000" in text and "莲前西路" in text
    assert letter.valid_until.isoformat() in text and letter.issued_on.isoformat() in text
    assert letter.check_code in flat
    assert f"/letters/verify/?serial={letter.serial}&code={letter.check_code}" in flat
    assert letter.pdf.name.startswith(f"letters/{letter.issued_on:%Y}/")


def test_unknown_dues_leave_a_line_to_fill(world):
    transfer = transfer_request(
        member=world.member.member, actor=world.member, reason="x", to_outside="中共某县委组织部",
        to_outside_address="某县某路 1 号",
    )
    letter = transfer_approve(transfer=transfer, actor=world.secretary)

    letter_pdf_render(letter.pk)

    text, _pages = pdf_text(letter)
    assert letter.dues_paid_up_to is None
    assert "中共某县委组织部" in text and "某县某路 1 号" in text
    assert year_month(None) == ""


def test_the_pdf_is_made_once_and_a_failed_render_releases_the_claim(letter, monkeypatch):
    def broken(_letter):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("members.letters.letter_pdf", broken)
    with pytest.raises(RuntimeError):
        letter_pdf_render(letter.pk)
    letter.refresh_from_db()
    assert letter.pdf_made_at is None and not letter.pdf

    monkeypatch.undo()
    assert letter_pdf_render(letter.pk) is True
    letter.refresh_from_db()
    first = (letter.pdf.name, letter.pdf_made_at)
    assert letter_pdf_render(letter.pk) is False
    letter.refresh_from_db()
    assert (letter.pdf.name, letter.pdf_made_at) == first
    assert letter.pdf.storage.exists(letter.pdf.name)


def test_the_pdf_is_private(letter, settings):
    letter_pdf_render(letter.pk)
    letter.refresh_from_db()

    assert str(settings.PRIVATE_MEDIA_ROOT) in letter.pdf.path
    assert not letter.pdf.path.startswith(str(settings.MEDIA_ROOT) + "/")


def test_a_letter_is_found_by_serial_and_check_code_only(letter):
    assert letter_by_serial(letter.serial, letter.check_code) == letter
    assert letter_by_serial(f" {letter.serial.lower()} ", letter.check_code.lower()) == letter
    assert letter_by_serial(letter.serial, "ABCDEFGHJK") is None
    assert letter_by_serial(letter.serial, "") is None
    assert letter_by_serial(letter.serial, "介绍信") is None  # any text, never an error
    assert letter_by_serial(letter.serial.replace("-0001", "-0002"), letter.check_code) is None
    assert letter_by_serial("nonsense", letter.check_code) is None
    assert letter_by_serial("", "") is None
    assert letter_by_serial(f"LY-YD-G-01-2026-{'9' * 30}", letter.check_code) is None  # no integer overflow
    # digits 0-9 only, after NFKC (which makes full-width and superscript digits plain)
    assert letter_by_serial("LY-YD-G-01-٢٠٢٦-0001", letter.check_code) is None
