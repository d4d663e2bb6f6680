"""Arrears warnings (DOMAIN.md, "Dues"): a member 3 or more months behind is warned, once in each monthly
run; at 6 consecutive unpaid months the branch secretary is alerted under art. 9 of the Party
Constitution, once per run of unpaid months (an `Article9Notice` with cause "dues"). Nothing else
happens: the portal never removes anyone by itself.

Months are the completed months before today; a run is broken by a paid month or a month with no bill.
"""

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Article9Notice, Member, Position
from members.notifications.models import Notification
from members.notifications.services import notification_send

from .models import Bill
from .reports import month_start, months_back

WARN_MONTHS = 3
ALERT_MONTHS = 6
LOOKBACK_MONTHS = 24
WARNING_KIND = "dues_arrears"
ALERT_KIND = "article9_dues_alert"


def unpaid_run(unpaid: set[datetime.date], last_month: datetime.date) -> int:
    """Consecutive unpaid months ending with `last_month`."""
    run = 0
    while run < LOOKBACK_MONTHS and months_back(last_month, run) in unpaid:
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
    this_month = month_start(timezone.localdate(now))
    last_month = months_back(this_month, 1)
    rows = Bill.objects.filter(
        status=Bill.Status.UNPAID, period__lte=last_month,
        period__gte=months_back(last_month, LOOKBACK_MONTHS - 1),
    ).values_list("member_id", "period")
    unpaid = defaultdict(set)
    for member_id, period in rows:
        unpaid[member_id].add(period)
    runs = {m: r for m, periods in unpaid.items() if (r := unpaid_run(periods, last_month)) >= WARN_MONTHS}
    if not runs:
        return {"warned": 0, "alerted": 0}

    members = list(Member.objects.filter(pk__in=runs).select_related("user").order_by("pk"))
    zone = timezone.get_current_timezone()
    month_began = datetime.datetime.combine(this_month, datetime.time(), tzinfo=zone)
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

    due = {m.pk: months_back(last_month, runs[m.pk] - 1) for m in members if runs[m.pk] >= ALERT_MONTHS}
    sent = set(
        Article9Notice.objects.filter(
            cause=Article9Notice.Cause.DUES, months=ALERT_MONTHS, member_id__in=due
        ).values_list("member_id", "month")
    )
    secretaries = defaultdict(list)
    if due:
        for position in Position.objects.active().filter(
            organization_id__in={m.organization_id for m in members}, kind=Position.Kind.SECRETARY
        ).select_related("user"):
            secretaries[position.organization_id].append(position.user)
    alerted = 0
    for member in members:
        if member.pk not in due or (member.pk, due[member.pk]) in sent:
            continue
        notice = _notice_record(member, due[member.pk])
        if notice is not None:
            _alert(member, notice, secretaries[member.organization_id], now)
            alerted += 1
    return {"warned": warned, "alerted": alerted}


def _notice_record(member: Member, run_start: datetime.date) -> Article9Notice | None:
    try:
        with transaction.atomic():
            return Article9Notice.objects.create(
                member=member, cause=Article9Notice.Cause.DUES, month=run_start, months=ALERT_MONTHS
            )
    except IntegrityError:  # recorded by a concurrent run
        return None


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
