import datetime
from decimal import Decimal as D

from django.conf import settings

from dues import services, tasks
from dues.models import Bill


def test_monthly_task_makes_bills_once(world):
    yearly = services.base_declare(actor=world.member, member=world.member.member, year=2026,
                                   category="retired", declared_base=D("5000.01"))
    services.base_approve(actor=world.secretary, yearly_base=yearly)
    assert tasks.bills_generate_monthly("2026-03-01") == 1
    assert tasks.bills_generate_monthly("2026-03-01") == 0
    bill = Bill.objects.get()
    assert (bill.period, bill.amount) == (datetime.date(2026, 3, 1), D("50.00"))


def test_monthly_task_is_scheduled_on_the_first():
    entry = settings.CELERY_BEAT_SCHEDULE["dues-bills-generate"]
    assert entry["task"] == "dues.tasks.bills_generate_monthly"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {0} and schedule.minute == {10}
