"""Awarding points: append-only entries, totals derived (DOMAIN.md, "Democratic appraisal and points").

Entries are only ever created here; nothing updates or deletes them.
"""

import datetime
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from members.models import Member

from .models import PointEntry, PointRule

LEDGER_ZONE = ZoneInfo("Asia/Shanghai")

# The rules every year starts with (organization null); organizations may override them per year.
DEFAULT_RULES = {
    "meeting_attended": (_("Meeting attended"), 2, None),
    "checkin_on_time": (_("Checked in on time"), 1, None),
    "dues_on_time": (_("Dues paid on time"), 1, None),
}


def _ancestor_paths(org: Organization) -> list[str]:
    """The organization's own path and its ancestors', nearest first."""
    step = Organization.steplen
    return [org.path[: i * step] for i in range(len(org.path) // step, 0, -1)]


def point_rule_for(*, organization: Organization, code: str, year: int) -> PointRule | None:
    """The rule that applies: the nearest ancestor's (self included) for the year, else the default."""
    paths = _ancestor_paths(organization)
    rules = list(
        PointRule.objects.filter(year=year, code=code, organization__path__in=paths).select_related(
            "organization"
        )
    )
    if rules:
        return max(rules, key=lambda r: len(r.organization.path))
    default = PointRule.objects.filter(year=year, code=code, organization__isnull=True).first()
    if default is None and code in DEFAULT_RULES:
        name, points, cap = DEFAULT_RULES[code]
        with translation.override(None):  # stored in the source language, translated when shown
            name = str(name)
        try:
            with transaction.atomic():
                default = PointRule.objects.create(
                    organization=None, year=year, code=code, name=name, points=points, daily_cap=cap
                )
        except IntegrityError:
            default = PointRule.objects.filter(year=year, code=code, organization__isnull=True).first()
    return default


def points_award(
    *, member: Member, code: str, source, when: datetime.datetime | None = None
) -> PointEntry | None:
    """Award the points of rule `code` to the member for `source` (any saved model instance).

    Returns the new entry, or None when nothing is due: no such rule, the same source already paid,
    or the rule's daily cap (per day in Asia/Shanghai) is reached. A partly used cap pays the rest.
    """
    when = when or timezone.now()
    day = when.astimezone(LEDGER_ZONE).date()
    rule = point_rule_for(organization=member.organization, code=code, year=day.year)
    if rule is None or rule.points == 0:
        return None
    source_type = ContentType.objects.get_for_model(source)
    with transaction.atomic():
        # Serialise awards to one member so that the daily cap holds under concurrency (Postgres).
        Member.objects.select_for_update().filter(pk=member.pk).values_list("pk").first()
        if PointEntry.objects.filter(
            member=member, rule=rule, source_type=source_type, source_id=source.pk
        ).exists():
            return None
        amount = rule.points
        if rule.daily_cap is not None:
            earned = PointEntry.objects.filter(member=member, rule=rule, awarded_on=day).aggregate(
                n=Coalesce(Sum("amount"), 0)
            )["n"]
            amount = min(amount, rule.daily_cap - earned)
            if amount <= 0:
                return None
        try:
            with transaction.atomic():
                return PointEntry.objects.create(
                    member=member, rule=rule, amount=amount, source_type=source_type, source_id=source.pk,
                    awarded_at=when, awarded_on=day,
                )
        except IntegrityError:  # the same source was paid concurrently
            return None


def points_award_many(awards) -> list[PointEntry]:
    """`points_award` for many `(member, code, source, when)` at once, by the same rules (once per source,
    daily caps), in a fixed number of queries per rule: for back-fills and demo data, not for concurrent
    use. Returns the new entries."""
    awards = list(awards)
    rules: dict[tuple, PointRule | None] = {}
    planned = []
    for member, code, source, when in awards:
        day = when.astimezone(LEDGER_ZONE).date()
        key = (member.organization_id, code, day.year)
        if key not in rules:
            rules[key] = point_rule_for(organization=member.organization, code=code, year=day.year)
        if rules[key] is not None and rules[key].points:
            source_type = ContentType.objects.get_for_model(source)
            planned.append((member, rules[key], source_type, source.pk, when, day))
    used_rules = {rule.pk: rule for _m, rule, *_rest in planned}
    members = {member.pk for member, *_rest in planned}
    paid = set(
        PointEntry.objects.filter(rule__in=used_rules, member__in=members).values_list(
            "member_id", "rule_id", "source_type_id", "source_id"
        )
    )
    earned = {
        (row["member"], row["rule"], row["awarded_on"]): row["n"]
        for row in PointEntry.objects.filter(
            rule__in=[pk for pk, rule in used_rules.items() if rule.daily_cap is not None], member__in=members
        ).values("member", "rule", "awarded_on").annotate(n=Sum("amount")).order_by()
    }
    entries = []
    for member, rule, source_type, source_id, when, day in planned:
        key = (member.pk, rule.pk, source_type.pk, source_id)
        if key in paid:
            continue
        amount = rule.points
        if rule.daily_cap is not None:
            so_far = earned.get((member.pk, rule.pk, day), 0)
            amount = min(amount, rule.daily_cap - so_far)
            if amount <= 0:
                continue
            earned[(member.pk, rule.pk, day)] = so_far + amount
        paid.add(key)
        entries.append(PointEntry(
            member=member, rule=rule, amount=amount, source_type=source_type, source_id=source_id,
            awarded_at=when, awarded_on=day,
        ))
    return PointEntry.objects.bulk_create(entries, ignore_conflicts=True)
