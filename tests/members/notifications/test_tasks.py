"""Delivery tasks: idempotent, the sweep for what a dead broker left behind, the daily digest."""

# ruff: noqa: F811 (the imported fixtures are used as test arguments)

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from ebranch.celery import app
from members.models import EmailDelivery
from members.notifications.models import Notification
from members.notifications.services import notification_send
from members.notifications.tasks import (
    notification_deliver,
    notifications_daily_digest,
    notifications_deliver,
    notifications_sweep,
)
from tests import factories
from tests.members.notification_fixtures import sms_outbox  # noqa: F401 (fixture)

Delivery = Notification.Delivery
DEAD_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


def write(recipients, **fields):
    """Rows as the service writes them, without running the on-commit delivery."""
    return notification_send(recipients=recipients, **{"kind": "test", "title": "Branch meeting", **fields})


def age(minutes=2):
    """Make every row older than the sweep's minute."""
    oldest = Notification.objects.order_by("created_at").first().created_at
    Notification.objects.update(created_at=oldest - timedelta(minutes=minutes))


def test_delivering_twice_sends_one_email(world):
    notification = write([world.member])[0]
    assert notification_deliver(notification.pk) == 1
    assert notification_deliver(notification.pk) == 0
    assert len(mail.outbox) == 1


def test_a_duplicate_task_message_sends_nothing_more(world, eager):
    pk = write([world.member])[0].pk
    notifications_deliver.delay([pk, pk])
    notifications_deliver.delay([pk])
    assert len(mail.outbox) == 1


def test_an_urgent_notification_sends_one_sms_however_often_delivered(world, sms_outbox):
    user = factories.user(phone="13912345678", email="phone@example.com")
    pk = write([user], urgent=True)[0].pk
    notification_deliver(pk)
    notification_deliver(pk)
    assert len(sms_outbox) == 1 and len(mail.outbox) == 1


def test_a_failed_email_stays_pending_for_the_sweep(world, monkeypatch, caplog):
    pk = write([world.member])[0].pk

    def broken(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with caplog.at_level(logging.ERROR, logger="members.notifications.tasks"):
        assert notification_deliver(pk) == 0
    assert "stays pending" in caplog.text
    assert Notification.objects.get().email_state == Delivery.PENDING
    monkeypatch.undo()
    age()
    assert notifications_sweep() == 1
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_the_last_minutes_rows_to_their_task(world):
    write([world.member])
    assert notifications_sweep() == 0
    assert Notification.objects.get().email_state == Delivery.PENDING


def test_the_sweep_skips_digest_and_skipped_rows(world):
    world.member.email_delivery = EmailDelivery.DAILY
    world.member.save()
    world.secretary.email_delivery = EmailDelivery.NONE
    world.secretary.save()
    write([world.member, world.secretary])
    age()
    assert notifications_sweep() == 0
    assert mail.outbox == []


@pytest.fixture
def dead_broker():
    """Celery pointed at a Redis that is not there, failing fast instead of retrying."""
    conf = app.conf
    changes = {
        "task_always_eager": False, "broker_url": DEAD_BROKER, "task_publish_retry": False,
        "broker_connection_retry": False, "broker_connection_max_retries": 0,
        "broker_connection_timeout": 0.5, "broker_transport_options": {"max_retries": 0},
    }
    before = {key: conf[key] for key in changes}
    conf.update(changes)
    app._pool, app.amqp._producer_pool = None, None  # connect anew, to the dead broker
    yield
    app.pool.force_close_all()
    conf.update(before)
    app._pool, app.amqp._producer_pool = None, None


def test_notifications_survive_a_dead_broker(
    world, dead_broker, sms_outbox, django_capture_on_commit_callbacks, caplog
):
    urgent_user = factories.user(phone="13912345678", email="phone@example.com")
    recipients = [world.member, world.secretary, world.liaison, urgent_user]
    with caplog.at_level(logging.ERROR, logger="members.notifications.services"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            write(recipients, title="Meeting tonight", urgent=True)
            write([world.member], title="Minutes are up")
    assert len(callbacks) == 2  # both enqueues ran, failed and were swallowed
    assert caplog.text.count("the sweep will deliver them") == 2
    assert Notification.objects.count() == 5
    assert set(Notification.objects.values_list("email_state", flat=True)) == {Delivery.PENDING}
    assert mail.outbox == [] and sms_outbox == []

    # The broker is back (tasks run again); the beat's next sweeps run.
    app.conf.task_always_eager = True
    age()
    notifications_sweep.delay()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [user.email for user in recipients] + [world.member.email]
    )
    assert sms_outbox == [{"phone": "13912345678", "message": "Meeting tonight"}]
    assert not Notification.objects.filter(email_state=Delivery.PENDING).exists()
    assert not Notification.objects.filter(sms_state=Delivery.PENDING).exists()

    notifications_sweep.delay()
    assert len(mail.outbox) == 5 and len(sms_outbox) == 1


def test_the_daily_digest_sends_one_email_per_account_once(world):
    for user in (world.member, world.secretary):
        user.email_delivery = EmailDelivery.DAILY
        user.save()
    write([world.member, world.secretary], title="Meeting on Friday")
    write([world.member], title="Minutes from 350822199005170013", body="Call 13912345678")
    assert notifications_daily_digest() == 3
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([world.member.email, world.secretary.email])
    mine = next(message for message in mail.outbox if message.to == [world.member.email])
    assert "2" in mine.subject
    assert "Meeting on Friday" in mine.body and "Minutes from" in mine.body
    for text in (mine.subject, mine.body, mine.alternatives[0][0]):
        assert "350822199005170013" not in text and "13912345678" not in text
    assert set(Notification.objects.values_list("email_state", flat=True)) == {Delivery.SENT}

    assert notifications_daily_digest() == 0
    assert len(mail.outbox) == 2


def test_the_digest_leaves_immediate_rows_alone(world):
    write([world.member])
    assert notifications_daily_digest() == 0
    assert Notification.objects.get().email_state == Delivery.PENDING


def test_an_address_removed_before_delivery_is_skipped_not_retried(world, sms_outbox):
    user = factories.user(phone="13912345678", email="gone@example.com")
    pk = write([user], urgent=True)[0].pk
    user.email = None
    user.save()
    assert notification_deliver(pk) == 1  # the SMS
    notification = Notification.objects.get()
    assert (notification.email_state, notification.sms_state) == (Delivery.SKIPPED, Delivery.SENT)
    age()
    assert notifications_sweep() == 0
    assert mail.outbox == []


def test_subjects_and_text_bodies_are_plain_text_not_html(world):
    title = 'A & B <c> "d"'
    pk = write([world.member], title=title, body="Bring <notes> & pens")[0].pk
    with translation.override("en"):
        notification_deliver(pk)
    message = mail.outbox[0]
    assert message.subject == f"[Tulou e-Branch] {title}"
    assert title in message.body and "Bring <notes> & pens" in message.body
    assert "A &amp; B &lt;c&gt;" in message.alternatives[0][0]  # the HTML part stays escaped
