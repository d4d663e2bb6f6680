"""`seed_demo`: the tree, the places, 1,278 consistent members, officers, demo logins, and a second
run that changes nothing. The demo is seeded once for the whole module (it takes a few seconds)."""

import datetime
import io
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from branches import demo_data
from branches.models import Organization, Township, WorkPlace
from branches.services import branch_suggest
from dues.arrears import arrears_check
from dues.models import Bill, Payment, YearlyBase
from dues.reports import branch_report
from ebranch.lib.months import month_add, this_month
from meetings import demo_seed
from meetings.article9 import article9_check
from meetings.compliance import county_compliance
from meetings.models import Attendance, Meeting, MeetingKind
from members.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, VERIFIED_AT
from members.models import (
    ActivityCard,
    IntroductionLetter,
    Member,
    MembershipPeriod,
    Position,
    Transfer,
    User,
    VerificationClaim,
)
from members.notifications.models import Notification
from members.points.models import PointEntry, PointRule
from members.validators import id_birth_date, id_sex, validate_id_number, validate_phone
from tests import factories
from votes.models import Ballot

K = Organization.Kind
DEMO_EMAILS = [
    f"{role}@demo.ebranch.cn"
    for role in ("member", "secretary", "liaison", "general", "county", "claimant", "second")
]


def _wipe():
    for model in (
        Ballot, IntroductionLetter, MembershipPeriod, ActivityCard, Transfer, Bill, Payment, YearlyBase,
        Meeting, PointEntry, PointRule, Notification, Session, EmailAddress, Position, Member, User,
        Organization, WorkPlace,
    ):
        getattr(model, "records", model.objects).all().delete()
    Township.neighbours.through.objects.all().delete()
    Township.objects.all().delete()


@pytest.fixture(scope="module")
def seed_media(tmp_path_factory):
    """Where the seed's ID-card photos go."""
    return tmp_path_factory.mktemp("private")


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker, seed_media):
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], PRIVATE_MEDIA_ROOT=seed_media,
    ):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        _wipe()


@pytest.fixture
def seeded(seed_output, db):
    return seed_output


def dump() -> dict:
    """Every field of every demo row, encrypted values and timestamps included."""
    def rows(queryset, m2m=()):
        result = []
        for obj in queryset.order_by("pk"):
            row = model_to_dict(obj, exclude=m2m)
            row.update({f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields})
            row.update({name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in m2m})
            result.append(row)
        return result

    return {
        "townships": rows(Township.objects.all(), ["neighbours"]),
        "work_places": rows(WorkPlace.objects.all()),
        "organizations": rows(Organization.objects.all(), ["work_places", "home_townships"]),
        "members": rows(Member.objects.all()),
        "accounts": rows(User.objects.all()),
        "emails": rows(EmailAddress.objects.all()),
        "positions": rows(Position.objects.all()),
        "claims": rows(VerificationClaim.objects.all()),
        "meetings": rows(Meeting.objects.all(), ["invited_organizations"]),
        "attendance": rows(Attendance.objects.all()),
        "points": rows(PointEntry.objects.all()),
        "point_rules": rows(PointRule.objects.all()),
        "dues_bases": rows(YearlyBase.objects.all()),
        "dues_bills": rows(Bill.objects.all()),
        "dues_payments": rows(Payment.objects.all()),
    }


def people() -> list[tuple]:
    """What a member is, independent of keys and encryption."""
    return sorted(
        (m.id_number, m.phone, m.name, m.sex, m.birth_date, m.organization.code, m.home_township.name,
         m.work_place.name, m.employer, m.university, m.joined_party_on, m.full_member_on, m.member_since,
         m.user.email if m.user else None)
        for m in Member.objects.select_related("organization", "home_township", "work_place", "user")
    )


def test_tree_city_county_general_branch_and_46_branches(seeded):
    city = Organization.objects.get(code="LY")
    county = Organization.objects.get(code="LY-YD")
    general = Organization.objects.get(code="LY-YD-TL")
    assert (city.name, city.kind, city.depth) == ("中共龙岩市委", K.CITY_COMMITTEE, 1)
    assert (county.name, county.kind) == ("中共龙岩市永定区委", K.COUNTY_COMMITTEE)
    assert (general.short_name, general.kind) == ("土楼e支部", K.GENERAL_BRANCH)
    assert Organization.objects.get_parent(county) == city
    assert Organization.objects.get_parent(general) == county
    assert (county.postcode, county.phone[:5]) == ("364100", "0597-")
    branches = list(Organization.objects.get_children(general))
    assert len(branches) == 46 == Organization.objects.filter(kind=K.BRANCH).count()
    assert all(b.kind == K.BRANCH and b.name.startswith("土楼e支部") for b in branches)
    assert Organization.objects.get(code=demo_data.DEMO_BRANCH_CODE).name == "土楼e支部厦门第一支部"
    for org in [city, county, general, *branches]:
        assert org.address and len(org.postcode) == 6 and org.phone


def test_every_branch_serves_a_work_place_and_takes_neighbouring_townships(seeded):
    places = {p.name: p for p in demo_data.PLACES}
    for branch in Organization.objects.filter(kind=K.BRANCH).prefetch_related(
        "work_places", "home_townships__neighbours"
    ):
        (work_place,) = branch.work_places.all()
        assert branch.phone.startswith(places[work_place.name].phone_area + "-")
        taken = set(branch.home_townships.all())
        assert 1 <= len(taken) <= 13
        # The townships a branch takes are connected through their borders.
        reached, todo = set(), [next(iter(taken))]
        while todo:
            township = todo.pop()
            reached.add(township)
            todo += [n for n in township.neighbours.all() if n in taken and n not in reached]
        assert reached == taken, branch.name


def test_townships_places_and_branch_counts(seeded):
    assert Township.objects.count() == 24
    assert set(Township.objects.values_list("name", flat=True)) == {name for _, name in demo_data.TOWNSHIPS}
    hukeng = Township.objects.get(name="湖坑镇")
    assert {"高头镇", "下洋镇"} <= set(hukeng.neighbours.values_list("name", flat=True))
    assert all(t.neighbours.exists() for t in Township.objects.all())
    assert dict(WorkPlace.objects.values_list("name", "province"))["深圳市"] == "广东省"
    per_place = Counter(
        Organization.work_places.through.objects.filter(organization__kind=K.BRANCH)
        .values_list("workplace__name", flat=True)
    )
    assert per_place["厦门市"] > per_place["福州市"] > per_place["梅州市"] == 1
    assert set(per_place) == {p.name for p in demo_data.PLACES}


def test_members_are_consistent_and_valid(seeded):
    members = list(  # the university's graduates (members/transfer_demo.py) aside
        Member.objects.filter(organization__kind=K.BRANCH)
        .select_related("home_township", "work_place", "organization")
    )
    assert len(members) == 1278
    areas = Counter()
    phones = set()
    suggested = {}
    serves = {}
    for org_id, place_id in Organization.work_places.through.objects.values_list("organization", "workplace"):
        serves.setdefault(org_id, set()).add(place_id)
    for m in members:
        id_number = validate_id_number(m.id_number)
        areas[id_number[:6]] += 1
        assert (id_birth_date(id_number), id_sex(id_number)) == (m.birth_date, m.sex)
        assert 1980 <= m.birth_date.year <= 2003
        phones.add(validate_phone(m.phone))
        assert 2 <= len(m.name) <= 3
        assert m.graduation_year - m.birth_date.year in range(21, 30)
        assert (m.joined_party_on - m.birth_date).days >= 18 * 365
        assert m.member_since >= m.joined_party_on
        if m.status == Member.Status.FULL:
            assert datetime.timedelta(days=365) <= m.full_member_on - m.joined_party_on <= datetime.timedelta(
                days=397
            )
        else:
            assert m.full_member_on is None
        key = (m.work_place, m.home_township)
        if key not in suggested:
            suggested[key] = branch_suggest(work_place=m.work_place, home_township=m.home_township)
        assert m.organization == suggested[key]
        assert m.work_place_id in serves[m.organization_id]
    assert len(phones) == 1278
    assert set(areas) <= {"350822", "350803"} and areas["350822"] > 0.9 * 1278
    probationary = sum(m.status == Member.Status.PROBATIONARY for m in members)
    assert 0.08 * 1278 < probationary < 0.16 * 1278
    assert Counter(m.organization_id for m in members).most_common()[-1][1] >= 10


def test_officers(seeded):
    active = Position.objects.active().select_related("user__member", "organization")
    for branch in Organization.objects.filter(kind=K.BRANCH):
        positions = [p for p in active if p.organization_id == branch.pk]
        kinds = Counter(p.kind for p in positions)
        assert kinds[Position.Kind.SECRETARY] == 1 and kinds[Position.Kind.DEPUTY_SECRETARY] == 1
        assert kinds[Position.Kind.COMMITTEE_MEMBER] in (1, 3)
        assert kinds[Position.Kind.LIAISON_OFFICER] == 1
        for p in positions:
            if p.kind in Position.COMMITTEE_KINDS:
                assert p.user.member.organization_id == branch.pk
                assert p.user.member.status == Member.Status.FULL
        secretary = next(p for p in positions if p.kind == Position.Kind.SECRETARY)
        assert secretary.contact_phone == secretary.user.phone == secretary.user.member.phone
    liaisons = Counter(p.user for p in active if p.kind == Position.Kind.LIAISON_OFFICER)
    assert len(liaisons) == 10 and set(liaisons.values()) == {4, 5}
    assert not Member.objects.filter(user__in=list(liaisons)).exists()
    oversight = [(p.kind, p.organization.code) for p in active if p.kind in Position.OVERSIGHT_KINDS]
    assert sorted(oversight) == [("county_staff", "LY-YD"), ("general_branch_officer", "LY-YD-TL")]
    assert all(p.contact_phone for p in active if p.kind != Position.Kind.COMMITTEE_MEMBER)


def test_demo_logins_are_printed_and_work(seeded, client):
    assert DEMO_PASSWORD in seeded
    for email in DEMO_EMAILS:
        user = User.objects.get(email=email)
        assert email in seeded and user.phone in seeded
        validate_password(DEMO_PASSWORD, user)
        client.logout()
        response = client.post(
            reverse("account_login"), {"login": email, "password": DEMO_PASSWORD, "next": "/"}
        )
        assert response.status_code == 302, email
        if user.authenticator_set.exists():  # officers who manage members: the two-factor stage
            assert response.url == reverse("mfa_authenticate"), email
            code = factories.totp_code(DEMO_TOTP_SECRET)
            response = client.post(reverse("mfa_authenticate"), {"code": code})
            assert response.status_code == 302, email
        assert client.session["_auth_user_id"] == str(user.pk)
    member = User.objects.get(email="member@demo.ebranch.cn")
    client.logout()
    client.post(reverse("account_login"), {"login": member.phone, "password": DEMO_PASSWORD, "next": "/"})
    assert client.session["_auth_user_id"] == str(member.pk)
    assert member.member.organization.code == demo_data.DEMO_BRANCH_CODE
    assert not member.positions.exists()
    secretary = User.objects.get(email="secretary@demo.ebranch.cn")
    assert secretary.positions.get().organization.code == demo_data.DEMO_BRANCH_CODE
    liaison = User.objects.get(email="liaison@demo.ebranch.cn")
    assert liaison.positions.filter(organization__code=demo_data.DEMO_BRANCH_CODE).exists()


def test_demo_accounts_are_verified_and_claims_wait_for_review(seeded, seed_media):
    linked = Member.objects.filter(user__isnull=False)
    assert linked.exists()
    assert set(linked.values_list("verified_via", "verified_at")) == {("roster", VERIFIED_AT)}
    assert not Member.objects.filter(user__isnull=True).exclude(verified_via="").exists()

    branch = Organization.objects.get(code=demo_data.DEMO_BRANCH_CODE)
    pending = VerificationClaim.objects.get(user__email="claimant@demo.ebranch.cn")
    assert pending.status == "pending" and pending.organization == branch
    assert not Member.objects.filter(id_number_digest=pending.id_number_digest).exists()
    for photo in (pending.front_photo, pending.back_photo):
        assert (seed_media / photo.name).stat().st_size < 50_000

    member = User.objects.get(email="member@demo.ebranch.cn").member
    conflict = VerificationClaim.objects.get(user__email="second@demo.ebranch.cn")
    assert conflict.status == "conflict" and conflict.conflicting_member == member
    assert conflict.name == member.name and member.user.email == "member@demo.ebranch.cn"


def test_second_run_changes_nothing(seeded):
    before = dump()
    out = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert dump() == before


def test_a_fresh_database_gets_the_same_people(seeded):
    before = people()
    _wipe()
    call_command("seed_demo", stdout=io.StringIO())
    assert people() == before


def test_demo_officers_who_manage_have_the_demo_authenticator(seeded):
    with_app = set(User.objects.filter(authenticator__isnull=False).values_list("email", flat=True))
    assert {"secretary@demo.ebranch.cn", "general@demo.ebranch.cn", "county@demo.ebranch.cn"} <= with_app
    assert "member@demo.ebranch.cn" not in with_app and "liaison@demo.ebranch.cn" not in with_app


def test_demo_totp_code_prints_the_current_code():
    out = io.StringIO()
    with translation.override("en"):
        call_command("demo_totp_code", stdout=out)
    assert f"code: {factories.totp_code(DEMO_TOTP_SECRET)}" in out.getvalue()


def test_a_year_of_meetings_with_attendance_points_and_upcoming_ones(seeded):
    now = timezone.now()
    branch = Organization.objects.get(code=demo_data.DEMO_BRANCH_CODE)
    meetings = Meeting.objects.filter(invited_organizations=branch)
    past = meetings.filter(ends_at__lte=now)
    assert past.count() >= 46 and all(m.minutes for m in past)
    assert past.filter(starts_at__lt=now - datetime.timedelta(days=330)).exists()
    assert set(past.values_list("kind", flat=True)) == set(MeetingKind.values)
    upcoming = meetings.filter(starts_at__gt=now)
    assert upcoming.count() >= 3
    assert upcoming.filter(invited_organizations__code="LY-YD-TL-01").exists()  # a joint meeting
    # Every invitee has a record; members are invited to the meetings since they joined the branch.
    rows = Attendance.objects.filter(meeting__in=past)
    since = list(branch.members.values_list("member_since", flat=True))
    assert rows.count() == sum(timezone.localdate(m.starts_at) >= day for m in past for day in since)
    present = rows.filter(checked_in_at__isnull=False).count()
    leave = rows.filter(reply="leave").count()
    assert present > rows.count() * 0.7 and leave > 0 and present + leave < rows.count()  # some absent
    assert Attendance.objects.filter(meeting__in=upcoming, reply="attending").exists()
    paid = PointEntry.objects.filter(rule__code="meeting_attended", member__organization=branch).count()
    assert paid == present
    # Of the branches with demo meetings, those that skipped meetings come first in the county view.
    reports = county_compliance(Organization.objects.filter(code__in=demo_seed.BRANCH_CODES), now.year)
    assert [r.organization.code for r in reports[:2]] == ["LY-YD-TL-04", "LY-YD-TL-03"]
    # A long-absent member for the art. 9 warning.
    assert any(n.member.organization == branch for n in article9_check(now=now))


def test_a_year_of_dues_with_arrears_and_the_demo_members_month_to_pay(seeded):
    current = this_month()
    member = Member.objects.get(user__email="member@demo.ebranch.cn")
    assert member.dues_bases.get(year=current.year).status == YearlyBase.Status.APPROVED
    bills = member.dues_bills.order_by("period")
    assert bills.count() == 12 and bills.first().period == month_add(current, -11)
    assert list(bills.filter(status=Bill.Status.UNPAID).values_list("period", flat=True)) == [current]
    paid = Payment.objects.filter(bills__member=member).distinct()
    assert paid.count() == 11 and all(p.receipt_number.startswith("YD-") for p in paid)
    assert YearlyBase.objects.filter(member__user__isnull=True).count() >= 300
    # The demo branch: most dues collected last month, some members behind, one for more than 6 months.
    branch = Organization.objects.get(code=demo_data.DEMO_BRANCH_CODE)
    report = branch_report(branch, month_add(current, -1))
    assert 50 < report.rate < 100
    assert sum(a.months >= 4 for a in report.arrears) >= 3 and max(a.months for a in report.arrears) >= 6
    assert arrears_check()["alerted"] >= 1
