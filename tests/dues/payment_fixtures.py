"""Shared helpers for the payment tests: bills made directly, tasks run in-process."""

from decimal import Decimal

import pytest

from dues.models import Bill
from ebranch.celery import app
from ebranch.lib.months import month_add, this_month


@pytest.fixture
def eager(settings):
    """Tasks run in-process, as without Redis; CI sets REDIS_URL, so the tests must say so."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def bill(member, *, months_back=0, amount="15.00") -> Bill:
    return Bill.objects.create(
        member=member, organization_id=member.organization_id, period=month_add(this_month(), -months_back),
        amount=Decimal(amount),
    )
