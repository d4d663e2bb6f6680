"""The branch suggestion rule: same work place first, then the home township, then a neighbour."""

import pytest

from branches.models import Organization, Township, WorkPlace
from branches.services import branch_candidates, branch_suggest
from tests import factories

K = Organization.Kind


@pytest.fixture
def places(db):
    """Three townships in a row (A borders B, B borders C), a lone one, two cities and branches:

    xm_a: Xiamen, takes A        xm_c: Xiamen, takes C        sz_b: Shenzhen, takes B
    """
    townships = {
        name: Township.objects.create(name=name, code=code)
        for name, code in [("A镇", "T1"), ("B镇", "T2"), ("C镇", "T3"), ("孤镇", "T4")]
    }
    townships["A镇"].neighbours.add(townships["B镇"])
    townships["B镇"].neighbours.add(townships["C镇"])
    xiamen = WorkPlace.objects.create(name="厦门市", province="福建省")
    shenzhen = WorkPlace.objects.create(name="深圳市", province="广东省")
    beijing = WorkPlace.objects.create(name="北京市", province="北京市")
    general = factories.organization(kind=K.GENERAL_BRANCH, code="G")
    general.work_places.add(xiamen, shenzhen, beijing)  # not a branch: never suggested
    general.home_townships.add(*townships.values())

    def branch(code, place, *taken):
        org = factories.organization(parent=general, code=code, name=code)
        org.work_places.add(place)
        org.home_townships.add(*[townships[name] for name in taken])
        return org

    return {
        **townships, "厦门市": xiamen, "深圳市": shenzhen, "北京市": beijing,
        "xm_a": branch("G-1", xiamen, "A镇"), "xm_c": branch("G-2", xiamen, "C镇"),
        "sz_b": branch("G-3", shenzhen, "B镇"),
    }


def suggest(places, work_place, township):
    return branch_suggest(
        work_place=places[work_place] if work_place else None,
        home_township=places[township] if township else None,
    )


def test_same_work_place_and_township(places):
    assert suggest(places, "厦门市", "A镇") == places["xm_a"]
    assert suggest(places, "厦门市", "C镇") == places["xm_c"]


def test_work_place_comes_before_a_branch_that_takes_the_township(places):
    # sz_b takes B, but a member working in Xiamen belongs to a Xiamen branch.
    assert suggest(places, "厦门市", "B镇") in {places["xm_a"], places["xm_c"]}
    assert suggest(places, "深圳市", "A镇") == places["sz_b"]


def test_neighbour_decides_between_branches_of_the_same_place(places):
    places["A镇"].neighbours.add(places["孤镇"])
    assert suggest(places, "厦门市", "孤镇") == places["xm_a"]


def test_ties_go_to_the_lowest_code(places):
    # B borders both A (xm_a) and C (xm_c): equally near, so the lower code wins.
    assert suggest(places, "厦门市", "B镇") == places["xm_a"]


def test_no_branch_at_the_work_place_falls_back_to_the_township_then_a_neighbour(places):
    assert suggest(places, "北京市", "B镇") == places["sz_b"]
    assert suggest(places, "北京市", "C镇") == places["xm_c"]
    assert suggest(places, None, "A镇") == places["xm_a"]


def test_work_place_alone_is_enough(places):
    assert suggest(places, "深圳市", None) == places["sz_b"]
    assert suggest(places, "深圳市", "孤镇") == places["sz_b"]


def test_nothing_matches_gives_none(places):
    assert suggest(places, "北京市", "孤镇") is None
    assert suggest(places, None, "孤镇") is None
    assert suggest(places, None, None) is None


def test_candidates_are_ranked_work_place_then_township_then_neighbour(places):
    ranked = list(branch_candidates(work_place=places["深圳市"], home_township=places["A镇"]))
    # sz_b serves Shenzhen; xm_a takes A; xm_c is not near A (C borders only B).
    assert ranked == [places["sz_b"], places["xm_a"]]
    ranked = list(branch_candidates(work_place=places["北京市"], home_township=places["B镇"]))
    assert ranked == [places["sz_b"], places["xm_a"], places["xm_c"]]


def test_suggestion_is_one_query(places, django_assert_num_queries):
    # The ranked branches with their three counts, neighbours as a subquery.
    with django_assert_num_queries(1):
        suggest(places, "厦门市", "B镇")
