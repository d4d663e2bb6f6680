"""Arrears warnings (DOMAIN.md, "Dues"): a member 3 or more months behind is warned, once in each monthly
run; at 6 consecutive unpaid months the branch secretary is alerted under art. 9 of the Party
Constitution, once per run of unpaid months (an `Article9Notice` with cause "dues"). Nothing else
happens: the portal never removes anyone by itself.

Months are the completed months before today; a run is broken by a paid month or a month with no bill.
"""

import datetime
from collections import defaultdict

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ebranch.lib.months import month_add, this_month
from members.models import Article9Notice, Member
from members.notifications.models import Notification
from members.notifications.services import notification_send
from members.services import article9_notices_record

from .models import Bill

WARN_MONTHS = 3
ALERT_MONTHS = 6
LOOKBACK_MONTHS = 24
WARNING_KIND = "dues_arrears"
ALERT_KIND = "article9_dues_alert"


def unpaid_run(unpaid: set[datetime.date], last_month: datetime.date) -> int:
    """Consecutive unpaid months ending with `last_month`."""
    run = 0
    while run < LOOKBACK_MONTHS and month_add(last_month, -run) in unpaid:
        run += 1
    return run


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the dues pages of another piece are not there
        return ""


def arrears_check(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Warn and alert for the months completed before `now`; idempotent within a month.

    Returns how many members were warned and how many art. 9 notices were recorded."""
    now = now or timezone.now()
    current = this_month(now)
    last_month = month_add(current, -1)
    rows = Bill.objects.filter(
        status=Bill.Status.UNPAID, period__lte=last_month,
        period__gte=month_add(last_month, -(LOOKBACK_MONTHS - 1)),
    ).values_list("member_id", "period")
    unpaid = defaultdict(set)
    for member_id, period in rows:
        unpaid[member_id].add(period)
    runs = {m: r for m, periods in unpaid.items() if (r := unpaid_run(periods, last_month)) >= WARN_MONTHS}
    if not runs:
        return {"warned": 0, "alerted": 0}

    members = list(Member.objects.filter(pk__in=runs).select_related("user").order_by("pk"))
    zone = timezone.get_current_timezone()
    month_began = datetime.datetime.combine(current, datetime.time(), tzinfo=zone)
    warned_already = set(
        Notification.objects.filter(kind=WARNING_KIND, created_at__gte=month_began).values_list(
            "recipient_id", flat=True
        )
    )
    warned = 0
    for member in members:
        if member.user_id and member.user_id not in warned_already:
            _warn(member, runs[member.pk], now)
            warned += 1

    due = {m.pk: month_add(last_month, 1 - runs[m.pk]) for m in members if runs[m.pk] >= ALERT_MONTHS}
    alerted = article9_notices_record(
        cause=Article9Notice.Cause.DUES, months=ALERT_MONTHS, due=due, members=members,
        send=lambda member, notice, secretaries: _alert(member, notice, secretaries, now),
    )
    return {"warned": warned, "alerted": len(alerted)}


def _warn(member: Member, months: int, now: datetime.datetime) -> None:
    notification_send(
        recipients=[member.user], kind=WARNING_KIND,
        title=_("Your dues are %(months)d months behind") % {"months": months},
        body=_(
            "Please pay your Party dues. Six consecutive months unpaid without good reason matter under "
            "art. 9 of the Party Constitution; if you have a reason, tell your branch secretary."
        ),
        url=_url("dues:mine"), urgent=months >= ALERT_MONTHS, now=now,
    )


def _alert(member: Member, notice: Article9Notice, secretaries: list, now: datetime.datetime) -> None:
    if not secretaries:
        return
    notification_send(
        recipients=secretaries, kind=ALERT_KIND,
        title=_("%(name)s has not paid dues for 6 months") % {"name": member.name},
        body=_(
            "Since %(since)s %(name)s has paid no dues (art. 9). The portal takes no action: please talk "
            "with the member."
        ) % {"since": f"{notice.month:%Y-%m}", "name": member.name},
        url=_url("dues_reports:branch", member.organization_id), now=now,
    )
