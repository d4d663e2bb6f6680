import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings.compliance import (
    DEFAULT_PER_YEAR,
    branch_compliance,
    county_compliance,
    member_attendance_history,
)
from meetings.models import Attendance, Meeting, MeetingKind, MeetingRequirement
from tests import factories

K = MeetingKind
NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12))


def meeting(world, when, *, kind=K.THEME_DAY, branches=None, status=Meeting.Status.SCHEDULED, hours=2):
    starts = timezone.make_aware(when) if timezone.is_naive(when) else when
    m = Meeting.objects.create(
        organization=(branches or [world.branch])[0], kind=kind, title=f"{kind} {starts:%Y-%m-%d}",
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours), mode=Meeting.Mode.PORTAL,
        status=status, created_by=world.secretary,
    )
    m.invited_organizations.set(branches or [world.branch])
    return m


def held(report, kind):
    return next(k for k in report.kinds if k.kind == kind)


def test_defaults_follow_domain(world):
    report = branch_compliance(world.branch, 2026, now=NOW)
    assert {k.kind: k.required for k in report.kinds} == DEFAULT_PER_YEAR
    assert report.required == 4 + 12 + 12 + 4 + 12 + 1 + 1
    assert report.held == 0 and report.is_behind


def test_held_counts_only_ended_not_cancelled_in_the_year(world):
    meeting(world, datetime.datetime(2026, 3, 1, 9))
    meeting(world, datetime.datetime(2026, 4, 1, 9))
    meeting(world, datetime.datetime(2026, 5, 1, 9), status=Meeting.Status.CANCELLED)
    meeting(world, datetime.datetime(2026, 11, 20, 11))  # still going on at NOW
    meeting(world, datetime.datetime(2026, 12, 1, 9))  # in the future
    meeting(world, datetime.datetime(2025, 12, 31, 23))  # last year, ends on New Year's Day
    meeting(world, datetime.datetime(2026, 1, 1, 0, 30))  # this year in Shanghai, still 2025 in UTC
    meeting(world, datetime.datetime(2026, 6, 1, 9), kind=K.PARTY_LECTURE)
    report = branch_compliance(world.branch, 2026, now=NOW)
    assert held(report, K.THEME_DAY).held == 3
    assert held(report, K.PARTY_LECTURE).held == 1
    assert held(report, K.GENERAL_MEETING).held == 0
    assert branch_compliance(world.branch, 2025, now=NOW).kinds[4].held == 1


def test_joint_meeting_counts_for_each_invited_branch(world):
    both = [world.branch, world.other_branch]
    meeting(world, datetime.datetime(2026, 3, 1, 9), kind=K.PARTY_LECTURE, branches=both)
    for org in (world.branch, world.other_branch):
        assert held(branch_compliance(org, 2026, now=NOW), K.PARTY_LECTURE).held == 1


def test_requirements_override_nearest_first_year_before_every_year(world):
    MeetingRequirement.objects.create(organization=None, year=None, kind=K.THEME_DAY, per_year=10)
    MeetingRequirement.objects.create(organization=world.county, year=None, kind=K.THEME_DAY, per_year=8)
    MeetingRequirement.objects.create(organization=world.county, year=2026, kind=K.THEME_DAY, per_year=6)
    MeetingRequirement.objects.create(organization=world.other_branch, kind=K.THEME_DAY, per_year=2)
    assert held(branch_compliance(world.branch, 2026), K.THEME_DAY).required == 6
    assert held(branch_compliance(world.branch, 2025), K.THEME_DAY).required == 8
    assert held(branch_compliance(world.other_branch, 2026), K.THEME_DAY).required == 2
    assert held(branch_compliance(world.city, 2026), K.THEME_DAY).required == 10


def test_more_than_required_does_not_hide_another_kind(world):
    MeetingRequirement.objects.create(organization=None, year=None, kind=K.PARTY_LECTURE, per_year=1)
    for month in (1, 2, 3):
        meeting(world, datetime.datetime(2026, month, 5, 9), kind=K.PARTY_LECTURE)
    report = branch_compliance(world.branch, 2026, now=NOW)
    assert held(report, K.PARTY_LECTURE).held == 3 and held(report, K.PARTY_LECTURE).missing == 0
    assert report.held == 1 and report.missing == report.required - 1


def test_county_lists_branches_behind_first(world, django_assert_num_queries):
    MeetingRequirement.objects.bulk_create(
        [MeetingRequirement(organization=None, year=None, kind=k, per_year=0) for k in K.values]
    )
    MeetingRequirement.objects.create(organization=None, year=2026, kind=K.THEME_DAY, per_year=1)
    meeting(world, datetime.datetime(2026, 3, 1, 9), branches=[world.branch])
    for i in range(3):
        factories.organization(parent=world.general_branch, name=f"第{i}支部", code=f"LY-YD-G-1{i}")
    orgs = world.county.__class__.objects.filter(path__startswith=world.county.path)
    # requirements, branches, meetings held
    with django_assert_num_queries(3):
        reports = county_compliance(orgs, 2026, now=NOW)
    names = [r.organization.name for r in reports]
    assert len(names) == 5 and names[-1] == "厦门第一支部"
    assert [r.is_behind for r in reports] == [True] * 4 + [False]


def test_attendance_history(world):
    member = world.member.member
    member.member_since = datetime.date(2020, 1, 1)
    member.save()
    went = meeting(world, datetime.datetime(2026, 3, 1, 9))
    leave = meeting(world, datetime.datetime(2026, 4, 1, 9))
    absent = meeting(world, datetime.datetime(2026, 5, 1, 9))
    future = meeting(world, datetime.datetime(2026, 12, 1, 9))
    meeting(world, datetime.datetime(2026, 5, 2, 9))  # before they joined: no record, not entitled
    Attendance.objects.create(meeting=went, member=member, checked_in_at=went.starts_at)
    Attendance.objects.create(meeting=leave, member=member, reply="leave", leave_reason="出差")
    Attendance.objects.create(meeting=absent, member=member)
    Attendance.objects.create(meeting=future, member=member, reply="attending")
    history = list(member_attendance_history(member, now=NOW))
    assert [m.starts_at.month for m in history] == [5, 4, 3]
    assert not history[0].my_attendance[0].attended and history[1].my_attendance[0].reply == "leave"
    assert history[2].my_attendance[0].attended


# Pages


@pytest.fixture
def year_of_meetings(world):
    """Meetings attended in January to March; the pages are looked at on NOW, later that year."""
    world.member.member.member_since = datetime.date(2020, 1, 1)
    world.member.member.save()
    for month in range(1, 4):
        m = meeting(world, datetime.datetime(NOW.year, month, 5, 9))
        Attendance.objects.create(meeting=m, member=world.member.member, checked_in_at=m.starts_at)
    with time_machine.travel(NOW, tick=True):
        yield


def test_branch_page(en, world, year_of_meetings, django_assert_num_queries):
    en.force_login(world.liaison)
    url = reverse("compliance:branch", args=[world.branch.pk])
    # user, positions, organization, requirements, meetings held, unread notifications, member (nav)
    with django_assert_num_queries(7):
        page = en.get(url)
    assert page.status_code == 200
    assert "Theme Party Day" in page.text and "meetings still to hold" in page.text
    en.force_login(world.other_secretary)
    assert en.get(url).status_code == 404
    en.force_login(world.member)
    assert en.get(url).status_code == 404


def test_county_page(en, world, year_of_meetings, django_assert_num_queries):
    en.force_login(world.county_officer)
    url = reverse("compliance:county")
    # user, positions, branches, requirements, meetings held, unread notifications, member (nav)
    with django_assert_num_queries(7):
        page = en.get(url)
    assert page.status_code == 200
    assert page.text.index("深圳第一支部") < page.text.index("厦门第一支部")  # furthest behind first
    assert "2 branches are behind" in page.text
    for persona in (world.secretary, world.liaison, world.member):
        en.force_login(persona)
        assert en.get(url).status_code == 404
    en.logout()
    assert en.get(url).status_code == 302


def test_attendance_pages(en, world, year_of_meetings, django_assert_num_queries):
    en.force_login(world.member)
    # user, positions, member, count, unread notifications, meetings, my attendance
    with django_assert_num_queries(7):
        page = en.get(reverse("compliance:my_attendance"))
    assert page.status_code == 200 and page.text.count("attended") >= 3
    url = reverse("compliance:member_attendance", args=[world.member.member.pk])
    assert en.get(url).status_code == 404
    en.force_login(world.secretary)
    assert en.get(url).status_code == 200
    en.force_login(world.other_secretary)
    assert en.get(url).status_code == 404
