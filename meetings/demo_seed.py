"""Demo meetings (found by `seed_demo`): a year of past meetings for the demo branch and a few others,
with attendance, minutes and points, and some upcoming meetings.

Deterministic for a given month: dates count back from the start of the current month, choices come
from a seeded random generator. A branch that already has meetings is left alone, so a second run
changes nothing.
"""

import datetime
import random

from django.utils import timezone
from django.utils.translation import gettext_noop

from branches import demo_data
from branches.models import Organization
from ebranch.lib.months import month_add, this_month
from members.models import Member, Position
from members.points.services import points_award_many

from .models import Attendance, Meeting, MeetingKind

SEED = 20260701
K = MeetingKind
# The demo branch first; the last two skip meetings, so the county view has branches behind.
BRANCH_CODES = (demo_data.DEMO_BRANCH_CODE, "LY-YD-TL-01", "LY-YD-TL-02", "LY-YD-TL-03", "LY-YD-TL-04")
BEHIND = {"LY-YD-TL-03": 0.35, "LY-YD-TL-04": 0.6}  # share of meetings not held
TITLES = {
    K.GENERAL_MEETING: "支部党员大会（%s）",
    K.COMMITTEE_MEETING: "支委会（%s）",
    K.GROUP_MEETING: "党小组会（%s）",
    K.PARTY_LECTURE: "党课：学习党章（%s）",
    K.THEME_DAY: "主题党日（%s）",
    K.LIFE_MEETING: "组织生活会（%s）",
    K.DEMOCRATIC_APPRAISAL: "民主评议党员（%s）",
}
UPCOMING = (  # days from today, kind, how it is held
    (2, K.COMMITTEE_MEETING, Meeting.Mode.CHAT_GROUP),
    (6, K.THEME_DAY, Meeting.Mode.HYBRID),
    (12, K.PARTY_LECTURE, Meeting.Mode.VIDEO),
)
ABSENT_FOR = datetime.timedelta(days=220)
LEAVE_REASONS = ("出差在外地", "工地加班", "家中有事", "出海作业", "生病请假")
MINUTES = "到会情况见签到表。\n一、学习传达上级精神；\n二、讨论本支部近期工作；\n三、布置下阶段任务。"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    zone = timezone.get_current_timezone()
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _plan(current: datetime.date) -> list[tuple[str, datetime.date, int]]:
    """(kind, day, hour) of a branch's meetings over the 12 months before `current`."""
    plan = []
    for n in range(12, 0, -1):
        month = month_add(current, -n)
        plan += [
            (K.COMMITTEE_MEETING, month.replace(day=3), 20),
            (K.GROUP_MEETING, month.replace(day=12), 20),
            (K.THEME_DAY, month.replace(day=20), 19),
        ]
        if month.month in (3, 6, 9, 12):
            plan += [
                (K.GENERAL_MEETING, month.replace(day=25), 20), (K.PARTY_LECTURE, month.replace(day=8), 20)
            ]
        if month.month == 1:
            plan += [
                (K.LIFE_MEETING, month.replace(day=15), 19),
                (K.DEMOCRATIC_APPRAISAL, month.replace(day=16), 19),
            ]
    return plan


def seed(created: dict) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    current = this_month(now)
    branches = list(Organization.objects.filter(code__in=BRANCH_CODES).order_by("path"))
    busy = set(Meeting.objects.filter(organization__in=branches).values_list("organization_id", flat=True))
    branches = [b for b in branches if b.pk not in busy]
    officers = {}
    for position in Position.objects.active().filter(organization__in=branches).order_by("kind", "pk"):
        if position.kind in (Position.Kind.SECRETARY, Position.Kind.LIAISON_OFFICER):
            officers.setdefault(position.organization_id, position.user_id)
    members = {}
    for member in Member.objects.filter(organization__in=branches).order_by("pk"):
        members.setdefault(member.organization_id, []).append(member)

    meetings = []
    for branch in branches:
        if branch.pk not in officers:
            continue
        skip = BEHIND.get(branch.code, 0)
        for kind, day, hour in _plan(current):
            if skip and rng.random() < skip:
                continue
            meetings.append(_meeting(branch, officers[branch.pk], kind, _at(day, hour), minutes=True))
        for days, kind, mode in UPCOMING:
            day = timezone.localdate(now) + datetime.timedelta(days=days)
            meetings.append(_meeting(branch, officers[branch.pk], kind, _at(day, 20), mode=mode))
    Meeting.objects.bulk_create(meetings)
    invited = Meeting.invited_organizations.through
    links = [invited(meeting_id=m.pk, organization_id=m.organization_id) for m in meetings]
    # The demo branch's coming Party lecture is a joint one with the first branch.
    joint = next((m for m in meetings if m.organization.code == demo_data.DEMO_BRANCH_CODE
                  and m.kind == K.PARTY_LECTURE and m.starts_at > now), None)
    guest = next((b for b in branches if b.code == BRANCH_CODES[1]), None)
    invitees = {m.pk: members.get(m.organization_id, []) for m in meetings}
    if joint and guest:
        links.append(invited(meeting_id=joint.pk, organization_id=guest.pk))
        invitees[joint.pk] = invitees[joint.pk] + members.get(guest.pk, [])
    invited.objects.bulk_create(links)

    attendances = _attendance(rng, meetings, invitees, members, now)
    Attendance.objects.bulk_create(attendances)
    awards = []
    for a in attendances:
        if a.checked_in_at is not None:
            awards.append((a.member, "meeting_attended", a, a.meeting.ends_at))
            if a.checked_in_at <= a.meeting.starts_at:
                awards.append((a.member, "checkin_on_time", a, a.meeting.ends_at))
    points = len(points_award_many(awards))
    created[gettext_noop("meetings")] = len(meetings)
    created[gettext_noop("attendance records")] = len(attendances)
    created[gettext_noop("points entries")] = points


def _meeting(branch, user_id, kind, starts_at, *, minutes=False, mode=Meeting.Mode.PORTAL) -> Meeting:
    ends_at = starts_at + datetime.timedelta(hours=2 if kind == K.LIFE_MEETING else 1, minutes=30)
    meeting = Meeting(
        organization=branch, kind=kind, title=TITLES[kind] % f"{starts_at:%Y-%m}", starts_at=starts_at,
        ends_at=ends_at, mode=mode, created_by_id=user_id, agenda="一、学习\n二、讨论\n三、部署工作",
        chat_group="微信群：永定土楼e支部" if mode in (Meeting.Mode.CHAT_GROUP, Meeting.Mode.HYBRID) else "",
        video_url="https://meeting.example.cn/j/350803" if mode == Meeting.Mode.VIDEO else "",
        address=branch.address if mode == Meeting.Mode.HYBRID else "",
        reminder_24h_sent_at=starts_at if minutes else None,
        reminder_1h_sent_at=starts_at if minutes else None,
    )
    if minutes:
        meeting.minutes, meeting.minutes_updated_at, meeting.minutes_updated_by_id = MINUTES, ends_at, user_id
    return meeting


def _attendance(rng, meetings, invitees, members, now) -> list[Attendance]:
    """Most present, some on leave, a few absent; the longest-standing member of each branch has been
    absent for 7 months (an art. 9 case). Like the meetings app, every invitee has a record; members are
    invited only to meetings since they joined the branch."""
    rows = []
    long_absent = {
        org_id: min(roster, key=lambda m: (m.member_since, m.pk)).pk for org_id, roster in members.items()
    }
    for meeting in meetings:
        past = meeting.ends_at <= now
        for member in invitees[meeting.pk]:
            draw = rng.random()
            if timezone.localdate(meeting.starts_at) < member.member_since:
                continue
            if not past:
                if draw < 0.5:
                    rows.append(Attendance(meeting=meeting, member=member, reply="attending", replied_at=now))
                elif draw < 0.55:
                    rows.append(Attendance(
                        meeting=meeting, member=member, reply="leave", leave_reason=rng.choice(LEAVE_REASONS),
                        replied_at=now,
                    ))
                else:
                    rows.append(Attendance(meeting=meeting, member=member))
                continue
            if member.pk == long_absent[member.organization_id] and meeting.starts_at > now - ABSENT_FOR:
                rows.append(Attendance(meeting=meeting, member=member))
                continue
            if draw < 0.08:
                rows.append(Attendance(
                    meeting=meeting, member=member, reply="leave", leave_reason=rng.choice(LEAVE_REASONS),
                    replied_at=meeting.starts_at - datetime.timedelta(days=1),
                ))
            elif draw < 0.9:
                minutes = rng.randint(-12, 8)
                rows.append(Attendance(
                    meeting=meeting, member=member, reply="attending",
                    replied_at=meeting.starts_at - datetime.timedelta(days=2),
                    checked_in_at=meeting.starts_at + datetime.timedelta(minutes=minutes),
                    checkin_method=rng.choice(("online", "online", "code")),
                ))
            else:
                rows.append(Attendance(meeting=meeting, member=member))
    return rows
