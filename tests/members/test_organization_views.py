"""Organization pages: a branch's page, the officers' roster and the list of organizations."""

import pytest
from django.urls import reverse

from members.models import Member
from members.organization_views import ROSTER_PAGE_SIZE
from tests import factories


def detail(org):
    return reverse("branches:detail", args=[org.pk])


def roster(org):
    return reverse("branches:roster", args=[org.pk])


LIST = reverse("branches:list")


def login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# A branch's page


@pytest.mark.parametrize("persona", ["member", "secretary", "liaison", "county_officer"])
def test_branch_page_is_open_to_its_members_officers_and_overseers(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(detail(world.branch))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.branch.name in html
    assert "李书记" in html and "13900000001" in html
    assert "陈联络员" in html


def test_branch_page_shows_counts_and_what_it_serves(client, world, django_assert_num_queries):
    from branches.models import Township, WorkPlace

    world.branch.work_places.add(WorkPlace.objects.create(name="厦门", province="福建"))
    world.branch.home_townships.add(Township.objects.create(name="湖坑镇", code="350822104"))
    factories.member(organization=world.branch, status=Member.Status.PROBATIONARY)
    client.force_login(world.member)
    # user (session is cached), organization, member (own branch, so no position check), ancestors, officers,
    # member counts, work places, home townships, positions (navigation); a branch has no children
    # + the unread notifications count (header)
    with django_assert_num_queries(10):
        response = client.get(detail(world.branch))
    assert response.context["counts"] == {"full": 2, "probationary": 1, "total": 3}
    html = response.content.decode()
    assert "厦门" in html and "湖坑镇" in html
    assert world.general_branch.name in html
    assert f'href="{roster(world.branch)}"' not in html


def test_branch_page_links_roster_for_officers_only(client, world):
    client.force_login(world.secretary)
    response = client.get(detail(world.branch))
    html = response.content.decode()
    assert f'href="{roster(world.branch)}"' in html
    assert f'href="/admin/members/member/?organization__id__exact={world.branch.pk}"' in html
    assert response.context["can_manage"]
    client.force_login(world.liaison)
    response = client.get(detail(world.branch))
    html = response.content.decode()
    assert f'href="{roster(world.branch)}"' in html
    assert "/admin/" not in html.split("<main")[1]
    assert not response.context["can_manage"]


def test_general_branch_page_lists_its_branches(client, world, django_assert_num_queries):
    client.force_login(world.county_officer)
    # user (session is cached), organization, member (none), positions, ancestors, officers, member counts,
    # work places, home townships, children, the unread count (header)
    with django_assert_num_queries(11):
        response = client.get(detail(world.general_branch))
    assert response.context["counts"]["total"] == 4
    html = response.content.decode()
    assert f'href="{detail(world.branch)}"' in html and f'href="{detail(world.other_branch)}"' in html


@pytest.mark.parametrize("persona", ["other_member", "other_secretary"])
def test_branch_page_is_404_for_outsiders(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(detail(world.branch)).status_code == 404


def test_branch_page_is_404_for_a_member_above_their_branch(client, world):
    client.force_login(world.member)
    assert client.get(detail(world.general_branch)).status_code == 404


def test_branch_page_is_404_for_a_missing_organization(client, world):
    client.force_login(world.county_officer)
    assert client.get(reverse("branches:detail", args=[999999])).status_code == 404


def test_branch_page_sends_anonymous_to_login(client, world):
    assert login_redirect(client.get(detail(world.branch)))


# The roster


def add_members(org, count, **fields):
    return [factories.member(organization=org, **fields) for _ in range(count)]


def test_roster_lists_the_branch_members_masked(client, world, django_assert_num_queries):
    client.force_login(world.secretary)
    # user (session is cached), positions, the authenticator app (two-factor check), organization, count,
    # page of members with organization, township and work place, member (navigation)
    # + the unread notifications count (header)
    with django_assert_num_queries(8):
        response = client.get(roster(world.branch))
    assert response.status_code == 200
    html = response.content.decode()
    for member in Member.objects.filter(organization=world.branch):
        assert member.name in html
        assert member.masked_id_number in html and member.masked_phone in html
        assert member.id_number not in html
        assert member.phone not in html
    assert "王五" not in html


def test_roster_query_count_does_not_grow_with_members(client, world, django_assert_num_queries):
    add_members(world.branch, ROSTER_PAGE_SIZE + 5)
    client.force_login(world.secretary)
    # + the unread notifications count (header)
    with django_assert_num_queries(8):
        client.get(roster(world.branch))
    # + the unread notifications count (header)
    with django_assert_num_queries(8):
        client.get(roster(world.branch), {"page": 2})


def test_roster_pages_by_25(client, world):
    add_members(world.branch, ROSTER_PAGE_SIZE)  # 27 with the two from the world
    client.force_login(world.secretary)
    first = client.get(roster(world.branch))
    assert len(first.context["page"].object_list) == ROSTER_PAGE_SIZE
    assert first.context["page"].paginator.num_pages == 2
    assert "?page=2" in first.content.decode()
    second = client.get(roster(world.branch), {"page": 2})
    assert len(second.context["page"].object_list) == 2
    names = {m.name for m in first.context["page"]} | {m.name for m in second.context["page"]}
    assert len(names) == ROSTER_PAGE_SIZE + 2
    assert client.get(roster(world.branch), {"page": "abc"}).context["page"].number == 1


def test_roster_search_by_name(client, world):
    factories.member(organization=world.branch, name="张小明")
    factories.member(organization=world.other_branch, name="张大明")
    client.force_login(world.secretary)
    response = client.get(roster(world.branch), {"q": "张"})
    names = [m.name for m in response.context["page"]]
    assert names == ["张三", "张小明"]
    html = response.content.decode()
    assert "张大明" not in html
    assert 'value="张"' in html
    assert client.get(roster(world.branch), {"q": "不存在"}).context["page"].paginator.count == 0


def test_roster_search_is_kept_across_pages(client, world):
    add_members(world.branch, ROSTER_PAGE_SIZE + 1, name="林某")
    client.force_login(world.secretary)
    html = client.get(roster(world.branch), {"q": "林某"}).content.decode()
    assert "?q=%E6%9E%97%E6%9F%90&amp;page=2" in html


def test_roster_of_general_branch_covers_its_branches(client, world):
    client.force_login(world.county_officer)
    response = client.get(roster(world.general_branch))
    assert response.context["page"].paginator.count == 4
    assert response.context["show_organization"]


def test_roster_links_rows_to_the_admin_for_managers(client, world):
    client.force_login(world.secretary)
    html = client.get(roster(world.branch)).content.decode()
    for member in Member.objects.filter(organization=world.branch):
        assert f'href="{reverse("admin:members_member_change", args=[member.pk])}"' in html


def test_roster_for_liaison_is_read_only(client, world):
    client.force_login(world.liaison)
    response = client.get(roster(world.branch))
    assert response.status_code == 200
    assert not response.context["can_manage"]
    assert "/admin/members/member/" not in response.content.decode()


@pytest.mark.parametrize("persona", ["member", "other_member", "other_secretary"])
def test_roster_is_404_for_members_and_outsiders(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(roster(world.branch)).status_code == 404


def test_roster_is_404_above_the_officers_organization(client, world):
    client.force_login(world.secretary)
    assert client.get(roster(world.general_branch)).status_code == 404


def test_roster_sends_anonymous_to_login(client, world):
    assert login_redirect(client.get(roster(world.branch)))


# The list of organizations


def test_organization_list_shows_the_tree_with_counts(client, world, django_assert_num_queries):
    factories.member(organization=world.other_branch, status=Member.Status.PROBATIONARY)
    client.force_login(world.county_officer)
    # user (session is cached), positions, the authenticator app (two-factor check), organizations with
    # subtree counts, member (navigation), the unread count (header)
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert response.status_code == 200
    orgs = {org.name: (org.indent, org.full, org.probationary) for org in response.context["organizations"]}
    assert orgs == {
        world.county.name: (0, 4, 1),
        world.general_branch.name: (1, 4, 1),
        world.branch.name: (2, 2, 0),
        world.other_branch.name: (2, 2, 1),
    }
    assert world.city.name not in response.content.decode()


def test_organization_list_query_count_does_not_grow(client, world, django_assert_num_queries):
    for _ in range(3):
        branch = factories.organization(parent=world.general_branch)
        add_members(branch, 2)
    client.force_login(world.county_officer)
    # + the unread notifications count (header)
    with django_assert_num_queries(6):
        client.get(LIST)


def test_organization_list_for_secretary_is_their_branch(client, world):
    client.force_login(world.secretary)
    response = client.get(LIST)
    assert [org.name for org in response.context["organizations"]] == [world.branch.name]


@pytest.mark.parametrize("persona", ["member", "other_member"])
def test_organization_list_is_404_for_non_officers(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(LIST).status_code == 404


def test_organization_list_sends_anonymous_to_login(client, world):
    assert login_redirect(client.get(LIST))


def test_outsider_404_is_the_site_page_and_names_nothing(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.other_member)
    response = client.get(detail(world.branch))
    assert response.status_code == 404
    html = response.content.decode()
    assert '<div class="code">404</div>' in html
    assert world.branch.name not in html
    assert "李书记" not in html
