"""Activity cards (流动党员活动证): for an absence of up to 6 months, or while the place is not settled,
the home branch lets a member join a host branch's life. The holder attends the host's meetings,
does not vote there, and stays on the home branch's roster."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from ebranch.lib.months import months_later

from .models import ActivityCard, Member, User
from .notifications.services import notification_send
from .scope import Scope
from .selectors import organization_managers


@transaction.atomic
def activity_card_issue(
    *,
    member: Member,
    actor: User,
    host_organization: Organization,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
) -> ActivityCard:
    # Lock only the member's row: PostgreSQL cannot lock the nullable side of the join to the account.
    locked = Member.objects.select_for_update(of=("self",)).select_related("organization", "user")
    member = locked.get(pk=member.pk)
    if not Scope(actor).can_manage(member.organization) or member.user_id == actor.pk:
        raise ValidationError(_("Only the member's home branch issues their activity card."))
    if host_organization.pk == member.organization_id or not host_organization.is_branch:
        raise ValidationError({"host_organization": _("Choose another branch as the host.")})
    if ActivityCard.objects.filter(member=member, ended_on__isnull=True).exists():
        raise ValidationError(_("This member already holds an activity card; end it first."))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    if ends_on > months_later(starts_on, ActivityCard.MAX_MONTHS):
        raise ValidationError(
            {"ends_on": _("An activity card lasts at most 6 months; for longer, transfer the membership.")}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    card = ActivityCard(
        member=member,
        organization=member.organization,
        host_organization=host_organization,
        reason=reason.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        issued_by=actor,
    )
    card.full_clean()
    card.save()
    url = reverse("transfers:member_history", args=[member.pk])
    notification_send(
        recipients=[member],
        kind="activity_card",
        title=_("You have an activity card"),
        body=_("You may join %(host)s's meetings from %(start)s to %(end)s.")
        % {"host": host_organization.name, "start": starts_on.isoformat(), "end": ends_on.isoformat()},
        url=reverse("transfers:mine"),
    )
    notification_send(
        recipients=organization_managers(host_organization),
        kind="activity_card",
        title=_("%(name)s will attend your branch with an activity card") % {"name": member.name},
        body=_("From %(start)s to %(end)s; their membership stays with %(home)s.")
        % {"start": starts_on.isoformat(), "end": ends_on.isoformat(), "home": member.organization.name},
        url=url,
    )
    return card


@transaction.atomic
def activity_card_end(
    *, card: ActivityCard, actor: User, ended_on: datetime.date | None = None
) -> ActivityCard:
    """The member returned: the home branch ends the card early."""
    card = ActivityCard.objects.select_for_update().select_related("organization").get(pk=card.pk)
    if not Scope(actor).can_manage(card.organization):
        raise ValidationError(_("Only the member's home branch ends their activity card."))
    if card.ended_on is not None:
        raise ValidationError(_("This activity card has already ended."))
    ended_on = ended_on or timezone.localdate()
    card.ended_on = max(min(ended_on, card.ends_on), card.starts_on)
    card.end_reason = ActivityCard.EndReason.RETURNED
    card.full_clean()
    card.save(update_fields=["ended_on", "end_reason"])
    return card


def activity_cards_expire(*, today: datetime.date) -> int:
    """Cards past their end date end, with the end date as the day. Returns how many."""
    return ActivityCard.objects.filter(ended_on__isnull=True, ends_on__lt=today).update(
        ended_on=F("ends_on"), end_reason=ActivityCard.EndReason.EXPIRED
    )


def cards_active(on: datetime.date) -> QuerySet[ActivityCard]:
    """Cards in force on a day: started, not past their end date, not ended early."""
    return ActivityCard.objects.filter(starts_on__lte=on, ends_on__gte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )
