"""The member's own pages: home and profile."""

import pytest
from django.urls import reverse

from tests import factories

HOME = reverse("home")
PROFILE = reverse("members:profile")


def login_redirect(response, url):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# Home


def test_home_shows_my_branch_and_how_to_reach_its_officers(client, world, django_assert_num_queries):
    client.force_login(world.member)
    # user (session is cached), member (with organization), the general branch above, the branch's officers,
    # the user's positions (for the navigation), the unread count (header)
    with django_assert_num_queries(6):
        response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.branch.name in html
    assert world.general_branch.name in html
    assert "李书记" in html and 'href="tel:13900000001"' in html
    assert "陈联络员" in html and 'href="tel:13900000002"' in html
    assert reverse("branches:detail", args=[world.branch.pk]) in html
    assert f'href="{reverse("admin:index")}"' not in html
    assert f'href="{reverse("branches:list")}"' not in html


def test_home_query_count_does_not_grow_with_officers(client, world, django_assert_num_queries):
    for _ in range(3):
        factories.position(user=factories.user(), organization=world.branch, kind="committee_member")
    client.force_login(world.member)
    # + the unread notifications count (header)
    with django_assert_num_queries(6):
        client.get(HOME)


def test_home_shows_only_my_own_branch(client, world):
    client.force_login(world.other_member)
    html = client.get(HOME).content.decode()
    assert world.other_branch.name in html
    assert world.branch.name not in html
    assert "13900000001" not in html


def test_home_for_officer_links_roster_and_admin(client, world):
    client.force_login(world.secretary)
    html = client.get(HOME).content.decode()
    assert reverse("branches:roster", args=[world.branch.pk]) in html
    assert reverse("admin:index") in html


def test_home_without_member_record_lists_positions(client, world, django_assert_num_queries):
    client.force_login(world.liaison)
    # user (session is cached), member (none), positions with their organizations, the unread count (header)
    with django_assert_num_queries(4):
        response = client.get(HOME)
    html = response.content.decode()
    assert response.status_code == 200
    assert world.branch.name in html
    assert reverse("branches:detail", args=[world.branch.pk]) in html
    assert reverse("branches:roster", args=[world.branch.pk]) in html
    assert world.other_branch.name not in html


def test_home_without_member_record_or_position_explains_what_to_do(en, world):
    en.force_login(factories.user())
    response = en.get(HOME)
    assert response.status_code == 200
    assert "not linked to a roster entry" in response.content.decode()


def test_home_sends_anonymous_to_login(client, world):
    assert login_redirect(client.get(HOME), HOME)


# Profile


def test_profile_shows_my_record_masked(client, world, django_assert_num_queries):
    member = world.member.member
    client.force_login(world.member)
    # user (session is cached), member with organization, township and work place
    # (shared with the navigation), positions, the unread count (header)
    with django_assert_num_queries(4):
        response = client.get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert member.name in html
    assert member.masked_id_number in html and member.masked_phone in html
    assert member.id_number not in html
    assert member.phone not in html
    assert world.member.email in html


def test_profile_shows_only_my_own_record(client, world):
    client.force_login(world.other_member)
    html = client.get(PROFILE).content.decode()
    assert "张三" not in html
    assert world.member.member.masked_id_number not in html


def test_profile_without_member_record(en, world):
    en.force_login(world.liaison)
    response = en.get(PROFILE)
    assert response.status_code == 200
    assert "not linked to a roster entry" in response.content.decode()


def test_profile_masks_the_sign_in_phone(client, db):
    user = factories.user(phone="13812345678")
    client.force_login(user)
    html = client.get(PROFILE).content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html


def test_profile_sends_anonymous_to_login(client, world):
    assert login_redirect(client.get(PROFILE), PROFILE)


# Language


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_language_switcher_changes_the_page_language(client, world, language):
    client.force_login(world.member)
    response = client.post(reverse("set_language"), {"language": language, "next": HOME})
    assert response.status_code == 302 and response["Location"] == HOME
    html = client.get(HOME).content.decode()
    assert f'<html lang="{language}">' in html
    assert f'value="{language}" lang="{language}"' in html


def test_home_tells_a_member_who_transferred_out_where_their_membership_went(en, world):
    from django.utils import timezone

    from members.models import Member

    Member.objects.filter(user=world.member).update(left_on=timezone.localdate())
    en.force_login(world.member)

    page = en.get(reverse("home")).content.decode()
    assert "Your membership was transferred" in page
    assert reverse("transfers:mine") in page
    assert "Link my account to my member record" in page  # the quick links stay
