"""The notification service: one inbox row per recipient, delivery after commit, masked text."""

# ruff: noqa: F811 (the imported fixtures are used as test arguments)

import pytest
from django.core import mail
from django.db import transaction

from members.models import EmailDelivery
from members.notifications.models import Notification
from members.notifications.selectors import unread_count
from members.notifications.services import (
    notification_mark_read,
    notification_send,
    notification_settings_update,
    notifications_mark_all_read,
)
from tests import factories
from tests.members.notification_fixtures import sms_outbox  # noqa: F401 (fixture)

Delivery = Notification.Delivery
ID_NUMBER = "35082219900517001X"
PHONE = "13912345678"


def send(recipients, **fields):
    return notification_send(recipients=recipients, **{"kind": "test", "title": "Branch meeting", **fields})


def test_one_row_per_account_from_users_and_members(world):
    rows = send([world.member, world.member.member, world.secretary.member, world.liaison])
    expected = sorted([world.member.pk, world.secretary.pk, world.liaison.pk])
    assert sorted(row.recipient_id for row in rows) == expected
    assert Notification.objects.count() == 3


def test_members_without_an_account_and_inactive_accounts_get_nothing(world):
    roster_only = factories.member(organization=world.branch)
    inactive = factories.user()
    inactive.is_active = False
    inactive.save()
    assert send([roster_only, inactive]) == []
    assert not Notification.objects.exists()


def test_rows_are_written_in_the_callers_transaction(world, eager):
    with pytest.raises(RuntimeError), transaction.atomic():
        send([world.member])
        raise RuntimeError("the caller fails")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_email_is_sent_only_after_commit(world, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send([world.member], body="On Friday.", url="/meetings/1/")
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.member.email]
    assert "Branch meeting" in message.subject
    assert "On Friday." in message.body and "http://localhost:8000/meetings/1/" in message.body
    assert "On Friday." in message.alternatives[0][0]
    notification = Notification.objects.get()
    assert notification.email_state == Delivery.SENT and notification.emailed_at is not None


@pytest.mark.parametrize("choice, state", [
    (EmailDelivery.IMMEDIATE, Delivery.SENT),
    (EmailDelivery.DAILY, Delivery.DIGEST),
    (EmailDelivery.NONE, Delivery.SKIPPED),
])
def test_email_follows_the_accounts_choice(world, eager, django_capture_on_commit_callbacks, choice, state):
    world.member.email_delivery = choice
    world.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        send([world.member])
    assert Notification.objects.get().email_state == state
    assert len(mail.outbox) == (1 if choice == EmailDelivery.IMMEDIATE else 0)


def test_an_account_without_email_gets_no_email(world, eager, django_capture_on_commit_callbacks):
    phone_only = factories.user(phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        send([phone_only])
    assert Notification.objects.get().email_state == Delivery.SKIPPED
    assert mail.outbox == []


def test_urgent_notifications_also_go_by_sms_to_the_accounts_phone(
    world, eager, sms_outbox, django_capture_on_commit_callbacks
):
    with_phone = factories.user(phone=PHONE, email="phone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        send([with_phone, world.member], title="Meeting cancelled", urgent=True)
    assert sms_outbox == [{"phone": PHONE, "message": "Meeting cancelled"}]
    states = dict(Notification.objects.values_list("recipient_id", "sms_state"))
    assert states == {with_phone.pk: Delivery.SENT, world.member.pk: Delivery.SKIPPED}
    assert len(mail.outbox) == 2


def test_ordinary_notifications_send_no_sms(world, eager, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send([factories.user(phone=PHONE, email="phone@example.com")])
    assert sms_outbox == []
    assert Notification.objects.get().sms_state == Delivery.SKIPPED


def test_id_and_phone_numbers_are_masked_before_storing_and_sending(
    world, eager, sms_outbox, django_capture_on_commit_callbacks
):
    with_phone = factories.user(phone="13800000000", email="phone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        send(
            [with_phone], title=f"Claim {ID_NUMBER} from {PHONE}", body=f"ID {ID_NUMBER}, call {PHONE}.",
            urgent=True,
        )
    notification = Notification.objects.get()
    sent = [notification.title, notification.body, mail.outbox[0].subject, mail.outbox[0].body,
            mail.outbox[0].alternatives[0][0], sms_outbox[0]["message"]]
    for text in sent:
        assert ID_NUMBER not in text and PHONE not in text
    assert "139****5678" in notification.body


def test_mark_read_and_mark_all_read_touch_only_the_accounts_own(world):
    mine = send([world.member, world.member])[0]
    send([world.member, world.other_member])
    assert unread_count(world.member) == 2
    notification_mark_read(notification=mine)
    assert unread_count(world.member) == 1
    assert notifications_mark_all_read(user=world.member) == 1
    assert unread_count(world.member) == 0
    assert unread_count(world.other_member) == 1


def test_leaving_the_digest_drops_what_waits_for_it(world):
    world.member.email_delivery = EmailDelivery.DAILY
    world.member.save()
    send([world.member])
    notification_settings_update(user=world.member, email_delivery=EmailDelivery.NONE)
    world.member.refresh_from_db()
    assert world.member.email_delivery == EmailDelivery.NONE
    assert Notification.objects.get().email_state == Delivery.SKIPPED
    assert Notification.objects.get().read_at is None
