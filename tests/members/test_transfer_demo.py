"""The demo's transfers (members/transfer_demo.py): a transfer in every state made through the services,
letters with serials and PDFs, activity cards, a university holding graduates too long, and a second run
that changes nothing. Like the other apps' demo seeds, tested on the personas' world plus a demo branch."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from branches import demo_data
from branches.models import Organization
from members import transfer_demo
from members.activity_cards import cards_active
from members.demo import REFERENCE_DATE
from members.models import ActivityCard, IntroductionLetter, Member, MembershipPeriod, Transfer
from members.notifications.models import Notification
from members.scope import Scope
from members.selectors import organization_managers
from members.transfer_selectors import university_overstays
from tests import factories

Status = Transfer.Status


@pytest.fixture
def demo(world):
    """The demo branch with its secretary, the demo member and a few members; two more branches with
    secretaries next to the world's two, so that the story has four partner branches."""
    branch = factories.organization(parent=world.general_branch, code=demo_data.DEMO_BRANCH_CODE,
                                    name="土楼e支部厦门第一支部", address="厦门市思明区湖滨南路388号")
    secretary = factories.user(name="温书记", email="secretary@demo.ebranch.cn")
    factories.member(organization=branch, user=secretary, name="温书记")
    factories.position(user=secretary, organization=branch)
    member = factories.user(name="刘晶", email=transfer_demo.DEMO_MEMBER_EMAIL)
    factories.member(organization=branch, user=member, name="刘晶")
    partners = [world.branch, world.other_branch]
    for n in (3, 4):
        org = factories.organization(parent=world.general_branch, code=f"LY-YD-G-0{n}", name=f"第{n}支部")
        officer = factories.user(name=f"书记{n}")
        factories.member(organization=org, user=officer, name=f"书记{n}")
        factories.position(user=officer, organization=org)
        partners.append(org)
    for org in [branch, *partners]:
        for n in range(4):
            factories.member(organization=org, name=f"{org.code[-2:]}党员{n}")
    return branch


def test_a_transfer_in_every_state_and_nothing_new_the_second_time(
    demo, world, django_capture_on_commit_callbacks, eager
):
    today = timezone.localdate()
    created = {}
    with django_capture_on_commit_callbacks(execute=True):  # the letters' PDFs are made after commit
        transfer_demo.seed(created)

    assert set(Transfer.objects.values_list("status", flat=True)) == set(Status.values)
    assert created["membership transfers"] == Transfer.objects.count() == 12
    assert created["introduction letters"] == IntroductionLetter.objects.count() == 8
    assert created["activity cards"] == ActivityCard.objects.count() == 2

    # Letters: serials per issuing organization and year, 1, 2, 3 … without a gap; every one has its PDF.
    letters = list(IntroductionLetter.objects.select_related("organization"))
    numbers = {}
    for letter in letters:
        assert re.fullmatch(r"[A-Z0-9-]+-20\d\d-\d{4}", letter.serial)
        numbers.setdefault((letter.organization_id, letter.year), []).append(letter.number)
        assert letter.pdf and letter.pdf.open("rb").read(5) == b"%PDF-"
    assert all(sorted(n) == list(range(1, len(n) + 1)) for n in numbers.values())

    # In transit: one waiting more than a month for the demo branch, one issued days ago.
    waiting = IntroductionLetter.objects.filter(status="valid", transfer__status=Status.IN_TRANSIT)
    ages = sorted((today - letter.issued_on).days for letter in waiting)
    assert ages[0] < 30 < ages[-1]
    overdue = waiting.get(issued_on__lt=today - datetime.timedelta(days=30))
    assert overdue.transfer.to_organization == demo
    assert overdue.valid_until == overdue.issued_on + datetime.timedelta(days=overdue.validity_days - 1)
    # Expired: past its validity, the transfer waits for a new letter, both sides were told.
    expired = Transfer.objects.get(status=Status.EXPIRED)
    (letter,) = expired.letters.all()
    assert letter.status == "expired" and letter.valid_until < today
    told = Notification.objects.filter(url=reverse("transfers:detail", args=[expired.pk]), urgent=True)
    receivers = [user.pk for user in organization_managers(expired.to_organization)]
    told = set(told.values_list("recipient", flat=True))
    assert receivers and told >= {expired.requested_by_id, *receivers}
    # Completed in the portal: the membership moved, the old period is kept.
    moved = Transfer.objects.get(status=Status.COMPLETED, to_organization__isnull=False, from_outside="")
    member = moved.member
    assert member.organization == moved.to_organization and member.member_since == moved.completed_on
    period = MembershipPeriod.objects.get(transfer=moved)
    assert (period.organization, period.ended_on) == (moved.from_organization, moved.completed_on)
    assert moved.requested_at < moved.approved_at < moved.closed_at <= timezone.now()
    # Completed to outside the portal: the receipt slip came back, the member left the rosters.
    left = Transfer.objects.get(status=Status.COMPLETED, to_organization__isnull=True)
    assert left.receipt_returned_on and left.member.left_on == left.receipt_returned_on
    assert not Member.objects.filter(pk=left.member_id).exists()
    # Incoming from outside the portal: on the demo branch's roster.
    incoming = Transfer.objects.get(from_organization__isnull=True)
    assert incoming.from_outside and incoming.outside_letter_number
    assert incoming.member.organization == demo and incoming.member.left_on is None
    # Rejected and refused carry their reasons.
    assert Transfer.objects.get(status=Status.REJECTED).closing_reason
    assert Transfer.objects.get(status=Status.REFUSED).closing_reason

    # The demo member: a withdrawn request, an open one, an activity card that ended.
    mine = Transfer.objects.filter(member__user__email=transfer_demo.DEMO_MEMBER_EMAIL)
    assert sorted(mine.values_list("status", flat=True)) == [Status.REQUESTED, Status.WITHDRAWN]
    card = ActivityCard.objects.get(member__user__email=transfer_demo.DEMO_MEMBER_EMAIL)
    assert card.ended_on and card.end_reason == ActivityCard.EndReason.RETURNED
    assert cards_active(today).count() == 1
    # The demo secretary's transfers: coming in and going out.
    secretary = Scope(factories.User.objects.get(email="secretary@demo.ebranch.cn"))
    visible = secretary.transfers().filter(status__in=Transfer.OPEN)
    assert visible.filter(to_organization=demo).exists()
    assert visible.filter(from_organization=demo).count() >= 3

    # The university: graduates' memberships held, some for more than 2 years.
    university = Organization.objects.get(code=transfer_demo.GRADUATES.code)
    assert university.kind == Organization.Kind.UNIVERSITY
    held = Member.objects.filter(organization=university)
    flagged = university_overstays(held, REFERENCE_DATE)  # the graduates' years count from this day
    assert 0 < flagged.count() < held.count() == len(transfer_demo.GRADUATE_YEARS_AGO)
    assert Transfer.objects.filter(from_organization=university, status=Status.IN_TRANSIT).exists()
    # Nothing is e-mailed to the demo's addresses.
    assert not Notification.objects.filter(email_state="pending").exists()

    before = (
        Transfer.objects.count(), IntroductionLetter.objects.count(), ActivityCard.objects.count(),
        Member.records.count(), Organization.objects.count(), Notification.objects.count(),
    )
    again = {}
    transfer_demo.seed(again)
    assert not any(again.values())
    assert (
        Transfer.objects.count(), IntroductionLetter.objects.count(), ActivityCard.objects.count(),
        Member.records.count(), Organization.objects.count(), Notification.objects.count(),
    ) == before


def test_without_the_demo_branch_nothing_is_made(world):
    created = {}
    transfer_demo.seed(created)
    assert not any(created.values()) and not Transfer.objects.exists()
