from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ebranch.lib.months import month_add, this_month
from tests import factories
from tests.dues.test_reports import bill

THIS = this_month()
LAST = month_add(THIS, -1)


@pytest.fixture
def month(world):
    a = factories.member(organization=world.branch, name="欠费甲")
    b = factories.member(organization=world.branch, name="按时乙")
    bill(a, THIS, "15.00")
    bill(a, LAST, "15.00")
    bill(b, THIS, "30.00", paid=True)
    bill(factories.member(organization=world.other_branch), THIS, "10.00", paid=True)
    return a, b


def more_branches(world, n):
    for i in range(n):
        branch = factories.organization(parent=world.general_branch, name=f"新支部{i}", code=f"LY-YD-G-2{i}")
        for j in range(3):
            bill(factories.member(organization=branch), THIS, "5.00", paid=j == 0)


def test_branch_page(en, world, month, django_assert_num_queries):
    en.force_login(world.liaison)
    url = reverse("dues_reports:branch", args=[world.branch.pk])
    # user, positions, organization, the month's sums, arrears, failed refunds, refunds returned by hand,
    # unread notifications, member (nav)
    with django_assert_num_queries(9):
        page = en.get(url)
    assert page.status_code == 200
    text = page.text
    assert "¥45.00" in text and "¥30.00" in text and "66.7%" in text
    assert "欠费甲" in text and "按时乙" not in text
    assert "1 member with unpaid dues" in text
    for persona in (world.other_secretary, world.member):
        en.force_login(persona)
        assert en.get(url).status_code == 404


def test_branch_page_queries_do_not_grow_with_members(en, world, month, django_assert_num_queries):
    for _i in range(10):
        bill(factories.member(organization=world.branch), THIS, "1.00")
    en.force_login(world.liaison)
    with django_assert_num_queries(9):
        page = en.get(reverse("dues_reports:branch", args=[world.branch.pk]))
    assert "11 members with unpaid dues" in page.text


def test_branch_page_month_choice(en, world, month):
    en.force_login(world.liaison)
    url = reverse("dues_reports:branch", args=[world.branch.pk])
    page = en.get(url, {"month": f"{LAST:%Y-%m}"})
    assert "¥15.00" in page.text and "0.0%" in page.text
    assert en.get(url, {"month": "1999-01"}).context["period"] == THIS  # outside the list: this month
    assert en.get(url, {"month": "nonsense"}).context["period"] == THIS



def test_branch_page_lists_the_refunds_that_failed(en, world, month, django_assert_num_queries):
    from dues.models import PaymentOrder

    second = factories.member(organization=world.branch, name="退款乙")
    for n, member in enumerate((world.member.member, second)):
        PaymentOrder.objects.create(
            member=member, gateway="sandbox", out_trade_no=f"REFUND{n}", gateway_trade_no=f"SBX{n}",
            amount=Decimal("15.00"), status=PaymentOrder.Status.REFUND_FAILED,
            refund_error="" if n else "refund refused",
        )
    PaymentOrder.objects.create(member=world.other_member.member, gateway="sandbox", out_trade_no="ELSEWHERE",
                                amount=Decimal("15.00"), status=PaymentOrder.Status.REFUND_FAILED)
    PaymentOrder.objects.create(member=world.member.member, gateway="sandbox", out_trade_no="DONE",
                                amount=Decimal("15.00"), status=PaymentOrder.Status.REFUNDED)
    en.force_login(world.liaison)
    url = reverse("dues_reports:branch", args=[world.branch.pk])
    with django_assert_num_queries(9):  # as above: the failed refunds are one query however many
        page = en.get(url)
    refunds = page.text.split('class="card dues-refunds"')[1].split("</section>")[0]
    assert "2 refunds failed" in refunds
    for text in ("REFUND0", "SBX0", "张三", "REFUND1", "退款乙", "¥15.00", "refund refused",
                 "the gateway did not confirm the refund"):
        assert text in refunds
    assert "ELSEWHERE" not in page.text and "DONE" not in page.text
    en.force_login(world.other_secretary)
    assert "ELSEWHERE" in en.get(reverse("dues_reports:branch", args=[world.other_branch.pk])).text


def _refund_failed(member, out_trade_no):
    from dues.models import PaymentOrder

    return PaymentOrder.objects.create(
        member=member, gateway="sandbox", out_trade_no=out_trade_no, amount=Decimal("15.00"),
        status=PaymentOrder.Status.REFUND_FAILED, refund_error="refund refused",
    )


def _section(text, css_class):
    parts = text.split(f'class="card {css_class}"')
    return parts[1].split("</section>")[0] if len(parts) > 1 else ""


def test_a_secretary_records_a_failed_refund_returned_by_hand(en, world):
    from dues.models import PaymentOrder

    order = _refund_failed(world.member.member, "REFUND-HAND")
    page_url = reverse("dues_reports:branch", args=[world.branch.pk])
    settle_url = reverse("dues_reports:refund_settle", args=[order.pk])
    en.force_login(world.secretary)
    failed = _section(en.get(page_url).text, "dues-refunds")
    assert "REFUND-HAND" in failed and f'action="{settle_url}"' in failed and 'name="note"' in failed
    response = en.post(settle_url, {"note": "cash returned 2026-12-01, receipt 12"})
    assert response.status_code == 302 and response.url == page_url
    page = en.get(response.url).text
    assert "Recorded: 15.00 yuan returned by hand to 张三." in page
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUNDED_BY_HAND and order.refund_settled_by == world.secretary
    assert order.refund_settled_note == "cash returned 2026-12-01, receipt 12"
    assert not _section(page, "dues-refunds")  # the failed list is gone: it held only this one
    settled = _section(page, "dues-refunds-settled")
    for text in ("REFUND-HAND", "张三", "¥15.00", "recorded by 李书记",
                 "cash returned 2026-12-01, receipt 12"):
        assert text in settled
    # Settling twice is refused with a message; the first record stays.
    page = en.post(settle_url, {"note": "again"}, follow=True).text
    assert "This order is not a failed refund (any more); nothing was recorded." in page
    order.refresh_from_db()
    assert order.refund_settled_note == "cash returned 2026-12-01, receipt 12"


def test_a_refund_is_not_settled_without_a_note(en, world):
    from dues.models import PaymentOrder

    order = _refund_failed(world.member.member, "REFUND-NONOTE")
    en.force_login(world.secretary)
    url = reverse("dues_reports:refund_settle", args=[order.pk])
    page = en.post(url, {"note": "  "}, follow=True)
    assert page.redirect_chain == [(reverse("dues_reports:branch", args=[world.branch.pk]), 302)]
    assert "Say how the money was returned, e.g. cash and a receipt number." in page.text
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUND_FAILED and order.refund_settled_by is None
    assert "REFUND-NONOTE" in _section(page.text, "dues-refunds")


def test_only_those_who_manage_the_branch_settle_a_refund(en, world):
    from dues.models import PaymentOrder

    order = _refund_failed(world.member.member, "REFUND-READONLY")
    url = reverse("dues_reports:refund_settle", args=[order.pk])
    # A liaison officer reads the list, without the form.
    en.force_login(world.liaison)
    failed = _section(en.get(reverse("dues_reports:branch", args=[world.branch.pk])).text, "dues-refunds")
    assert "REFUND-READONLY" in failed and "<form" not in failed
    missing = reverse("dues_reports:refund_settle", args=[order.pk + 1000])
    for persona in (world.liaison, world.other_secretary, world.member):
        en.force_login(persona)
        assert en.post(url, {"note": "cash"}).status_code == 404
        assert en.post(missing, {"note": "cash"}).status_code == 404  # the same as a missing order
    en.logout()
    assert en.post(url, {"note": "cash"}).url.startswith(reverse("account_login"))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUND_FAILED and order.refund_settled_by is None
    en.force_login(world.secretary)
    assert en.get(url).status_code == 405  # POST only


def test_refunds_returned_by_hand_in_the_last_12_months_are_shown(en, world):
    import datetime

    from django.utils import timezone

    from dues.payments import order_refund_settle

    now = timezone.now()
    for n, days in enumerate((1, 30, 300, 400)):
        order = _refund_failed(world.member.member, f"SETTLED{n}")
        order_refund_settle(actor=world.secretary, order=order, note=f"note {n}",
                            now=now - datetime.timedelta(days=days))
    for n in range(3):
        _refund_failed(world.member.member, f"OPEN{n}")
    en.force_login(world.secretary)
    page = en.get(reverse("dues_reports:branch", args=[world.branch.pk])).text
    settled = _section(page, "dues-refunds-settled")
    assert [n for n in range(4) if f"SETTLED{n}" in settled] == [0, 1, 2]
    assert settled.index("SETTLED0") < settled.index("SETTLED2")  # latest first
    failed = _section(page, "dues-refunds")
    assert failed.count("<form") == 3 and "SETTLED" not in failed


@pytest.mark.parametrize("rows", [1, 5])
def test_the_refund_lists_and_forms_do_not_grow_the_queries(en, world, rows, django_assert_num_queries):
    from dues.payments import order_refund_settle

    for n in range(rows):
        _refund_failed(world.member.member, f"OPEN{n}")
        order_refund_settle(actor=world.secretary, order=_refund_failed(world.member.member, f"DONE{n}"),
                            note="cash")
    en.force_login(world.secretary)
    # user, positions, the secretary's authenticator (officers who manage), organization, the month's
    # sums, arrears, failed refunds, refunds returned by hand (with who), unread notifications, member (nav)
    with django_assert_num_queries(10):
        page = en.get(reverse("dues_reports:branch", args=[world.branch.pk])).text
    assert _section(page, "dues-refunds").count("<form") == rows
    assert _section(page, "dues-refunds-settled").count("recorded by 李书记") == rows


@pytest.mark.parametrize("extra", [0, 4])
def test_county_page(en, world, month, extra, django_assert_num_queries):
    more_branches(world, extra)
    en.force_login(world.county_officer)
    url = reverse("dues_reports:county")
    # user, positions, branches, the month's sums, members behind, unread notifications, member (nav)
    with django_assert_num_queries(7):
        page = en.get(url)
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and text.count("<rect") == 2 * (2 + extra)
    assert "<script" not in text.split("<svg")[1].split("</svg>")[0]
    assert "66.7%" in text and "100.0%" in text
    assert text.index("厦门第一支部") < text.index("深圳第一支部")  # lowest rate first
    for persona in (world.secretary, world.liaison, world.member):
        en.force_login(persona)
        assert en.get(url).status_code == 404
    en.logout()
    assert en.get(url).status_code == 302


def test_county_chart_bar_widths(en, world, month):
    en.force_login(world.county_officer)
    chart = en.get(reverse("dues_reports:county")).context["chart"]
    assert [(b.label, b.width, b.low) for b in chart["bars"]] == [
        ("厦门第一支部", 133, True), ("深圳第一支部", 200, False),
    ]


def test_county_xlsx(en, world, month):
    en.force_login(world.county_officer)
    response = en.get(reverse("dues_reports:county_xlsx"), {"month": f"{THIS:%Y-%m}"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="dues-{THIS:%Y-%m}.xlsx"'
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[0], Decimal(str(r[3])), Decimal(str(r[4])), r[6]) for r in rows[1:]] == [
        ("厦门第一支部", Decimal("45"), Decimal("30"), 1), ("深圳第一支部", Decimal("10"), Decimal("10"), 0),
    ]
    en.force_login(world.secretary)
    assert en.get(reverse("dues_reports:county_xlsx")).status_code == 404
