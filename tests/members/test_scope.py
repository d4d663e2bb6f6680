from members.scope import Scope
from tests import factories


def test_member_sees_own_branch_page_but_no_roster(world):
    scope = Scope(world.member)
    assert scope.can_view(world.branch)
    assert not scope.can_read_roster(world.branch)
    assert not scope.can_view(world.other_branch)
    assert not scope.members().exists()
    assert not scope.is_officer


def test_secretary_manages_only_own_branch(world):
    scope = Scope(world.secretary)
    assert scope.can_manage(world.branch)
    assert not scope.can_manage(world.other_branch)
    assert not scope.can_manage(world.general_branch)
    assert set(scope.members().values_list("organization", flat=True)) == {world.branch.pk}


def test_liaison_reads_roster_but_cannot_manage(world):
    scope = Scope(world.liaison)
    assert scope.can_read_roster(world.branch)
    assert not scope.can_manage(world.branch)
    assert not scope.managed_members().exists()
    assert scope.members().count() == 2


def test_county_officer_manages_the_whole_subtree(world):
    scope = Scope(world.county_officer)
    for org in (world.county, world.general_branch, world.branch, world.other_branch):
        assert scope.can_manage(org)
    assert not scope.can_manage(world.city)
    assert scope.members().count() == 4
    assert scope.can_oversee(world.branch)


def test_ended_position_grants_nothing(world):
    import datetime

    former = factories.user()
    factories.position(
        user=former, organization=world.branch, kind="committee_member",
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1),
    )
    scope = Scope(former)
    assert not scope.is_officer
    assert not scope.can_view(world.branch)
