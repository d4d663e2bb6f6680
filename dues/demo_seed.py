"""Demo dues (found by `seed_demo`): an approved base for this year for every demo login with a member
record and a few hundred other members, a year of monthly bills, most of them paid, some arrears.

The demo member (member@demo.ebranch.cn) has paid everything but the current month, so that they can pay
it through the sandbox. A few members of the demo branch are 3 or more months behind and one is more
than 6 months behind, for the reports and the art. 9 alert. Deterministic for a given month (a seeded
random generator); when demo bills exist already nothing is done, so a second run changes nothing.
"""

import datetime
import random
import string
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from branches import demo_data
from ebranch.lib.months import month_add, this_month
from members.models import Member, Position

from .models import Bill, Category, Payment, YearlyBase
from .rules import monthly_amount

SEED = 20261126
OTHERS = 300
MONTHS = 12
DEMO_MEMBER_EMAIL = "member@demo.ebranch.cn"
BEHIND = (3, 3, 4, 5, 7)  # completed months unpaid, for members of the demo branch without an account
CHECK_ALPHABET = string.ascii_letters + string.digits + "-_"
CATEGORIES = [Category.EMPLOYED] * 16 + [Category.RETIRED] * 2 + [Category.REDUCED, Category.FARMER]


def _base(rng, category) -> tuple[Decimal, Decimal | None]:
    """(declared monthly base, farmer's fixed amount)."""
    if category == Category.EMPLOYED:
        return Decimal(rng.randrange(2400, 16000, 50)), None
    if category == Category.RETIRED:
        return Decimal(rng.randrange(2000, 8000, 50)), None
    if category == Category.FARMER:
        return Decimal("0"), Decimal(rng.choice(("0.20", "0.50", "1.00")))
    return Decimal("0"), None


def _paid_at(rng, period: datetime.date, now: datetime.datetime) -> datetime.datetime:
    zone = timezone.get_current_timezone()
    moment = datetime.datetime(period.year, period.month, rng.randint(1, 25), rng.randint(8, 21),
                               rng.randint(0, 59), tzinfo=zone)
    return min(moment, now - datetime.timedelta(minutes=rng.randint(5, 600)))


def seed(created: dict) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    current = this_month(now)
    year = current.year
    counts = {gettext_noop("dues bases"): 0, gettext_noop("dues bills"): 0, gettext_noop("dues payments"): 0}
    created.update(counts)

    with_account = list(Member.objects.filter(user__isnull=False).select_related("user").order_by("pk"))
    others = list(Member.objects.filter(user__isnull=True).select_related("organization").order_by("pk"))
    if not with_account or Bill.objects.filter(member__in=with_account).exists():
        return
    members = with_account + rng.sample(others, min(OTHERS, len(others)))
    demo_branch_others = [m for m in others if m.organization.code == demo_data.DEMO_BRANCH_CODE]
    behind = dict(zip((m.pk for m in demo_branch_others[: len(BEHIND)]), BEHIND, strict=False))
    members += [m for m in demo_branch_others if m.pk in behind and m not in members]
    secretaries = {
        p.organization_id: p.user_id
        for p in Position.objects.active().filter(kind=Position.Kind.SECRETARY).order_by("pk")
    }

    january = datetime.date(year, 1, 1)
    periods = [month_add(current, -n) for n in range(MONTHS - 1, -1, -1)]
    amounts: dict[tuple, Decimal] = {}
    bases, plans = [], []  # plans: (member, amount, periods owed, periods unpaid)
    for member in members:
        demo = member.user_id is not None and member.user.email == DEMO_MEMBER_EMAIL
        category = Category.EMPLOYED if demo or member.user_id else rng.choice(CATEGORIES)
        base, fixed = _base(rng, category)
        key = (category, base, fixed)
        if key not in amounts:
            amounts[key] = monthly_amount(category=category, base=base, on=january, fixed_amount=fixed)
        joined = member.joined_party_on.replace(day=1)
        bases.append(YearlyBase(
            member=member, year=year, category=category, declared_base=base, base=base,
            monthly_amount=amounts[key], status=YearlyBase.Status.APPROVED, owes_from=max(joined, january),
            declared_at=timezone.make_aware(datetime.datetime(year, 1, 5, 9)),
            approved_by_id=secretaries.get(member.organization_id),
            approved_at=timezone.make_aware(datetime.datetime(year, 1, 10, 10)),
        ))
        owed = [p for p in periods if p >= joined]
        if member.pk in behind:
            unpaid = set(owed[-(behind[member.pk] + 1):])
        elif demo or rng.random() < 0.25:
            unpaid = {current}  # not paid yet this month
        else:
            unpaid = set()
        plans.append((member, amounts[key], owed, unpaid))
    YearlyBase.objects.bulk_create(bases)

    payments, bills = [], []
    for member, amount, owed, unpaid in plans:
        for period in owed:
            issued = timezone.make_aware(datetime.datetime(period.year, period.month, 1, 0, 10))
            bill = Bill(member=member, organization=member.organization, period=period, amount=amount,
                        created_at=issued)
            if period not in unpaid:
                online = rng.random() < 0.8
                bill.status = Bill.Status.PAID
                bill.payment = Payment(
                    member=member, organization=member.organization, amount=amount,
                    method=Payment.Method.ONLINE if online else Payment.Method.CASH,
                    reference="" if online else "现金",
                    recorded_by_id=None if online else secretaries.get(member.organization_id),
                    paid_at=_paid_at(rng, period, now),
                    receipt_check="".join(rng.choice(CHECK_ALPHABET) for _ in range(20)),
                )
                payments.append(bill.payment)
            bills.append(bill)
    prefix = getattr(settings, "DUES_RECEIPT_PREFIX", "YD")
    numbers: dict[int, int] = {}
    for payment in sorted(payments, key=lambda p: (p.paid_at, p.member_id)):
        paid_in = timezone.localtime(payment.paid_at).year
        n = numbers[paid_in] = numbers.get(paid_in, 0) + 1
        payment.receipt_number = f"{prefix}-{paid_in}-{n:06d}"
    Payment.objects.bulk_create(payments, batch_size=1000)
    for bill in bills:
        if bill.payment is not None:
            bill.payment_id = bill.payment.pk
    Bill.objects.bulk_create(bills, batch_size=1000)

    created[gettext_noop("dues bases")] = len(bases)
    created[gettext_noop("dues bills")] = len(bills)
    created[gettext_noop("dues payments")] = len(payments)
