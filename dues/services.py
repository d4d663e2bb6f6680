"""Writes to dues bases and bills. Keyword-only, `actor=` first; officers' writes check the scope."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DateField, DecimalField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ebranch.lib.months import month_start
from members.models import Member, User
from members.scope import Scope

from . import rules
from .models import BaseChange, Bill, YearlyBase


def owes_from_default(member: Member, year: int) -> datetime.date:
    """January, or the month the branch accepted a member who joined during the year."""
    joined = member.joined_party_on
    if joined.year == year:
        return month_start(joined)
    return datetime.date(year, 1, 1)


def _require_officer(actor: User, member: Member) -> None:
    if not Scope(actor).can_manage(member.organization):
        raise PermissionDenied


def base_declare(
    *, actor: User, member: Member, year: int, category: str, declared_base: Decimal,
    fixed_amount: Decimal | None = None,
) -> YearlyBase:
    """A member declares (or re-declares, until approved) their monthly base for a year."""
    if actor.pk != member.user_id:
        _require_officer(actor, member)
    # Validates the category, base and a farmer's amount; the officer fixes the amount on approval.
    amount = rules.monthly_amount(
        category=category, base=declared_base, on=datetime.date(year, 1, 1), fixed_amount=fixed_amount
    )
    with transaction.atomic():
        existing = YearlyBase.objects.select_for_update().filter(member=member, year=year).first()
        if existing and existing.status == YearlyBase.Status.APPROVED:
            raise ValidationError(_("This year's base is already approved; ask your branch to change it."))
        yearly = existing or YearlyBase(member=member, year=year)
        yearly.category = category
        yearly.declared_base = Decimal(declared_base)
        yearly.monthly_amount = amount
        yearly.declared_at = timezone.now()
        yearly.owes_from = yearly.owes_from or owes_from_default(member, year)
        yearly.save()
    return yearly


def base_approve(
    *, actor: User, yearly_base: YearlyBase, base: Decimal | None = None, category: str | None = None,
    fixed_amount: Decimal | None = None, owes_from: datetime.date | None = None,
) -> YearlyBase:
    """An officer approves a declared base, or adjusts it; the monthly amount is then fixed for the year."""
    member = yearly_base.member
    _require_officer(actor, member)
    if yearly_base.status == YearlyBase.Status.APPROVED:
        raise ValidationError(_("This base is already approved; make a mid-year change instead."))
    category = category or yearly_base.category
    base = yearly_base.declared_base if base is None else Decimal(base)
    if fixed_amount is None and category == yearly_base.category and category == "farmer":
        fixed_amount = yearly_base.monthly_amount
    amount = rules.monthly_amount(
        category=category, base=base, on=datetime.date(yearly_base.year, 1, 1), fixed_amount=fixed_amount
    )
    owes_from = month_start(owes_from) if owes_from else (
        yearly_base.owes_from or owes_from_default(member, yearly_base.year)
    )
    if owes_from.year != yearly_base.year:
        raise ValidationError({"owes_from": _("The first month owed must be in the base's year.")})
    yearly_base.category = category
    yearly_base.base = base
    yearly_base.monthly_amount = amount
    yearly_base.owes_from = owes_from
    yearly_base.status = YearlyBase.Status.APPROVED
    yearly_base.approved_by = actor
    yearly_base.approved_at = timezone.now()
    yearly_base.save()
    return yearly_base


def amount_on(yearly_base: YearlyBase, period: datetime.date) -> Decimal:
    """The amount owed for a month: the latest mid-year change in force then, else the year's amount."""
    change = (
        yearly_base.changes.filter(from_month__lte=period)
        .order_by("-from_month", "-changed_at", "-pk").first()
    )
    return change.new_amount if change else yearly_base.monthly_amount


def base_change(
    *, actor: User, yearly_base: YearlyBase, new_amount: Decimal, from_month: datetime.date, reason: str,
) -> BaseChange:
    """A mid-year change of the monthly amount, by an officer with a reason; unpaid bills follow it."""
    _require_officer(actor, yearly_base.member)
    if yearly_base.status != YearlyBase.Status.APPROVED:
        raise ValidationError(_("Approve the base before changing it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the change.")})
    from_month = month_start(from_month)
    if from_month.year != yearly_base.year:
        raise ValidationError({"from_month": _("The month must be in the base's year.")})
    new_amount = rules.to_fen(Decimal(new_amount))
    if new_amount < 0:
        raise ValidationError({"new_amount": _("The amount cannot be negative.")})
    with transaction.atomic():
        change = BaseChange.objects.create(
            yearly_base=yearly_base, old_amount=amount_on(yearly_base, from_month), new_amount=new_amount,
            from_month=from_month, reason=reason, changed_by=actor,
        )
        # Bills already made for later months, still unpaid, take the new amount (until a later change).
        later = yearly_base.changes.filter(from_month__gt=from_month).order_by("from_month").first()
        bills = Bill.objects.filter(
            member=yearly_base.member, status=Bill.Status.UNPAID, period__gte=from_month,
            period__year=yearly_base.year,
        )
        if later:
            bills = bills.filter(period__lt=later.from_month)
        bills.update(amount=new_amount)
    return change


def bills_owed(period: datetime.date):
    """Rows (member, organization, period, amount, status, created_at) of the bills owed for a month."""
    change = (
        BaseChange.objects.filter(yearly_base=OuterRef("pk"), from_month__lte=period)
        .order_by("-from_month", "-changed_at", "-pk").values("new_amount")[:1]
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return (
        YearlyBase.objects.filter(
            year=period.year, status=YearlyBase.Status.APPROVED, member__left_on__isnull=True
        )
        .filter(Q(owes_from__isnull=True) | Q(owes_from__lte=period))
        .order_by()
        .values_list(
            "member_id",
            F("member__organization_id"),
            Value(period, output_field=DateField()),
            Coalesce(Subquery(change, output_field=money), F("monthly_amount"), output_field=money),
            Value(Bill.Status.UNPAID.value),
            Value(timezone.now()),
        )
    )


def bills_generate(*, period: datetime.date) -> int:
    """Make the month's bill for every member who owes: one INSERT … SELECT; a second run makes none.

    Returns how many bills were made.
    """
    period = month_start(period)
    select, params = bills_owed(period).query.sql_with_params()
    table = connection.ops.quote_name(Bill._meta.db_table)
    sql = (
        f"INSERT INTO {table} (member_id, organization_id, period, amount, status, created_at) "
        f"{select} ON CONFLICT (member_id, period) DO NOTHING"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
