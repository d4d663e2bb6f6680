import datetime
from zoneinfo import ZoneInfo

import pytest

from members.points.models import PointEntry, PointRule
from members.points.selectors import branch_ranking, member_point_entries, member_points_total
from members.points.services import point_rule_for, points_award, points_award_many
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def _at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=SH)


def _rule(organization=None, points=2, daily_cap=None):
    return PointRule.objects.create(
        organization=organization, year=2026, code="meeting_attended", name="r", points=points,
        daily_cap=daily_cap,
    )


def _award(member, source, when):
    return points_award(member=member, code="meeting_attended", source=source, when=when)


@pytest.fixture
def sources(db):
    """Any saved model instance can be a source; organizations are handy ones."""
    root = factories.organization(name="source root", code="SRC")
    return [factories.organization(parent=root, name=f"source {i}", code=f"SRC-{i}") for i in range(6)]


def test_default_rules_are_created_lazily_per_year(world, sources):
    member = world.member.member
    entry = points_award(member=member, code="meeting_attended", source=sources[0], when=_at(2026, 3, 1))
    assert entry.amount == 2
    assert entry.rule.organization is None and entry.rule.year == 2026
    assert entry.awarded_on == datetime.date(2026, 3, 1)
    points_award(member=member, code="checkin_on_time", source=sources[0], when=_at(2025, 3, 1))
    assert set(PointRule.objects.values_list("code", "year")) == {
        ("meeting_attended", 2026), ("checkin_on_time", 2025)
    }


def test_unknown_rule_pays_nothing(world, sources):
    assert points_award(member=world.member.member, code="no_such_rule", source=sources[0]) is None
    assert not PointEntry.objects.exists()


def test_same_source_never_pays_twice(world, sources):
    member = world.member.member
    assert points_award(member=member, code="meeting_attended", source=sources[0])
    assert points_award(member=member, code="meeting_attended", source=sources[0]) is None
    # Another rule for the same source, and the same rule for another source, do pay.
    assert points_award(member=member, code="checkin_on_time", source=sources[0])
    assert points_award(member=member, code="meeting_attended", source=sources[1])
    assert member_points_total(member) == 2 + 1 + 2


def test_nearest_ancestor_rule_wins(world, sources):
    _rule(points=2)
    _rule(world.county, points=5)
    _rule(world.general_branch, points=3)
    _rule(world.other_branch, points=9)
    assert point_rule_for(organization=world.branch, code="meeting_attended", year=2026).points == 3
    assert point_rule_for(organization=world.county, code="meeting_attended", year=2026).points == 5
    assert point_rule_for(organization=world.city, code="meeting_attended", year=2026).points == 2
    entry = _award(world.member.member, sources[0], _at(2026, 5, 1))
    assert entry.amount == 3


def test_daily_cap_per_shanghai_day(world, sources):
    _rule(daily_cap=3)
    member = world.member.member
    assert _award(member, sources[0], _at(2026, 5, 1, 9)).amount == 2
    # The rest of the cap is paid, then nothing more that day.
    assert _award(member, sources[1], _at(2026, 5, 1, 12)).amount == 1
    assert _award(member, sources[2], _at(2026, 5, 1, 23)) is None
    # 00:30 in Shanghai on the 2nd is still the 1st in UTC: a new day in the ledger.
    entry = points_award(member=member, code="meeting_attended", source=sources[3], when=_at(2026, 5, 2, 0))
    assert entry.amount == 2 and entry.awarded_on == datetime.date(2026, 5, 2)
    assert member_points_total(member) == 5


def test_cap_is_per_member(world, sources):
    _rule(daily_cap=2)
    when = _at(2026, 5, 1)
    assert points_award(member=world.member.member, code="meeting_attended", source=sources[0], when=when)
    assert points_award(member=world.secretary.member, code="meeting_attended", source=sources[0], when=when)


def test_ledger_and_ranking(world, sources):
    member, secretary, other = world.member.member, world.secretary.member, world.other_member.member
    for source in sources[:3]:
        points_award(member=secretary, code="meeting_attended", source=source, when=_at(2026, 4, 1))
    points_award(member=member, code="meeting_attended", source=sources[0], when=_at(2025, 4, 1))
    points_award(member=other, code="meeting_attended", source=sources[0], when=_at(2026, 4, 1))
    assert [e.amount for e in member_point_entries(secretary)] == [2, 2, 2]
    ranking = list(branch_ranking(world.branch))
    assert [(m.name, m.points) for m in ranking] == [("李书记", 6), ("张三", 2)]
    ranking = list(branch_ranking(world.branch, year=2026))
    assert [(m.name, m.points) for m in ranking] == [("李书记", 6), ("张三", 0)]
    assert [m.name for m in branch_ranking(world.general_branch)][0] == "李书记"


def test_award_many_follows_the_same_rules(world, sources, django_assert_max_num_queries):
    _rule(daily_cap=5)
    member, secretary = world.member.member, world.secretary.member
    points_award(member=member, code="meeting_attended", source=sources[0], when=_at(2026, 5, 1))
    awards = [(member, "meeting_attended", source, _at(2026, 5, 1)) for source in sources]  # 1st already paid
    awards += [(member, "meeting_attended", sources[0], _at(2026, 5, 1))]  # twice in one batch
    awards += [(secretary, "checkin_on_time", sources[0], _at(2026, 5, 1))]
    awards += [(member, "no_such_rule", sources[0], _at(2026, 5, 1))]
    with django_assert_max_num_queries(12):
        entries = points_award_many(awards)
    assert sorted(e.amount for e in entries if e.member == member) == [1, 2]  # the cap of 5 a day
    assert member_points_total(member) == 5 and member_points_total(secretary) == 1
    assert points_award_many(awards) == []


def test_default_rule_names_are_stored_in_the_source_language_and_shown_translated(world, sources):
    from django.utils import translation

    member = factories.member(organization=world.branch)
    with translation.override("zh-hans"):
        entry = _award(member, sources[0], _at(2026, 3, 2))
        assert entry.rule.name == "Meeting attended"
        assert entry.rule.display_name != "Meeting attended"
    with translation.override("en"):
        assert entry.rule.display_name == "Meeting attended"
