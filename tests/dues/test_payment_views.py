"""Pages of paying dues: the member pays through the sandbox cashier and comes back to the result;
the notify endpoint; the officer's offline form."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from dues.gateways import sandbox
from dues.models import Bill, GatewayNotification, Payment, PaymentOrder
from tests.dues.payment_fixtures import bill

pytestmark = pytest.mark.usefixtures("eager")


def test_a_member_pays_through_the_sandbox_cashier(world, en):
    member = world.member.member
    b, old = bill(member), bill(member, months_back=8)
    en.force_login(world.member)
    page = en.get(reverse("dues_pay:pay"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{b.pk}"' in html and f'value="{old.pk}"' not in html
    assert "1 older month is paid through your branch secretary." in html
    response = en.post(reverse("dues_pay:pay"), {"bills": [b.pk], "voluntary_amount": "5.00"})
    order = PaymentOrder.objects.get()
    assert response.status_code == 302 and response.url == f"/dues/sandbox/pay/{order.out_trade_no}/"
    cashier = en.get(response.url)
    assert "沙箱支付" in cashier.content.decode() and "¥20.00" in cashier.content.decode()
    back = en.post(response.url, {"action": "pay"})
    assert back.url == reverse("dues_pay:return", args=[order.out_trade_no])
    result = en.get(back.url).content.decode()
    b.refresh_from_db()
    assert b.status == Bill.Status.PAID
    assert b.payment.receipt_number in result
    assert reverse("receipts:download", args=[b.payment.pk]) in result


def test_the_return_page_says_when_the_confirmation_is_still_on_its_way(world, en, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "fail"
    member = world.member.member
    en.force_login(world.member)
    en.post(reverse("dues_pay:pay"), {"bills": [bill(member).pk]})
    order = PaymentOrder.objects.get()
    sandbox.sandbox_pay(order.out_trade_no)
    page = en.get(reverse("dues_pay:return", args=[order.out_trade_no]))
    assert "arrives in a moment" in page.content.decode()
    en.force_login(world.other_member)
    assert en.get(reverse("dues_pay:return", args=[order.out_trade_no])).status_code == 404


def test_nothing_chosen_is_refused_on_the_page(world, en):
    en.force_login(world.member)
    page = en.post(reverse("dues_pay:pay"), {"voluntary_amount": ""})
    assert page.status_code == 200 and "Choose at least one bill" in page.content.decode()
    assert not PaymentOrder.objects.exists()


def test_the_notify_endpoint_answers_success_only_when_processed(world, client, settings):
    settings.DUES_SANDBOX_BEHAVIOUR = "fail"
    from dues.payments import order_create

    member = world.member.member
    order, _url = order_create(member=member, bills=[bill(member)])
    payload = sandbox._payload(sandbox.sandbox_pay(order.out_trade_no), "TRADE_SUCCESS", 2)
    url = reverse("dues_pay:notify", args=["sandbox"])
    forged = client.post(url, {**payload, "total_amount": "0.01"})
    assert (forged.status_code, forged.content) == (400, b"fail")
    ok = client.post(url, payload)
    assert (ok.status_code, ok.content) == (200, b"success")
    again = client.post(url, payload, content_type="application/json")
    assert again.content == b"success"
    assert list(GatewayNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "bad_signature", "paid", "duplicate",
    ]
    assert Payment.objects.count() == 1
    assert client.post(reverse("dues_pay:notify", args=["nowhere"]), payload).status_code == 404


def test_an_officer_records_an_offline_payment(world, en):
    member = world.member.member
    b = bill(member)
    url = reverse("dues_pay:offline", args=[member.pk])
    en.force_login(world.secretary)
    page = en.get(url)
    assert page.status_code == 200 and f'value="{b.pk}"' in page.content.decode()
    missing = en.post(url, {"bills": [b.pk], "amount": "15.00", "method": "cash", "reference": ""})
    assert missing.status_code == 200 and not Payment.objects.exists()
    done = en.post(url, {"bills": [b.pk], "amount": "15.00", "method": "cash", "reference": "No. 12"})
    assert done.status_code == 302
    payment = Payment.objects.get()
    assert (payment.method, payment.reference, payment.recorded_by) == ("cash", "No. 12", world.secretary)
    en.force_login(world.other_secretary)
    assert en.get(url).status_code == 404


def test_the_pay_page_takes_a_fixed_number_of_queries(world, en, django_assert_num_queries):
    member = world.member.member
    for n in range(5):
        bill(member, months_back=n)
    en.force_login(world.member)
    en.get(reverse("dues_pay:pay"))
    # user, positions, member (the scope), payable bills, the branch's quarterly policy, count of older
    # unpaid bills, unread notifications (the nav): the same for any number of bills.
    with django_assert_num_queries(7):
        en.get(reverse("dues_pay:pay"))


def test_the_cashier_answers_only_the_orders_own_member(world, client):
    member = world.member.member
    b = bill(member)
    from dues.payments import order_create

    order, url = order_create(member=member, bills=[b])
    for persona in (None, world.other_member, world.secretary, world.county_officer):
        client.logout()
        if persona is not None:
            client.force_login(persona)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "pay"}).status_code == 404
    b.refresh_from_db()
    assert b.status == Bill.Status.UNPAID and not Payment.objects.exists()
    assert sandbox._book_get(order.out_trade_no)["status"] == "pending"
    client.force_login(world.member)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "pay"}).status_code == 302
    b.refresh_from_db()
    assert b.status == Bill.Status.PAID


@pytest.mark.parametrize("sign", ["签名", "ｓｉｇｎ", "0" * 63 + "é"])
def test_a_callback_with_a_non_ascii_sign_gets_a_400_and_is_stored(world, client, sign):
    from dues.payments import order_create

    member = world.member.member
    order, _url = order_create(member=member, bills=[bill(member)])
    payload = {"out_trade_no": order.out_trade_no, "trade_no": "FORGED3", "total_amount": "15.00",
               "trade_status": "TRADE_SUCCESS", "sent_at": "1", "sign": sign}
    url = reverse("dues_pay:notify", args=["sandbox"])
    form = client.post(url, payload)
    as_json = client.post(url, payload, content_type="application/json")
    assert [(r.status_code, r.content) for r in (form, as_json)] == [(400, b"fail")] * 2
    notes = GatewayNotification.objects.order_by("pk")
    stored = [(n.outcome, n.signature_valid, n.payload["sign"]) for n in notes]
    assert stored == [("bad_signature", False, sign)] * 2
    assert not Payment.objects.exists()


def test_without_a_gateway_members_are_told_to_pay_their_branch(world, en, settings):
    settings.DUES_SANDBOX_ENABLED = False
    member = world.member.member
    b = bill(member)
    en.force_login(world.member)
    page = en.get(reverse("dues_pay:pay"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Online payment is not available." in html and "Go to payment" not in html
    posted = en.post(reverse("dues_pay:pay"), {"bills": [b.pk]})
    assert posted.status_code == 200 and "Online payment is not available." in posted.content.decode()
    assert not PaymentOrder.objects.exists()
    # Officers still record payments made to them.
    en.force_login(world.secretary)
    done = en.post(reverse("dues_pay:offline", args=[member.pk]),
                   {"bills": [b.pk], "amount": "15.00", "method": "cash", "reference": "No. 13"})
    assert done.status_code == 302
    b.refresh_from_db()
    assert b.status == Bill.Status.PAID


def test_the_return_page_says_when_the_refund_failed(world, en, settings):
    from dues.payments import order_create

    settings.DUES_SANDBOX_BEHAVIOUR = "refund_fail"
    member = world.member.member
    b = bill(member)
    first, _url = order_create(member=member, bills=[b])
    second, _url = order_create(member=member, bills=[b])
    sandbox.sandbox_pay(first.out_trade_no)
    sandbox.sandbox_pay(second.out_trade_no)
    en.force_login(world.member)
    page = en.get(reverse("dues_pay:return", args=[second.out_trade_no])).content.decode()
    assert "the refund has not gone through yet" in page


def test_the_return_page_says_the_branch_returned_the_money(en, world):
    from dues.payments import order_refund_settle

    order = PaymentOrder.objects.create(
        member=world.member.member, gateway="sandbox", out_trade_no="REFUND-MINE", amount="15.00",
        status=PaymentOrder.Status.REFUND_FAILED,
    )
    when = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    order_refund_settle(actor=world.secretary, order=order, note="cash", now=when)
    en.force_login(world.member)
    page = en.get(reverse("dues_pay:return", args=[order.out_trade_no])).text
    assert "Your branch recorded on 2026-11-30 that it returned this payment to you by hand." in page
    assert "Nothing was charged" not in page


def test_a_callback_with_nul_characters_gets_a_400_and_is_stored(world, client):
    # PostgreSQL's jsonb refuses NUL: such a payload was a 500 there, and not stored.
    url = reverse("dues_pay:notify", args=["sandbox"])
    form = client.post(url, {"sign": "a\x00b", "out_trade_no": "X\x00"})
    as_json = client.post(url, '{"sign": "a\\u0000b", "x\\u0000": 1}', content_type="application/json")
    assert [(r.status_code, r.content) for r in (form, as_json)] == [(400, b"fail")] * 2
    notes = GatewayNotification.objects.order_by("pk")
    assert [(n.outcome, n.payload["sign"]) for n in notes] == [("bad_signature", "a\ufffdb")] * 2
    assert notes[1].payload["x\ufffd"] == 1
