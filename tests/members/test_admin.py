"""The officers' roster admin: who sees which members, who may change them, masked personal data."""

import datetime
import re

import pytest
from django.urls import reverse

from members.models import Member, Position
from tests import factories

CHANGELIST = reverse("admin:members_member_changelist")
ADD = reverse("admin:members_member_add")
IMPORT = reverse("admin:members_member_import")
POSITIONS = reverse("admin:members_position_changelist")
POSITION_ADD = reverse("admin:members_position_add")


def login(client, user):
    client.force_login(user)
    return client


def change_url(member):
    return reverse("admin:members_member_change", args=[member.pk])


def member_of(user):
    return Member.objects.get(user=user)


def names(response):
    return sorted(m.name for m in response.context["cl"].result_list)


def form_data(member, **overrides):
    data = {
        "name": member.name, "organization": member.organization_id, "status": member.status,
        "joined_party_on": member.joined_party_on.isoformat(),
        "full_member_on": member.full_member_on.isoformat() if member.full_member_on else "",
        "member_since": member.member_since.isoformat(), "ethnicity": member.ethnicity,
        "education": member.education, "university": member.university,
        "graduation_year": member.graduation_year or "", "home_township": member.home_township_id or "",
        "work_place": member.work_place_id or "", "employer": member.employer, "id_number": "", "phone": "",
    }
    data.update(overrides)
    return data


def new_member_data(world, **overrides):
    data = {
        "name": "新党员", "organization": world.branch.pk, "status": "full", "joined_party_on": "2015-06-01",
        "full_member_on": "2016-06-01", "member_since": "2020-01-01", "ethnicity": "汉族", "education": "",
        "university": "", "graduation_year": "", "home_township": "", "work_place": "", "employer": "",
        "id_number": "11010519491231002x", "phone": "13812345678",
    }
    data.update(overrides)
    return data


# Who sees which members


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("secretary", ["张三", "李书记"]),
        ("other_secretary", ["王五", "赵书记"]),
        ("liaison", ["张三", "李书记"]),
        ("county_officer", ["张三", "李书记", "王五", "赵书记"]),
    ],
)
def test_changelist_shows_exactly_the_members_in_scope(en, world, who, expected):
    response = login(en, getattr(world, who)).get(CHANGELIST)
    assert response.status_code == 200
    assert names(response) == sorted(expected)


@pytest.mark.parametrize("kind", ["deputy_secretary", "committee_member"])
def test_branch_committee_members_manage_their_branch_like_the_secretary(en, world, kind):
    officer = factories.user()
    factories.position(user=officer, organization=world.branch, kind=kind)
    factories.totp(officer)
    login(en, officer)
    assert names(en.get(CHANGELIST)) == ["张三", "李书记"]
    zhang = member_of(world.member)
    assert en.post(change_url(zhang), form_data(zhang, employer="龙岩某厂")).status_code == 302
    assert en.get(change_url(member_of(world.other_member))).status_code == 404


def test_general_branch_officer_sees_the_whole_subtree(en, world):
    officer = factories.user()
    factories.position(user=officer, organization=world.general_branch, kind="general_branch_officer")
    factories.totp(officer)
    assert names(login(en, officer).get(CHANGELIST)) == ["张三", "李书记", "王五", "赵书记"]


def test_changelist_masks_id_and_phone(en, world):
    zhang = member_of(world.member)
    html = login(en, world.secretary).get(CHANGELIST).content.decode()
    assert zhang.masked_id_number in html and zhang.masked_phone in html
    assert zhang.id_number not in html and zhang.phone not in html


def test_changelist_filters_offer_only_organizations_in_scope(en, world):
    response = login(en, world.county_officer).get(CHANGELIST)
    html = response.content.decode()
    assert f"organization__id__exact={world.branch.pk}" in html
    assert f"organization__id__exact={world.city.pk}" not in html
    response = en.get(CHANGELIST, {"organization__id__exact": world.other_branch.pk})
    assert names(response) == ["王五", "赵书记"]


def test_filtering_by_an_organization_outside_scope_shows_nothing(en, world):
    response = login(en, world.secretary).get(CHANGELIST, {"organization__id__exact": world.other_branch.pk})
    assert names(response) == []


def test_search_is_by_name_only(en, world):
    # Full numbers in a search would land in access logs and browser history.
    wang = member_of(world.other_member)
    login(en, world.county_officer)
    assert names(en.get(CHANGELIST, {"q": "王"})) == ["王五"]
    assert names(en.get(CHANGELIST, {"q": wang.id_number})) == []
    assert names(en.get(CHANGELIST, {"q": wang.phone})) == []


def test_search_stays_within_scope(en, world):
    assert names(login(en, world.secretary).get(CHANGELIST, {"q": "王"})) == []


def test_changelist_query_count_does_not_grow_with_rows(en, world, django_assert_num_queries):
    login(en, world.county_officer)
    # user (session is cached), the user's positions (scope), their authenticator app (two-factor check),
    # organizations for the filter, count of members in scope, one page of members with their
    # organization, work place and township
    with django_assert_num_queries(6):
        assert en.get(CHANGELIST).status_code == 200
    for _ in range(10):
        factories.member(organization=world.other_branch)
    with django_assert_num_queries(6):
        response = en.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 14


# Opening and changing one member


def test_secretary_cannot_open_another_branchs_member(en, world):
    wang = member_of(world.other_member)
    login(en, world.secretary)
    for url in (
        change_url(wang),
        reverse("admin:members_member_history", args=[wang.pk]),
        reverse("admin:members_member_delete", args=[wang.pk]),
    ):
        assert en.get(url).status_code == 404
    assert en.post(change_url(wang), form_data(wang, name="改名")).status_code == 404
    assert en.get(change_url(Member(pk=999999))).status_code == 404
    wang.refresh_from_db()
    assert wang.name == "王五"


def without_tokens(response) -> str:
    """The page, less its CSRF tokens (new on every response) and its own address (the language switch's)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html.replace(response.request["PATH_INFO"], "")


@pytest.mark.parametrize("model", ["member", "user"])
def test_records_outside_the_scope_are_the_same_404_as_missing_ones(en, world, model):
    """An officer cannot tell a member or an account outside their scope from an id that is not used."""
    existing = {"member": member_of(world.member).pk, "user": world.member.pk}[model]
    login(en, world.other_secretary)
    for view in ("change", "history", "delete"):
        outside, missing = (
            en.get(reverse(f"admin:members_{model}_{view}", args=[pk])) for pk in (existing, 999999)
        )
        assert (outside.status_code, missing.status_code) == (404, 404), view
        assert without_tokens(outside) == without_tokens(missing), view
    post = en.post(reverse(f"admin:members_{model}_change", args=[existing]), {"name": "改名"})
    assert post.status_code == 404


def test_change_form_never_shows_the_full_id_or_phone(en, world):
    zhang = member_of(world.member)
    for who in ("secretary", "liaison", "county_officer"):
        html = login(en, getattr(world, who)).get(change_url(zhang)).content.decode()
        assert zhang.masked_id_number in html
        assert zhang.id_number not in html and zhang.phone not in html


def test_secretary_changes_a_member_and_blank_id_keeps_it(en, world):
    zhang = member_of(world.member)
    old_id, old_phone = zhang.id_number, zhang.phone
    response = login(en, world.secretary).post(change_url(zhang), form_data(zhang, employer="厦门某公司"))
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.employer == "厦门某公司"
    assert (zhang.id_number, zhang.phone) == (old_id, old_phone)


def test_secretary_changes_phone_and_id_through_the_service(en, world):
    zhang = member_of(world.member)
    data = form_data(zhang, id_number="11010519491231002x", phone="138 1234 5678")
    assert login(en, world.secretary).post(change_url(zhang), data).status_code == 302
    zhang.refresh_from_db()
    assert zhang.id_number == "11010519491231002X"
    assert zhang.birth_date == datetime.date(1949, 12, 31) and zhang.sex == "female"
    assert zhang.phone == "13812345678"


def test_history_does_not_show_the_id_or_phone(en, world):
    zhang = member_of(world.member)
    login(en, world.secretary).post(change_url(zhang), form_data(zhang, id_number="11010519491231002X",
                                                                 phone="13812345678"))
    html = en.get(reverse("admin:members_member_history", args=[zhang.pk])).content.decode()
    assert "Changed ID number and Mobile number." in html
    assert "11010519491231002X" not in html and "13812345678" not in html


def test_member_cannot_be_moved_to_an_organization_outside_scope(en, world):
    zhang = member_of(world.member)
    data = form_data(zhang, organization=world.other_branch.pk)
    response = login(en, world.secretary).post(change_url(zhang), data)
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    zhang.refresh_from_db()
    assert zhang.organization == world.branch


def test_add_form_offers_only_managed_organizations(en, world):
    form = login(en, world.secretary).get(ADD).context["adminform"].form
    assert list(form.fields["organization"].queryset) == [world.branch]


def test_secretary_adds_a_member_with_encrypted_id(en, world):
    response = login(en, world.secretary).post(ADD, new_member_data(world))
    assert response.status_code == 302
    member = Member.objects.get(name="新党员")
    assert member.id_number == "11010519491231002X"
    assert "11010519491231002X" not in member.id_number_encrypted
    assert member.sex == "female" and member.birth_date == datetime.date(1949, 12, 31)
    assert member.organization == world.branch


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "110108196711301866"}, "id_number", "check character is wrong"),
        ({"id_number": ""}, "id_number", "This field is required."),
        ({"phone": "2381234567"}, "phone", "A mobile number has 11 digits"),
        ({"full_member_on": ""}, "full_member_on", "A full member needs the date"),
        ({"status": "probationary"}, "full_member_on", "A probationary member has no full-membership date"),
        ({"full_member_on": "2014-01-01"}, "full_member_on", "before the date the member joined"),
        ({"joined_party_on": "1960-01-01", "full_member_on": "1961-01-01"}, "joined_party_on",
         "before the member's 18th birthday"),
    ],
)
def test_add_shows_validation_errors_as_field_errors(en, world, overrides, field, message):
    count = Member.objects.count()
    response = login(en, world.secretary).post(ADD, new_member_data(world, **overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert Member.objects.count() == count


def test_duplicate_id_from_the_service_is_a_field_error(en, world):
    wang = member_of(world.other_member)  # in another branch: the ID is unique across all rosters
    response = login(en, world.secretary).post(ADD, new_member_data(world, id_number=wang.id_number))
    assert response.status_code == 200
    assert "already on a roster" in " ".join(response.context["adminform"].form.errors["id_number"])
    assert not Member.objects.filter(name="新党员").exists()


def test_full_width_id_and_phone_are_stored_in_ascii(en, world):
    id_number, phone = factories.full_width("11010519491231002x"), factories.full_width("138 1234 5678")
    data = new_member_data(world, id_number=id_number, phone=phone)
    assert login(en, world.secretary).post(ADD, data).status_code == 302
    member = Member.objects.get(name="新党员")
    assert (member.id_number, member.phone) == ("11010519491231002X", "13812345678")
    assert member.birth_date == datetime.date(1949, 12, 31)


def test_a_full_width_copy_of_another_members_id_is_a_duplicate(en, world):
    wang = member_of(world.other_member)
    typed = factories.full_width(wang.id_number[:17]) + wang.id_number[17]
    response = login(en, world.secretary).post(ADD, new_member_data(world, id_number=typed))
    assert response.status_code == 200
    assert "already on a roster" in " ".join(response.context["adminform"].form.errors["id_number"])
    assert not Member.objects.filter(name="新党员").exists()


def test_secretary_may_not_delete_but_county_officer_may(en, world):
    zhang = member_of(world.member)
    delete = reverse("admin:members_member_delete", args=[zhang.pk])
    assert login(en, world.secretary).post(delete, {"post": "yes"}).status_code == 403
    assert Member.objects.filter(pk=zhang.pk).exists()
    assert login(en, world.county_officer).post(delete, {"post": "yes"}).status_code == 302
    assert not Member.objects.filter(pk=zhang.pk).exists()


# Liaison officers: read only


def test_liaison_sees_but_cannot_change(en, world):
    zhang = member_of(world.member)
    login(en, world.liaison)
    response = en.get(change_url(zhang))
    assert response.status_code == 200
    assert response.context["title"] == "View member"
    assert en.post(change_url(zhang), form_data(zhang, name="改名")).status_code == 403
    zhang.refresh_from_db()
    assert zhang.name == "张三"
    assert en.get(ADD).status_code == 403
    assert en.post(ADD, new_member_data(world)).status_code == 403
    assert not Member.objects.filter(name="新党员").exists()


def test_liaison_has_no_import(en, world):
    login(en, world.liaison)
    html = en.get(CHANGELIST).content.decode()
    assert IMPORT not in html
    assert reverse("admin:members_member_export") in html
    assert en.get(IMPORT).status_code == 403
    assert en.post(reverse("admin:members_member_process_import"), {}).status_code == 403


# Entering the admin


@pytest.mark.parametrize("who", ["member", "other_member"])
def test_non_officer_gets_404_on_every_admin_url(en, world, who):
    login(en, getattr(world, who))
    zhang = member_of(world.member)
    for url in (
        reverse("admin:index"), CHANGELIST, change_url(zhang), IMPORT, POSITIONS,
        reverse("admin:branches_organization_changelist"), reverse("admin:login"), reverse("admin:logout"),
    ):
        assert en.get(url).status_code == 404, url


def test_anonymous_is_sent_to_the_portal_login(en, world):
    response = en.get(CHANGELIST)
    assert response.status_code == 302
    response = en.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/admin/members/member/" in response["Location"]


def test_officer_at_admin_login_goes_to_the_admin(en, world):
    response = login(en, world.secretary).get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_admin_index_lists_what_each_role_may_see(en, world):
    index = reverse("admin:index")
    html = login(en, world.secretary).get(index).content.decode()
    assert CHANGELIST in html and POSITIONS in html
    assert reverse("admin:branches_township_changelist") not in html
    assert reverse("admin:members_user_changelist") not in html
    html = login(en, world.county_officer).get(index).content.decode()
    assert reverse("admin:branches_township_changelist") in html


# Officer positions


def test_positions_visible_in_roster_scope(en, world):
    response = login(en, world.secretary).get(POSITIONS)
    organizations = {p.organization for p in response.context["cl"].result_list}
    assert organizations == {world.branch}
    response = login(en, world.county_officer).get(POSITIONS)
    assert len(response.context["cl"].result_list) == 4


def test_only_overseers_assign_positions(en, world):
    position = Position.objects.get(user=world.secretary)
    login(en, world.secretary)
    assert en.get(POSITION_ADD).status_code == 403
    url = reverse("admin:members_position_change", args=[position.pk])
    assert en.post(url, {"ends_on": "2024-01-01", "contact_phone": ""}).status_code == 403


def test_county_officer_assigns_and_ends_a_position(en, world):
    deputy = factories.user(name="钱副书记")
    factories.member(organization=world.branch, user=deputy)
    login(en, world.county_officer)
    form = en.get(POSITION_ADD).context["adminform"].form
    assert world.city not in form.fields["organization"].queryset
    assert deputy in form.fields["user"].queryset
    response = en.post(POSITION_ADD, {
        "user": deputy.pk, "organization": world.branch.pk, "kind": "deputy_secretary",
        "starts_on": "2024-01-01", "ends_on": "", "contact_phone": "",
    })
    assert response.status_code == 302
    position = Position.objects.get(user=deputy)
    url = reverse("admin:members_position_change", args=[position.pk])
    assert en.post(url, {"ends_on": "2025-01-01", "contact_phone": "0597-1234567"}).status_code == 302
    position.refresh_from_db()
    assert position.ends_on == datetime.date(2025, 1, 1) and position.contact_phone == "0597-1234567"


def test_second_open_secretary_is_a_clear_error(en, world):
    response = login(en, world.county_officer).post(POSITION_ADD, {
        "user": world.member.pk, "organization": world.branch.pk, "kind": "secretary",
        "starts_on": "2024-01-01", "ends_on": "", "contact_phone": "",
    })
    assert response.status_code == 200
    assert "already has a secretary" in " ".join(response.context["adminform"].form.errors["kind"])
    assert not Position.objects.filter(user=world.member).exists()


def test_position_outside_oversight_is_refused(en, world):
    response = login(en, world.county_officer).post(POSITION_ADD, {
        "user": world.member.pk, "organization": world.city.pk, "kind": "committee_member",
        "starts_on": "2024-01-01", "ends_on": "", "contact_phone": "",
    })
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Position.objects.filter(user=world.member).exists()


# Accounts


def test_superuser_sees_every_member(en, world):
    root = factories.user()
    root.is_superuser = True
    root.save()
    factories.totp(root)
    assert names(login(en, root).get(CHANGELIST)) == ["张三", "李书记", "王五", "赵书记"]


def test_accounts_are_for_superusers_only(en, world):
    users = reverse("admin:members_user_changelist")
    assert login(en, world.county_officer).get(users).status_code == 403
    root = factories.user()
    root.is_superuser = True
    root.save()
    factories.totp(root)
    response = login(en, root).get(users)
    assert response.status_code == 200
    assert world.secretary.email in response.content.decode()
