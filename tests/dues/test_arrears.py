import datetime

import pytest
from django.utils import timezone

from dues.arrears import ALERT_KIND, WARNING_KIND, arrears_check, unpaid_run
from dues.tasks_arrears import dues_arrears_check
from ebranch.lib.months import month_add, this_month
from members.models import Article9Notice, Member
from members.notifications.models import Notification
from tests.dues.test_reports import bill

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12))
NOV = datetime.date(2026, 11, 1)


def month(n):  # n months before November 2026
    return month_add(NOV, -n)


def bills(member, unpaid: int, *, paid_before=1):
    """`unpaid` months unpaid up to October 2026, a paid month before them, and November unpaid."""
    for n in range(1, unpaid + 1):
        bill(member, month(n), "15.00")
    for n in range(unpaid + 1, unpaid + 1 + paid_before):
        bill(member, month(n), "15.00", paid=True)
    bill(member, NOV, "15.00")  # the current month does not count yet


def notices(kind):
    return list(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_unpaid_run_counts_back_from_the_last_month():
    october = month(1)
    assert unpaid_run({month(1), month(2), month(4)}, october) == 2
    assert unpaid_run({month(2)}, october) == 0
    assert unpaid_run(set(), october) == 0


@pytest.fixture
def member(world):
    return Member.objects.get(user=world.member)


def test_two_months_behind_is_left_alone(world, member):
    bills(member, 2)
    assert arrears_check(now=NOW) == {"warned": 0, "alerted": 0}
    assert Notification.objects.count() == 0


def test_three_months_behind_warns_the_member_once_a_month(world, member):
    bills(member, 3)
    assert arrears_check(now=NOW) == {"warned": 1, "alerted": 0}
    assert notices(WARNING_KIND) == ["member@example.com"]
    assert arrears_check(now=NOW + datetime.timedelta(days=5)) == {"warned": 0, "alerted": 0}
    assert not Article9Notice.objects.exists()
    # The next month, still behind: warned again.
    bill(member, datetime.date(2026, 12, 1), "15.00")
    later = timezone.make_aware(datetime.datetime(2026, 12, 2, 9))
    assert arrears_check(now=later)["warned"] == 1
    assert len(notices(WARNING_KIND)) == 2


def test_six_months_alerts_the_secretary_once_under_article9(world, member):
    bills(member, 6)
    assert arrears_check(now=NOW) == {"warned": 1, "alerted": 1}
    notice = Article9Notice.objects.get()
    assert (notice.member, notice.cause, notice.month, notice.months) == (
        member, Article9Notice.Cause.DUES, month(6), 6
    )
    assert notices(ALERT_KIND) == ["secretary@example.com"]
    # Another run in the next month: the run goes on, no new notice; the member stays on the roster.
    bill(member, datetime.date(2026, 12, 1), "15.00")
    arrears_check(now=timezone.make_aware(datetime.datetime(2026, 12, 2, 9)))
    assert Article9Notice.objects.count() == 1 and len(notices(ALERT_KIND)) == 1
    member.refresh_from_db()
    assert member.status == Member.Status.FULL


def test_a_paid_month_breaks_the_run(world, member):
    for n in (1, 2, 4, 5, 6, 7):
        bill(member, month(n), "15.00")
    bill(member, month(3), "15.00", paid=True)
    assert arrears_check(now=NOW) == {"warned": 0, "alerted": 0}


def test_member_without_account_alerts_only_the_secretary(world):
    from tests import factories

    member = factories.member(organization=world.branch, name="无账号")
    bills(member, 7)
    assert arrears_check(now=NOW) == {"warned": 0, "alerted": 1}
    assert notices(WARNING_KIND) == [] and notices(ALERT_KIND) == ["secretary@example.com"]


def test_the_task_runs_the_check(world, member):
    current = this_month()
    for n in range(1, 7):
        bill(member, month_add(current, -n), "15.00")
    assert dues_arrears_check.apply().get() == {"warned": 1, "alerted": 1}
    assert dues_arrears_check.apply().get() == {"warned": 0, "alerted": 0}
