"""The organization tree, townships and work places in the officers' admin."""

import pytest
from django.urls import reverse

from branches.models import Organization, Township, WorkPlace

ORGANIZATIONS = reverse("admin:branches_organization_changelist")
ADD = reverse("admin:branches_organization_add")
MOVE = ORGANIZATIONS + "move/"
TOWNSHIPS = reverse("admin:branches_township_changelist")
WORK_PLACES = reverse("admin:branches_workplace_changelist")


@pytest.fixture
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def change_url(org):
    return reverse("admin:branches_organization_change", args=[org.pk])


def listed(response):
    return [org.name for org in response.context["cl"].result_list]


def org_data(org, **overrides):
    data = {
        "name": org.name, "short_name": org.short_name, "kind": org.kind, "code": org.code,
        "address": org.address, "postcode": org.postcode, "phone": org.phone, "email": org.email,
    }
    data.update(overrides)
    return data


# The tree, one level at a time, from each user's top


@pytest.mark.parametrize(
    ("who", "top"),
    [("secretary", ["厦门第一支部"]), ("liaison", ["厦门第一支部"]), ("county_officer", ["中共永定区委"])],
)
def test_tree_starts_at_the_users_top_organizations(en, world, who, top):
    response = login(en, getattr(world, who)).get(ORGANIZATIONS)
    assert response.status_code == 200
    assert listed(response) == top


def test_tree_children_within_scope(en, world):
    login(en, world.county_officer)
    response = en.get(f"{ORGANIZATIONS}children/{world.general_branch.pk}/")
    assert response.status_code == 200
    assert world.branch.name in response.json()["result_html"]
    assert en.get(f"{ORGANIZATIONS}children/{world.city.pk}/").status_code == 404


def test_search_looks_at_the_whole_scope(en, world):
    response = login(en, world.county_officer).get(ORGANIZATIONS, {"q": "支部"})
    assert sorted(listed(response)) == sorted(["土楼e支部党总支", "厦门第一支部", "深圳第一支部"])
    response = login(en, world.secretary).get(ORGANIZATIONS, {"q": "支部"})
    assert listed(response) == ["厦门第一支部"]


def test_organization_outside_scope_is_404(en, world):
    login(en, world.secretary)
    assert en.get(change_url(world.other_branch)).status_code == 404
    assert en.post(change_url(world.other_branch), org_data(world.other_branch, phone="1")).status_code == 404


# Who may change what


def test_secretary_edits_contact_details_only(en, world):
    login(en, world.secretary)
    form = en.get(change_url(world.branch)).context["adminform"].form
    assert set(form.fields) == {"address", "postcode", "phone", "email"}
    response = en.post(change_url(world.branch), org_data(
        world.branch, name="改名支部", code="X-1", phone="0592-1234567", address="厦门市思明区",
    ))
    assert response.status_code == 302
    world.branch.refresh_from_db()
    assert (world.branch.phone, world.branch.address) == ("0592-1234567", "厦门市思明区")
    assert (world.branch.name, world.branch.code) == ("厦门第一支部", "LY-YD-G-01")


def test_secretary_cannot_create_or_move_organizations(en, world):
    login(en, world.secretary)
    assert en.get(ADD).status_code == 403
    count = Organization.objects.count()
    move = {"node": world.branch.pk, "target": world.branch.pk, "relation": "sibling"}
    assert en.post(MOVE, move).status_code == 403
    assert en.post(MOVE, {**move, "target": world.other_branch.pk}).status_code == 404  # outside scope
    assert Organization.objects.count() == count
    world.branch.refresh_from_db()
    assert world.branch.depth == 4


def test_liaison_views_read_only(en, world):
    login(en, world.liaison)
    response = en.get(change_url(world.branch))
    assert response.status_code == 200 and response.context["title"] == "View organization"
    assert en.post(change_url(world.branch), org_data(world.branch, phone="1")).status_code == 403


def test_county_officer_creates_a_branch_under_the_general_branch(en, world):
    login(en, world.county_officer)
    ref = en.get(ADD).context["adminform"].form.fields["treebeard_ref_node"]
    assert world.city not in ref.queryset and world.general_branch in ref.queryset
    response = en.post(ADD, {
        **org_data(Organization(kind="branch"), name="广州第一支部", code="LY-YD-G-03"),
        "treebeard_position": "sorted-child", "treebeard_ref_node": world.general_branch.pk,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Organization.objects.get(code="LY-YD-G-03")
    assert Organization.objects.get_parent(created) == world.general_branch


def test_county_officer_cannot_create_outside_the_subtree(en, world):
    login(en, world.county_officer)
    count = Organization.objects.count()
    for ref in ({"treebeard_ref_node": world.city.pk, "treebeard_position": "sorted-child"},
                {"treebeard_ref_node": "", "treebeard_position": "sorted-child"},
                {"treebeard_ref_node": world.county.pk, "treebeard_position": "sorted-sibling"}):
        response = en.post(ADD, {**org_data(Organization(kind="branch"), name="外部", code="X-9"), **ref})
        assert response.status_code == 200
        assert "treebeard_ref_node" in response.context["adminform"].form.errors
    assert Organization.objects.count() == count


def test_county_officer_moves_a_branch_within_the_subtree_only(en, world):
    login(en, world.county_officer)
    data = {"node": world.other_branch.pk, "target": world.branch.pk, "relation": "sibling"}
    assert en.post(MOVE, data).status_code == 200
    own_node = {"node": world.county.pk, "target": world.general_branch.pk, "relation": "sibling"}
    assert en.post(MOVE, own_node).status_code == 403  # their own top node stays where it is
    assert en.post(MOVE, {**data, "target": world.county.pk, "relation": "sibling"}).status_code == 403
    assert en.post(MOVE, {**data, "target": world.city.pk, "relation": "child"}).status_code == 404
    world.other_branch.refresh_from_db()
    assert Organization.objects.get_parent(world.other_branch) == world.general_branch


def test_county_officer_edits_own_node_but_not_its_place(en, world):
    form = login(en, world.county_officer).get(change_url(world.county)).context["adminform"].form
    assert "treebeard_ref_node" not in form.fields and "name" not in form.fields
    assert "phone" in form.fields and "home_townships" in form.fields


# Townships and work places: overseers only


@pytest.mark.parametrize("who", ["secretary", "liaison"])
def test_townships_and_work_places_hidden_from_branch_officers(en, world, who):
    login(en, getattr(world, who))
    township = Township.objects.create(name="湖坑镇", code="350822108")
    assert en.get(TOWNSHIPS).status_code == 403
    assert en.get(WORK_PLACES).status_code == 403
    assert en.get(reverse("admin:branches_township_change", args=[township.pk])).status_code == 404


def test_county_officer_manages_townships(en, world):
    login(en, world.county_officer)
    hukeng = Township.objects.create(name="湖坑镇", code="350822108")
    response = en.post(reverse("admin:branches_township_add"), {
        "name": "高头镇", "code": "350822115", "neighbours": [hukeng.pk],
    })
    assert response.status_code == 302
    assert list(Township.objects.get(name="高头镇").neighbours.all()) == [hukeng]
    WorkPlace.objects.create(name="厦门", province="福建")
    assert "厦门" in en.get(WORK_PLACES).content.decode()


def test_township_list_query_count(en, world, django_assert_num_queries):
    login(en, world.county_officer)
    for n in range(5):
        Township.objects.create(name=f"镇{n}", code=f"3508221{n:02d}")
    # user (session is cached), the user's positions (scope), their authenticator app (two-factor check),
    # count, the page of townships, their neighbours
    with django_assert_num_queries(6):
        assert en.get(TOWNSHIPS).status_code == 200
