import datetime
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dues import services
from dues.models import BaseChange, Bill, Payment, YearlyBase
from tests import factories

YEAR = timezone.localdate().year


def as_user(client, user):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    return client


def _approved(world, user=None, base="4000.00"):
    user = user or world.member
    yearly = services.base_declare(
        actor=user, member=user.member, year=YEAR, category="employed", declared_base=D(base)
    )
    officer = world.secretary if user.member.organization == world.branch else world.other_secretary
    return services.base_approve(actor=officer, yearly_base=yearly)


def _bills(world, months=(1, 2, 3)):
    for month in months:
        services.bills_generate(period=datetime.date(YEAR, month, 1))


def _pay(bill):
    payment = Payment.objects.create(
        member=bill.member, organization=bill.organization, amount=bill.amount, method="cash",
        receipt_number=f"R{bill.pk:08d}",
    )
    Bill.objects.filter(pk=bill.pk).update(status="paid", payment=payment)
    return payment


# My dues


def test_my_dues_shows_base_arrears_and_paid_history(client, world):
    _approved(world)
    _bills(world)
    _pay(Bill.objects.get(member=world.member.member, period=datetime.date(YEAR, 1, 1)))
    html = as_user(client, world.member).get(reverse("dues:mine")).content.decode()
    assert "40.00" in html and "4000.00" in html
    arrears = html[html.index("dues-arrears"):html.index("dues-paid")]
    assert f"{YEAR}-02" in arrears and f"{YEAR}-03" in arrears and f"{YEAR}-01" not in arrears
    assert "80.00 yuan in all" in html
    paid = html[html.index("dues-paid"):]
    assert f"{YEAR}-01" in paid and "R0000" in paid


def test_my_dues_shows_only_my_bills(client, world):
    _approved(world)
    _approved(world, world.other_member, base="12000")
    _bills(world)
    html = as_user(client, world.member).get(reverse("dues:mine")).content.decode()
    assert "240.00" not in html


def test_my_dues_query_count_does_not_grow(client, world, django_assert_num_queries):
    _approved(world)
    as_user(client, world.member)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dues:mine"))
    _bills(world, months=range(1, 13))
    for bill in Bill.objects.filter(period__month__lte=6):
        _pay(bill)
    # user, positions, member (scope); unpaid bills; this year's base; paid bills with their payments;
    # unread notifications (header)
    assert len(few) == 7
    with django_assert_num_queries(7):
        response = client.get(reverse("dues:mine"))
    assert response.status_code == 200


# Declaring a base: a preview, then confirmation


def test_declare_previews_then_confirms(client, world):
    as_user(client, world.member)
    url = reverse("dues:declare")
    response = client.post(url, {"category": "employed", "declared_base": "3000.01", "preview": "1"})
    assert "<strong>30.00</strong>" in response.content.decode()
    assert not YearlyBase.objects.exists()
    response = client.post(url, {"category": "employed", "declared_base": "3000.01", "confirm": "1"})
    assert response.status_code == 302
    yearly = YearlyBase.objects.get(member=world.member.member, year=YEAR)
    assert (yearly.declared_base, yearly.monthly_amount) == (D("3000.01"), D("30.00"))
    assert yearly.status == "declared"


def test_declare_takes_an_amount_typed_in_full_width(client, world):
    as_user(client, world.member)
    url = reverse("dues:declare")
    response = client.post(url, {"category": "employed", "declared_base": "３０００．０１", "confirm": "1"})
    assert response.status_code == 302
    yearly = YearlyBase.objects.get(member=world.member.member, year=YEAR)
    assert (yearly.declared_base, yearly.monthly_amount) == (D("3000.01"), D("30.00"))


def test_declare_farmer_amount_is_validated(client, world):
    as_user(client, world.member)
    response = client.post(
        reverse("dues:declare"), {"category": "farmer", "fixed_amount": "1.50", "confirm": "1"}
    )
    assert response.status_code == 200 and "between 0.20 and 1.00" in response.content.decode()
    assert not YearlyBase.objects.exists()
    client.post(reverse("dues:declare"), {"category": "farmer", "fixed_amount": "0.50", "confirm": "1"})
    assert YearlyBase.objects.get().monthly_amount == D("0.50")


def test_declare_needs_a_base_for_employed(client, world):
    as_user(client, world.member)
    response = client.post(reverse("dues:declare"), {"category": "employed", "preview": "1"})
    assert "Give your monthly base." in response.content.decode()


def test_declare_is_closed_once_approved(client, world):
    _approved(world)
    response = as_user(client, world.member).get(reverse("dues:declare"))
    assert response.status_code == 302 and response.url == reverse("dues:mine")


# Officers: bases waiting, approval, a member's dues and mid-year change


def test_bases_waiting_lists_only_my_branches(client, world):
    services.base_declare(actor=world.member, member=world.member.member, year=YEAR, category="employed",
                          declared_base=D("4000"))
    services.base_declare(actor=world.other_member, member=world.other_member.member, year=YEAR,
                          category="retired", declared_base=D("6000"))
    html = as_user(client, world.secretary).get(reverse("dues:bases")).content.decode()
    assert "张三" in html and "王五" not in html
    html = as_user(client, world.county_officer).get(reverse("dues:bases")).content.decode()
    assert "张三" in html and "王五" in html


def test_bases_query_count_does_not_grow(client, world, django_assert_num_queries):
    as_user(client, world.secretary)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dues:bases"))
    for n in range(5):
        user = factories.user(name=f"党员{n}")
        member = factories.member(organization=world.branch, user=user, name=f"党员{n}")
        services.base_declare(
            actor=user, member=member, year=YEAR, category="employed", declared_base=D("100")
        )
    # user, positions (scope); MFA check; bases with members and organizations (one join); unread
    # notifications (header); the officer's own member record (menu)
    assert len(few) == 6
    with django_assert_num_queries(6):
        html = client.get(reverse("dues:bases")).content.decode()
    assert "党员4" in html


def test_officer_approves_with_an_adjusted_base(client, world):
    yearly = services.base_declare(actor=world.member, member=world.member.member, year=YEAR,
                                   category="employed", declared_base=D("3000"))
    as_user(client, world.secretary)
    response = client.post(reverse("dues:approve", args=[yearly.pk]), {"base": "5000.01"})
    assert response.status_code == 302
    yearly.refresh_from_db()
    assert (yearly.status, yearly.base, yearly.monthly_amount) == ("approved", D("5000.01"), D("75.00"))


def test_approve_is_404_for_other_branches(client, world):
    yearly = services.base_declare(actor=world.member, member=world.member.member, year=YEAR,
                                   category="employed", declared_base=D("3000"))
    for outsider in (world.other_secretary, world.member, world.liaison):
        response = as_user(client, outsider).post(reverse("dues:approve", args=[yearly.pk]), {})
        assert response.status_code == 404
    yearly.refresh_from_db()
    assert yearly.status == "declared"


def test_member_dues_change_form(client, world):
    _approved(world)
    _bills(world, months=(1, 2))
    url = reverse("dues:member", args=[world.member.member.pk])
    as_user(client, world.secretary)
    response = client.post(url, {"new_amount": "20", "from_month": f"{YEAR}-02", "reason": ""})
    assert response.status_code == 200 and not BaseChange.objects.exists()
    response = client.post(url, {"new_amount": "20", "from_month": f"{YEAR}-02", "reason": "失业"})
    assert response.status_code == 302
    amounts = dict(Bill.objects.values_list("period__month", "amount"))
    assert amounts == {1: D("40.00"), 2: D("20.00")}
    html = client.get(url).content.decode()
    assert "失业" in html


def test_member_dues_is_404_for_outsiders(client, world):
    url = reverse("dues:member", args=[world.member.member.pk])
    for outsider in (world.other_secretary, world.member, world.liaison):
        assert as_user(client, outsider).get(url).status_code == 404


def test_member_dues_query_count_does_not_grow(client, world, django_assert_num_queries):
    yearly = _approved(world)
    url = reverse("dues:member", args=[world.member.member.pk])
    as_user(client, world.secretary)
    services.base_change(actor=world.secretary, yearly_base=yearly, new_amount=D("1"),
                         from_month=datetime.date(YEAR, 2, 1), reason="r")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _bills(world, months=range(1, 13))
    for bill in Bill.objects.filter(period__month__lte=6):
        _pay(bill)
    for month in (4, 5):
        services.base_change(actor=world.secretary, yearly_base=yearly, new_amount=D("2"),
                             from_month=datetime.date(YEAR, month, 1), reason="r")
    # user, positions (scope); MFA check; the member; unpaid bills; base; paid bills with payments;
    # changes with who made them; paid this year (sum); unread notifications (header); the officer's
    # own member record (menu)
    assert len(few) == 11
    with django_assert_num_queries(11):
        client.get(url)
