"""The art. 9 warning for meetings (DOMAIN.md): a member who missed the meetings of 6 consecutive months
without leave is warned, and their branch secretary alerted. The portal never acts by itself.

A month counts as missed when meetings were held that month that the member was entitled to (an
attendance record: one is made for every invitee) and the member attended none and asked leave for none.
A month without such meetings breaks the run. The notice is recorded once per run: its `month` is the first
month of the run, so a run that goes on does not warn again (unique constraint `article9_once`).
"""

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ebranch.lib.months import month_add, month_start, this_month
from members.models import Article9Notice, Member
from members.notifications.services import notification_send
from members.services import article9_notices_record

from .compliance import held_meetings
from .models import Attendance

MONTHS = 6
LOOKBACK_MONTHS = 24


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def missed_run(months: dict[datetime.date, list[bool]], last_month: datetime.date) -> int:
    """How many consecutive months, ending with `last_month`, were missed. `months` holds, per month, one
    flag per meeting the member was entitled to: attended or on leave."""
    run = 0
    month = last_month
    for _i in range(LOOKBACK_MONTHS):
        excused = months.get(month)
        if not excused or any(excused):
            break
        run += 1
        month = month_add(month, -1)
    return run


def article9_check(*, now: datetime.datetime | None = None) -> list[Article9Notice]:
    """Record and send the warnings due for the months completed before `now`; returns the new notices.

    Entitled meetings are those with an attendance record of the member (made for every invitee when a
    meeting is scheduled). Runs in a fixed number of queries, plus a savepoint and the notifications
    per new notice.
    """
    now = now or timezone.now()
    current = this_month(now)
    last_month = month_add(current, -1)
    start = month_add(current, -LOOKBACK_MONTHS)

    meetings = held_meetings(now).filter(starts_at__gte=_aware(start), starts_at__lt=_aware(current))
    rows = Attendance.objects.filter(meeting__in=meetings).values_list(
        "member_id", "meeting__starts_at", "checked_in_at", "reply"
    )
    by_member: dict[int, dict[datetime.date, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for member_id, starts_at, checked_in_at, reply in rows:
        month = month_start(timezone.localdate(starts_at))
        by_member[member_id][month].append(checked_in_at is not None or reply == Attendance.Reply.LEAVE)

    due = {}
    for member_id, months in by_member.items():
        run = missed_run(months, last_month)
        if run >= MONTHS:
            due[member_id] = month_add(last_month, 1 - run)
    if not due:
        return []

    members = Member.objects.filter(pk__in=due).select_related("user").order_by("pk")
    return article9_notices_record(
        cause=Article9Notice.Cause.MEETINGS, months=MONTHS, due=due, members=members, send=_notice_send
    )


def _notice_send(member: Member, notice: Article9Notice, secretaries: list) -> None:
    since = f"{notice.month:%Y-%m}"
    if member.user_id:
        notification_send(
            recipients=[member.user], kind="article9_meetings",
            title=_("You have not attended your branch's meetings for 6 months"),
            body=_(
                "Since %(since)s you have neither attended nor asked leave for your branch's meetings. "
                "Under art. 9 of the Party Constitution this matters: please contact your branch secretary."
            ) % {"since": since},
            url=reverse("compliance:my_attendance"), urgent=True,
        )
    if secretaries:
        notification_send(
            recipients=secretaries, kind="article9_meetings_alert",
            title=_("%(name)s has missed 6 months of meetings") % {"name": member.name},
            body=_(
                "Since %(since)s %(name)s has neither attended nor asked leave for the branch's meetings "
                "(art. 9). The portal takes no action: please talk with the member."
            ) % {"since": since, "name": member.name},
            url=reverse("compliance:member_attendance", args=[member.pk]),
        )
