import datetime
import io
from decimal import Decimal

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dues.models import Bill, Payment
from dues.receipts import masked_name, months_text, receipt_generate

_numbers = iter(range(1, 10**6))


def payment_make(member, *, amount="75.00", voluntary="0", months=(1, 2, 3), year=2026, **fields):
    n = next(_numbers)
    payment = Payment.objects.create(
        member=member, organization=member.organization, amount=Decimal(amount),
        voluntary_amount=Decimal(voluntary), method=fields.pop("method", Payment.Method.ONLINE),
        paid_at=fields.pop("paid_at", timezone.make_aware(datetime.datetime(year, 4, 2, 10))),
        receipt_number=f"R{year}{n:06d}", receipt_check=f"check{n:06d}x", **fields,
    )
    share = (Decimal(amount) - Decimal(voluntary)) / max(len(months), 1)
    for month in months:
        Bill.objects.create(
            member=member, organization=member.organization, period=datetime.date(year, month, 1),
            amount=share, status=Bill.Status.PAID, payment=payment,
        )
    return payment


def pdf_text(payment) -> str:
    payment.refresh_from_db()
    with payment.receipt_file.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def member(world):
    return world.member.member


def test_receipt_shows_organization_masked_id_amounts_and_number(member):
    payment = payment_make(member, amount="120.00", voluntary="20.00", months=(1, 2, 3, 5))

    assert receipt_generate(payment.pk) is True

    text = pdf_text(payment)
    assert "厦门第一支部" in text
    assert member.masked_id_number in text
    assert member.id_number not in text
    assert "¥120.00" in text
    assert "壹佰贰拾元整" in text
    assert payment.receipt_number in text
    assert "2026-01–2026-03, 2026-05" in text
    assert "¥20.00" in text  # the voluntary part, shown on its own
    assert f"/receipts/verify/{payment.receipt_number}/{payment.receipt_check}/" in text.replace("\n", "")


def test_a_rare_character_in_a_name_falls_back_to_the_system_font(member):
    member.name = "刘䶮"  # U+4DAE, outside the committed subset
    member.save(update_fields=["name"])
    payment = payment_make(member)

    receipt_generate(payment.pk)

    assert "刘䶮" in pdf_text(payment)


def test_generation_is_claimed_once_and_regenerated_only_when_asked(member):
    payment = payment_make(member)

    assert receipt_generate(payment.pk) is True
    payment.refresh_from_db()
    first_name, first_at = payment.receipt_file.name, payment.receipt_generated_at

    assert receipt_generate(payment.pk) is False
    payment.refresh_from_db()
    assert (payment.receipt_file.name, payment.receipt_generated_at) == (first_name, first_at)

    assert receipt_generate(payment.pk, regenerate=True) is True
    payment.refresh_from_db()
    assert payment.receipt_generated_at > first_at
    assert payment.receipt_file.storage.exists(payment.receipt_file.name)


def test_a_failed_render_releases_the_claim(member, monkeypatch):
    payment = payment_make(member)

    def broken(_payment):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("dues.receipts.receipt_pdf", broken)
    with pytest.raises(RuntimeError):
        receipt_generate(payment.pk)

    payment.refresh_from_db()
    assert payment.receipt_generated_at is None and not payment.receipt_file


def test_regenerate_command_by_organization_and_year(world, member, capsys):
    mine = payment_make(member)
    other = payment_make(world.other_member.member, months=(1,))
    old = payment_make(member, year=2025, months=(12,))

    call_command("receipts_regenerate", organization=world.branch.code, year=2026)

    assert "Receipts made: 1; failed: 0." in capsys.readouterr().out
    assert [p.receipt_file.name != "" for p in Payment.objects.filter(pk__in=[mine.pk, other.pk, old.pk])
            .order_by("pk")] == [True, False, False]


def test_verification_page_confirms_without_personal_data(client, member):
    payment = payment_make(member, amount="75.00")
    url = reverse("receipts:verify", args=[payment.receipt_number, payment.receipt_check])

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert payment.receipt_number in page and "厦门第一支部" in page and "¥75.00" in page
    assert "张*" in page and "张三" not in page
    assert member.masked_id_number not in page and member.id_number not in page
    assert member.phone not in page


def test_verification_page_refuses_a_forged_check(client, member):
    payment = payment_make(member)

    forged = client.get(reverse("receipts:verify", args=[payment.receipt_number, "check999999x"]))
    unknown = client.get(reverse("receipts:verify", args=["R2099000001", payment.receipt_check]))

    assert forged.status_code == unknown.status_code == 404


@pytest.mark.parametrize("check", ["检验码", "ｃｈｅｃｋ"])
def test_verification_page_refuses_a_check_in_other_characters(client, member, check):
    payment = payment_make(member)
    response = client.get(reverse("receipts:verify", args=[payment.receipt_number, check]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member", 200), ("secretary", 200), ("county_officer", 200),
        ("other_member", 404), ("other_secretary", 404), ("liaison", 404),
    ],
)
def test_download_is_scoped(client, world, member, persona, status):
    payment = payment_make(member)
    client.force_login(world.personas[persona])

    response = client.get(reverse("receipts:download", args=[payment.pk]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_needs_login(client, member):
    payment = payment_make(member)

    response = client.get(reverse("receipts:download", args=[payment.pk]))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_months_and_masked_name():
    d = datetime.date
    assert months_text([d(2026, 3, 1), d(2026, 1, 1), d(2026, 2, 1), d(2025, 12, 1), d(2026, 6, 1)]) == (
        "2025-12–2026-03, 2026-06"
    )
    assert masked_name("刘德华") == "刘**" and masked_name("刘") == "刘*"


def test_verification_page_queries(client, member, django_assert_num_queries):
    payment = payment_make(member)
    url = reverse("receipts:verify", args=[payment.receipt_number, payment.receipt_check])

    # 1. the payment with its organization and member, 2. its bills
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


def test_regenerate_command_missing_only_makes_the_absent_ones(member, capsys):
    done = payment_make(member, months=(1,))
    receipt_generate(done.pk)
    done.refresh_from_db()
    absent = payment_make(member, months=(2,))

    call_command("receipts_regenerate", missing=True)

    assert "Receipts made: 1; failed: 0." in capsys.readouterr().out
    absent.refresh_from_db()
    assert absent.receipt_file
    assert Payment.objects.get(pk=done.pk).receipt_generated_at == done.receipt_generated_at
