"""The inbox, opening a notification, marking all read, the email settings and the header count."""

import re

import pytest
from django.urls import reverse

from members.models import EmailDelivery
from members.notifications.models import Notification
from members.notifications.services import notification_send
from members.notifications.views import INBOX_PAGE_SIZE

INBOX = reverse("notifications:inbox")
READ_ALL = reverse("notifications:read_all")
SETTINGS = reverse("notifications:settings")


def send(recipients, **fields):
    return notification_send(recipients=recipients, **{"kind": "test", "title": "Branch meeting", **fields})


def open_url(notification):
    return reverse("notifications:open", args=[notification.pk])


def test_inbox_lists_my_notifications_newest_first(en, world, django_assert_num_queries):
    send([world.member], title="First", body="Agenda attached.")
    send([world.member], title="Second", urgent=True)
    send([world.other_member], title="Not mine")
    en.force_login(world.member)
    # user (session is cached), member with organization, positions (navigation), the unread count
    # (header), count and page of notifications
    with django_assert_num_queries(6):
        response = en.get(INBOX)
    html = response.content.decode()
    assert html.index("Second") < html.index("First")
    assert "Agenda attached." in html and "Urgent" in html
    assert "Not mine" not in html
    assert 'class="bell-count">2<' in html


def test_inbox_query_count_does_not_grow_and_pages(en, world, django_assert_num_queries):
    for n in range(INBOX_PAGE_SIZE + 3):
        send([world.member], title=f"Notice {n:02d}")
    en.force_login(world.member)
    with django_assert_num_queries(6):
        first = en.get(INBOX).content.decode()
    with django_assert_num_queries(6):
        second = en.get(INBOX, {"page": 2}).content.decode()
    assert f"Notice {INBOX_PAGE_SIZE + 2:02d}" in first and "Notice 00" not in first
    assert "Notice 00" in second and "Page 2 of 2" in second


def test_an_empty_inbox_says_so(en, world):
    en.force_login(world.member)
    html = en.get(INBOX).content.decode()
    assert "No notifications yet." in html
    assert "bell-count" not in html


def test_the_inbox_needs_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_opening_marks_read_and_follows_the_link(client, world):
    notification = send([world.member], url="/branches/")[0]
    client.force_login(world.member)
    response = client.get(open_url(notification))
    assert response.status_code == 302 and response["Location"] == "/branches/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_one_without_a_link_goes_back_to_it_in_the_inbox(client, world):
    notification = send([world.member])[0]
    client.force_login(world.member)
    response = client.get(open_url(notification))
    assert response["Location"] == f"{INBOX}#n{notification.pk}"


def test_a_link_to_another_site_is_not_followed(client, world):
    notification = send([world.member], url="https://evil.example.com/")[0]
    client.force_login(world.member)
    assert client.get(open_url(notification))["Location"] == f"{INBOX}#n{notification.pk}"


@pytest.mark.parametrize("persona", ["other_member", "secretary", "county_officer"])
def test_nobody_else_can_open_my_notification(client, world, persona):
    notification = send([world.member])[0]
    client.force_login(getattr(world, persona))
    assert client.get(open_url(notification)).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_mine(client, world):
    send([world.member, world.other_member])
    send([world.member])
    client.force_login(world.member)
    response = client.post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == INBOX
    assert not Notification.objects.filter(recipient=world.member, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=world.other_member).read_at is None


def test_mark_all_read_is_post_only(client, world):
    client.force_login(world.member)
    assert client.get(READ_ALL).status_code == 405


def test_the_header_shows_the_unread_count_on_every_page(en, world):
    send([world.member])
    en.force_login(world.member)
    html = en.get(reverse("home")).content.decode()
    assert f'href="{INBOX}"' in html and 'class="bell-count">1<' in html


def test_settings_page_shows_and_saves_the_choice(en, world, django_assert_num_queries):
    en.force_login(world.member)
    # user (session is cached), member with organization, positions (navigation), the unread count (header)
    with django_assert_num_queries(4):
        response = en.get(SETTINGS)
    html = response.content.decode()
    assert re.search(r'<input[^>]*value="immediate"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="daily"[^>]*checked', html)
    response = en.post(SETTINGS, {"email_delivery": EmailDelivery.DAILY})
    assert response.status_code == 302 and response["Location"] == SETTINGS
    world.member.refresh_from_db()
    assert world.member.email_delivery == EmailDelivery.DAILY
    assert "Your notification settings are saved." in en.get(SETTINGS).content.decode()


def test_settings_refuse_an_unknown_choice(en, world):
    en.force_login(world.member)
    response = en.post(SETTINGS, {"email_delivery": "pigeon"})
    assert response.status_code == 200
    world.member.refresh_from_db()
    assert world.member.email_delivery == EmailDelivery.IMMEDIATE


def test_settings_explain_that_an_account_without_email_gets_none(en, world):
    from tests import factories

    en.force_login(factories.user(phone="13912345678"))
    assert "has no email address" in en.get(SETTINGS).content.decode()


def test_the_settings_need_sign_in(client):
    assert client.get(SETTINGS).status_code == 302
