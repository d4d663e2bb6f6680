"""Unmasking: officers who manage a member's branch see a full number with a POST that records why."""

import pytest
from django.urls import reverse

from branches.models import Organization
from members.models import Member, PersonalDataAccess
from tests import factories

ACCESSES = reverse("admin:members_personaldataaccess_changelist")


def reveal_url(member):
    return reverse("reveal:member", args=[member.pk])


@pytest.fixture
def zhang(world):
    return Member.objects.get(user=world.member)


def test_get_shows_only_the_form(en, world, zhang, django_assert_num_queries):
    en.force_login(world.secretary)
    # user (session is cached), the officer's positions (scope), their authenticator app (two-factor
    # check), the member (with organization), the officer's own roster entry (navigation)
    # + the unread notifications count (header)
    with django_assert_num_queries(6):
        response = en.get(reveal_url(zhang))
    assert response.status_code == 200
    html = response.content.decode()
    assert zhang.masked_id_number in html and zhang.masked_phone in html
    assert zhang.id_number not in html and zhang.phone not in html
    assert "no-store" in response["Cache-Control"]
    assert not PersonalDataAccess.objects.exists()


def test_post_shows_the_id_number_once_and_records_the_access(en, world, zhang, django_assert_num_queries):
    en.force_login(world.secretary)
    en.get(reveal_url(zhang))  # the session's last-seen time is written on the first request
    # user, positions, authenticator app (two-factor check), member, savepoint, the access record,
    # savepoint release, own roster entry (navigation), the unread count (header)
    with django_assert_num_queries(9):
        response = en.post(reveal_url(zhang), {"field": "id_number", "reason": "报名党校培训需要身份证号"})
    assert response.status_code == 200  # the value is in this response, not behind a redirect
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert zhang.id_number in html and zhang.phone not in html
    access = PersonalDataAccess.objects.get()
    assert (access.officer, access.member, access.field) == (world.secretary, zhang, "id_number")
    assert access.reason == "报名党校培训需要身份证号" and access.accessed_at is not None

    assert zhang.id_number not in en.get(reveal_url(zhang)).content.decode()  # a GET shows it no more


def test_post_shows_the_phone_number(en, world, zhang):
    en.force_login(world.county_officer)
    response = en.post(reveal_url(zhang), {"field": "phone", "reason": "联系本人核实信息"})
    html = response.content.decode()
    assert zhang.phone in html and zhang.id_number not in html
    assert PersonalDataAccess.objects.get().officer == world.county_officer


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"field": "id_number", "reason": "  "}, "This field is required."),
        ({"field": "id_number", "reason": "x" * 201}, "at most 200 characters"),
        ({"field": "password", "reason": "why"}, "Select a valid choice."),
    ],
)
def test_reason_and_field_are_required(en, world, zhang, data, message):
    en.force_login(world.secretary)
    response = en.post(reveal_url(zhang), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert zhang.id_number not in html and zhang.phone not in html
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("who", ["member", "liaison", "other_secretary", "other_member"])
def test_others_get_404_and_nothing_is_recorded(en, world, zhang, who):
    en.force_login(getattr(world, who))
    assert en.get(reveal_url(zhang)).status_code == 404
    assert en.post(reveal_url(zhang), {"field": "id_number", "reason": "好奇"}).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_anonymous_is_sent_to_login(client, world, zhang):
    response = client.post(reveal_url(zhang), {"field": "id_number", "reason": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not PersonalDataAccess.objects.exists()


def test_unknown_member_is_404(en, world):
    en.force_login(world.county_officer)
    assert en.get(reverse("reveal:member", args=[999999])).status_code == 404


# Links to the page


def test_roster_links_the_page_for_managers_only(en, world, zhang):
    roster = reverse("branches:roster", args=[world.branch.pk])
    en.force_login(world.secretary)
    assert reveal_url(zhang) in en.get(roster).content.decode()
    en.force_login(world.liaison)
    assert reveal_url(zhang) not in en.get(roster).content.decode()


def test_admin_change_page_links_the_page_for_managers_only(en, world, zhang):
    change = reverse("admin:members_member_change", args=[zhang.pk])
    en.force_login(world.secretary)
    assert reveal_url(zhang) in en.get(change).content.decode()
    en.force_login(world.liaison)
    assert reveal_url(zhang) not in en.get(change).content.decode()


# The access records, for overseers


def reveal(client, officer, member, field="id_number"):
    client.force_login(officer)
    assert client.post(reveal_url(member), {"field": field, "reason": "核对"}).status_code == 200


def listed(response):
    return [(a.officer, a.member) for a in response.context["cl"].result_list]


def test_county_staff_see_every_access_in_their_subtree(en, world, zhang):
    wang = Member.objects.get(user=world.other_member)
    reveal(en, world.secretary, zhang)
    reveal(en, world.other_secretary, wang, "phone")
    en.force_login(world.county_officer)
    response = en.get(ACCESSES)
    assert response.status_code == 200
    assert sorted(listed(response), key=str) == sorted(
        [(world.secretary, zhang), (world.other_secretary, wang)], key=str
    )
    html = response.content.decode()
    assert zhang.id_number not in html and wang.phone not in html and "核对" in html


def test_overseers_elsewhere_see_none_and_secretaries_may_not_look(en, world, zhang):
    reveal(en, world.secretary, zhang)
    elsewhere = factories.organization(parent=world.city, kind=Organization.Kind.COUNTY_COMMITTEE)
    officer = factories.user()
    factories.position(user=officer, organization=elsewhere, kind="county_staff")
    factories.totp(officer)
    en.force_login(officer)
    assert listed(en.get(ACCESSES)) == []
    access = PersonalDataAccess.objects.get()
    assert en.get(reverse("admin:members_personaldataaccess_change", args=[access.pk])).status_code == 404
    for who in ("secretary", "liaison"):
        en.force_login(getattr(world, who))
        assert en.get(ACCESSES).status_code == 403


def test_access_records_are_read_only(en, world, zhang):
    reveal(en, world.secretary, zhang)
    access = PersonalDataAccess.objects.get()
    en.force_login(world.county_officer)
    change = reverse("admin:members_personaldataaccess_change", args=[access.pk])
    assert en.get(change).status_code == 200
    en.post(change, {"reason": "改过"})
    access.refresh_from_db()
    assert access.reason == "核对"
    assert en.get(reverse("admin:members_personaldataaccess_add")).status_code == 403
    delete = reverse("admin:members_personaldataaccess_delete", args=[access.pk])
    assert en.post(delete, {"post": "yes"}).status_code == 403
    assert PersonalDataAccess.objects.exists()


# The audit history in the admin


def test_member_history_shows_the_audit_log_masked(en, world, zhang):
    from tests.members.test_admin import form_data

    en.force_login(world.secretary)
    change = reverse("admin:members_member_change", args=[zhang.pk])
    old_phone = zhang.phone
    assert en.post(change, form_data(zhang, phone="13887654321")).status_code == 302
    for who in ("secretary", "liaison", "county_officer"):
        en.force_login(getattr(world, who))
        html = en.get(reverse("admin:members_member_history", args=[zhang.pk])).content.decode()
        assert "Audit log" in html and "mobile number" in html
        assert "138****4321" in html and f"{old_phone[:3]}****{old_phone[-4:]}" in html
        assert "13887654321" not in html and old_phone not in html and zhang.id_number not in html
        assert "李书记" in html  # who changed it


def test_a_member_whose_numbers_were_revealed_cannot_be_deleted(world, zhang):
    from django.db.models import ProtectedError

    PersonalDataAccess.objects.create(officer=world.secretary, member=zhang, field="phone", reason="call")
    with pytest.raises(ProtectedError):
        zhang.delete()
    assert Member.objects.filter(pk=zhang.pk).exists()
