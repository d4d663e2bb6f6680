"""Demo membership transfers (called by `seed_demo` after the apps' demo seeds, so that the dues records
behind "dues paid up to" exist): a transfer in every state, letters issued, expired and used, activity
cards, and a university organization holding graduates' memberships, some longer than 2 years.

Every step goes through the services in `members/transfers.py` and `members/activity_cards.py`, acting
as the real demo officers; steps that happened in the past are then moved back to their days with
`update()`. The demo member (member@demo.ebranch.cn) has a withdrawn request, an ended activity card and
an open request; the demo branch's secretary has transfers coming in (one waiting more than a month)
and going out.

Deterministic for a given day: members are picked in primary-key order, new people come from a seeded
`PeopleMaker`. The university and its graduates are found by code and ID number; when transfers or
activity cards exist already no story is told again, so a second run changes nothing.
"""

import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from branches import demo_data
from branches.models import Organization, Township, WorkPlace
from branches.selectors import organization_ancestors
from branches.services import branch_suggest, organization_create
from ebranch.lib.months import months_later

from . import activity_cards, transfers
from .demo import REFERENCE_DATE, PeopleMaker
from .models import (
    ActivityCard,
    IntroductionLetter,
    Member,
    MembershipPeriod,
    Position,
    Transfer,
    User,
    digest_id_number,
    digest_phone,
)
from .notifications.models import Notification
from .services import member_create
from .validators import id_number_build

SEED = 20261127
Delivery = Notification.Delivery
DEMO_MEMBER_EMAIL = "member@demo.ebranch.cn"
# Partner branches in order of preference: Xiamen's second, Shenzhen's first, Fuzhou's first and
# Xinluo's first branch (Longyan); any other branch with a secretary stands in when one is missing.
PARTNER_CODES = ("LY-YD-TL-12", "LY-YD-TL-35", "LY-YD-TL-21", "LY-YD-TL-01")
# Where a member of Fuzhou's branch moved for work: the first place whose suggested branch is neither
# the demo branch nor their own receives them.
NEW_WORK_PLACES = ("泉州市", "广州市", "漳州市", "深圳市")

# Coded after the general branch (LY-YD-TL), so that adding it leaves the other nodes' paths alone.
UNIVERSITY = demo_data.OrganizationFacts(
    code="LY-YD-XY", name="中共龙岩学院委员会", short_name="龙岩学院党委", kind="university",
    address="福建省龙岩市新罗区东肖北路1号 龙岩学院行政楼", postcode="364012", phone="0597-2793316",
)
GRADUATES = demo_data.OrganizationFacts(
    code="LY-YD-XY-01", name="中共龙岩学院毕业生党支部", short_name="龙岩学院毕业生党支部",
    kind="university", address="福建省龙岩市新罗区东肖北路1号 龙岩学院学生工作部", postcode="364012",
    phone="0597-2793508",
)
# Years before the demo's reference day (members/demo.py) that the graduates whose membership the
# university still holds graduated: the limit is 2.
GRADUATE_YEARS_AGO = (1, 1, 2, 3, 3, 4)
OUTSIDE_RECEIVER = ("中共上海张江高科技园区开发股份有限公司委员会", "上海市浦东新区张江路665号 张江大厦")
OUTSIDE_SENDER = "中共厦门大学委员会"


def seed(created: dict) -> None:
    today = timezone.localdate()
    demo_branch = Organization.objects.filter(code=demo_data.DEMO_BRANCH_CODE).first()
    counts = {
        gettext_noop("university organizations"): 0,
        gettext_noop("university members"): 0,
        gettext_noop("membership transfers"): 0,
        gettext_noop("introduction letters"): 0,
        gettext_noop("activity cards"): 0,
    }
    created.update(counts)
    if demo_branch is None:
        return
    county = next(
        (o for o in organization_ancestors(demo_branch) if o.kind == Organization.Kind.COUNTY_COMMITTEE), None
    )
    if county is not None:
        _university(created, county)
        demo_branch.refresh_from_db()  # a new node may renumber the tree's paths
    if Transfer.objects.exists() or ActivityCard.objects.exists():
        return
    demo = _Demo.build(demo_branch, county, today)
    if demo is None:
        return
    letters_before = IntroductionLetter.objects.count()
    notified_before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    demo.run()
    # The story's notifications stay in the inboxes; nothing is sent to the demo's made-up addresses.
    story = Notification.objects.filter(pk__gt=notified_before)
    story.exclude(email_state=Delivery.SENT).update(email_state=Delivery.SKIPPED)
    story.exclude(sms_state=Delivery.SENT).update(sms_state=Delivery.SKIPPED)
    created[gettext_noop("membership transfers")] = Transfer.objects.count()
    created[gettext_noop("introduction letters")] = IntroductionLetter.objects.count() - letters_before
    created[gettext_noop("activity cards")] = ActivityCard.objects.count()


# The university


def _university(created, county: Organization) -> None:
    """The graduates' years count back from the demo's reference day, so that the same people are
    made on any day (and more of them pass the 2-year limit as time goes on)."""
    today = REFERENCE_DATE
    existing = {o.code: o for o in Organization.objects.filter(code__in=[UNIVERSITY.code, GRADUATES.code])}
    count = 0
    for fact, parent_code in ((UNIVERSITY, None), (GRADUATES, UNIVERSITY.code)):
        if fact.code in existing:
            continue
        existing[fact.code] = organization_create(
            parent=existing[parent_code] if parent_code else county, name=fact.name, kind=fact.kind,
            code=fact.code, short_name=fact.short_name, address=fact.address, postcode=fact.postcode,
            phone=fact.phone,
        )
        count += 1
    created[gettext_noop("university organizations")] = count
    branch = existing[GRADUATES.code]
    place = WorkPlace.objects.filter(name="龙岩市新罗区").first()
    townships = list(Township.objects.order_by("code"))
    maker = PeopleMaker(SEED, township_weights={"-": 1}, work_place_weights={"-": 1})
    added = 0
    for index, years_ago in enumerate(GRADUATE_YEARS_AGO):
        graduated = today.year - years_ago
        sex = "male" if index % 2 else "female"
        birth = datetime.date(graduated - 22, 1 + (index * 5) % 12, 3 + index * 4)
        id_number = _free_id_number(birth, sex, maker)
        if Member.records.filter(id_number_digest=digest_id_number(id_number)).exists():
            continue
        joined = datetime.date(graduated - 1, 11, 10 + index)
        full = joined + datetime.timedelta(days=366 + index)
        member_create(
            actor=None, id_number=id_number, phone=_free_phone(maker), name=maker.name(sex),
            education="bachelor", university="龙岩学院", graduation_year=graduated,
            home_township=townships[(index * 7) % len(townships)] if townships else None,
            work_place=place, employer="", joined_party_on=joined,
            full_member_on=full if full <= today else None,
            status=Member.Status.FULL if full <= today else Member.Status.PROBATIONARY,
            organization=branch, member_since=joined,
        )
        added += 1
    created[gettext_noop("university members")] = added


def _free_id_number(birth: datetime.date, sex: str, maker: PeopleMaker) -> str:
    """An ID number nobody on the demo's rosters has (the same one on every run)."""
    for sequence in range(300, 500):
        value = id_number_build(area_code="350822", birth_date=birth, sequence=sequence, sex=sex)
        clash = Member.records.filter(id_number_digest=digest_id_number(value)).first()
        if clash is None or clash.university == "龙岩学院" and clash.graduation_year == birth.year + 22:
            return value
    raise RuntimeError("no free demo ID number")  # pragma: no cover


def _free_phone(maker: PeopleMaker) -> str:
    while True:
        phone = maker.phone()
        if not Member.records.filter(phone_digest=digest_phone(phone)).exists():
            return phone


# Transfers and activity cards


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    zone = timezone.get_current_timezone()
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


class _Demo:
    def __init__(self, *, today, branch, secretary, partners, county_officer, demo_member):
        self.today = today
        self.branch = branch
        self.secretary = secretary
        self.a, self.b, self.c, self.l = partners[:4]
        self.county_officer = county_officer
        self.demo_member = demo_member
        self.used: set[int] = set()
        if demo_member is not None:
            self.used.add(demo_member.pk)

    @classmethod
    def build(cls, branch: Organization, county: Organization | None, today: datetime.date):
        secretaries = {
            p.organization_id: p.user
            for p in Position.objects.active(today)
            .filter(kind=Position.Kind.SECRETARY, organization__kind=Organization.Kind.BRANCH)
            .select_related("user").order_by("pk")
        }
        if branch.pk not in secretaries:
            return None
        others = list(
            Organization.objects.filter(pk__in=secretaries, kind=Organization.Kind.BRANCH)
            .exclude(pk=branch.pk).order_by("code")
        )
        preferred = [o for code in PARTNER_CODES for o in others if o.code == code]
        partners = preferred + [o for o in others if o not in preferred]
        if len(partners) < 4:
            return None
        county_officer = None
        if county is not None:
            position = (
                Position.objects.active(today).filter(organization=county, kind=Position.Kind.COUNTY_STAFF)
                .select_related("user").order_by("pk").first()
            )
            county_officer = position.user if position else None
        demo_member = Member.objects.filter(user__email=DEMO_MEMBER_EMAIL, organization=branch).first()
        demo = cls(
            today=today, branch=branch, secretary=secretaries[branch.pk], partners=partners,
            county_officer=county_officer, demo_member=demo_member,
        )
        demo.secretaries = secretaries
        return demo

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def pick(self, org: Organization) -> Member:
        """A full member of `org` without an account, at the branch long enough to leave it in the past."""
        member = (
            Member.objects.filter(
                organization=org, user__isnull=True, status=Member.Status.FULL,
                member_since__lt=self.ago(200),
            )
            .exclude(pk__in=self.used).order_by("pk").first()
        )
        self.used.add(member.pk)
        return member

    def sec(self, org: Organization) -> User:
        return self.secretaries[org.pk]

    # Moving steps back in time

    def back(self, transfer: Transfer, *, requested: int, approved: int | None = None,
             closed: int | None = None) -> None:
        fields = {"requested_at": _at(self.ago(requested), 9, 30)}
        if approved is not None:
            fields["approved_at"] = _at(self.ago(approved), 15, 10)
        if closed is not None:
            fields["closed_at"] = _at(self.ago(closed), 10, 40)
        Transfer.objects.filter(pk=transfer.pk).update(**fields)

    def back_letter(self, letter: IntroductionLetter, days: int) -> None:
        issued_on = self.ago(days)
        fields = {
            "issued_on": issued_on,
            "valid_until": issued_on + datetime.timedelta(days=letter.validity_days - 1),
            "issued_at": _at(issued_on, 15, 10),
        }
        if issued_on.year != letter.year:  # numbered in the year it was issued
            last = IntroductionLetter.objects.filter(
                organization=letter.organization_id, year=issued_on.year
            ).aggregate(last=Max("number"))["last"]
            fields.update(year=issued_on.year, number=(last or 0) + 1)
        IntroductionLetter.objects.filter(pk=letter.pk).update(**fields)

    def request(self, member: Member, actor: User, to: Organization | None = None, **fields) -> Transfer:
        return transfers.transfer_request(member=member, actor=actor, to_organization=to, **fields)

    # The story, oldest first so that serials follow the days letters were issued

    def run(self) -> None:
        d, a, b, c, ll = self.branch, self.a, self.b, self.c, self.l
        demo_member = self.demo_member

        # The demo member: a request withdrawn four months ago, an activity card that ended.
        if demo_member is not None:
            withdrawn = self.request(
                demo_member, demo_member.user, b, reason="公司安排到深圳分公司工作，拟转入深圳第一支部。",
            )
            transfers.transfer_withdraw(transfer=withdrawn, actor=demo_member.user)
            self.back(withdrawn, requested=125, closed=118)
            card = activity_cards.activity_card_issue(
                member=demo_member, actor=self.secretary, host_organization=c, starts_on=self.ago(110),
                ends_on=months_later(self.ago(110), 4),
                reason="到福州参加项目驻场，时间约四个月。",
            )
            activity_cards.activity_card_end(card=card, actor=self.secretary, ended_on=self.ago(40))
            ActivityCard.objects.filter(pk=card.pk).update(issued_at=_at(self.ago(112), 16))

        # Completed in the portal: a member of Fuzhou's branch moved to another city's branch.
        mover = self.pick(c)
        place, to = self._new_branch(mover, avoid=(d, c), fallback=ll)
        completed = transfers.transfer_request(
            member=mover, actor=self.sec(c), to_organization=to, work_place=place,
            employer=f"{place.name[:2]}鼎盛建设工程有限公司" if place else "",
            reason="已与新单位签订劳动合同，申请转接组织关系。",
        )
        letter = transfers.transfer_approve(transfer=completed, actor=self.sec(c))
        self.back_letter(letter, 72)
        transfers.transfer_accept(transfer=completed, actor=self.sec(to))
        self.back(completed, requested=75, approved=72, closed=60)
        Transfer.objects.filter(pk=completed.pk).update(completed_on=self.ago(60))
        IntroductionLetter.objects.filter(pk=letter.pk).update(ended_at=_at(self.ago(60), 10, 40))
        MembershipPeriod.objects.filter(transfer=completed).update(ended_on=self.ago(60))
        Member.objects.filter(pk=mover.pk).update(member_since=self.ago(60))

        # Completed outside the portal: the receipt slip came back from Shanghai.
        leaver = self.pick(a)
        outside = transfers.transfer_request(
            member=leaver, actor=self.sec(a), to_outside=OUTSIDE_RECEIVER[0],
            to_outside_address=OUTSIDE_RECEIVER[1], reason="到上海张江工作，单位党委接收组织关系。",
        )
        letter = transfers.transfer_approve(transfer=outside, actor=self.sec(a), validity_days=60)
        self.back_letter(letter, 48)
        transfers.transfer_receipt_record(transfer=outside, actor=self.sec(a), returned_on=self.ago(20))
        self.back(outside, requested=50, approved=48, closed=20)

        # Cancelled by the sending branch after its letter was issued.
        cancelled = transfers.transfer_request(
            member=self.pick(b), actor=self.sec(b), to_organization=a, reason="回厦门工作。"
        )
        letter = transfers.transfer_approve(transfer=cancelled, actor=self.sec(b))
        self.back_letter(letter, 45)
        transfers.transfer_cancel(
            transfer=cancelled, actor=self.sec(b), reason="本人工作计划变更，继续留在深圳，暂不转接。"
        )
        self.back(cancelled, requested=46, approved=45, closed=25)

        # Expired: the demo branch's letter to Longyan was never used; it must be reissued.
        expired = transfers.transfer_request(
            member=self.pick(d), actor=self.secretary, to_organization=ll,
            reason="回龙岩工作，转入新罗第一支部。",
        )
        letter = transfers.transfer_approve(transfer=expired, actor=self.secretary)
        self.back_letter(letter, 100)
        self.back(expired, requested=102, approved=100)
        transfers.letters_expire(today=self.today)

        # Rejected by the demo branch: better an activity card while the new job is on trial.
        rejected = transfers.transfer_request(
            member=self.pick(d), actor=self.secretary, to_organization=b, reason="到深圳试用新工作。"
        )
        transfers.transfer_reject(
            transfer=rejected, actor=self.secretary,
            reason="新工作尚在试用期、地点未定，建议先办理流动党员活动证，工作稳定后再申请转接。",
        )
        self.back(rejected, requested=42, closed=40)

        # Waiting more than a month for the demo branch to accept (overdue).
        waiting = transfers.transfer_request(
            member=self.pick(a), actor=self.sec(a), to_organization=d,
            reason="工作单位搬迁到思明区，离厦门第一支部活动地点更近。",
        )
        letter = transfers.transfer_approve(transfer=waiting, actor=self.sec(a))
        self.back_letter(letter, 38)
        self.back(waiting, requested=40, approved=38)

        # Rejected by the receiving branch, with its reason.
        refused = transfers.transfer_request(
            member=self.pick(a), actor=self.sec(a), to_organization=c, reason="到福州工作。"
        )
        letter = transfers.transfer_approve(transfer=refused, actor=self.sec(a))
        self.back_letter(letter, 33)
        transfers.transfer_refuse(
            transfer=refused, actor=self.sec(c),
            reason="经联系，该同志实际工作地点在莆田，不在本支部服务范围，请转往当地党组织。",
        )
        self.back(refused, requested=35, approved=33, closed=30)

        # An active activity card: a member of the demo branch on a four-month project in Shenzhen.
        guest = self.pick(d)
        card = activity_cards.activity_card_issue(
            member=guest, actor=self.secretary, host_organization=b, starts_on=self.ago(30),
            ends_on=months_later(self.ago(30), 4), reason="到深圳项目驻场四个月，居住地未定。",
        )
        ActivityCard.objects.filter(pk=card.pk).update(issued_at=_at(self.ago(32), 11))

        # A graduate whose membership the university held for more than 2 years, on the way to Longyan.
        graduate = (
            Member.objects.filter(organization__code=GRADUATES.code)
            .filter(graduation_year__lte=REFERENCE_DATE.year - 3).order_by("pk").first()
        )
        if graduate is not None and self.county_officer is not None:
            going = transfers.transfer_request(
                member=graduate, actor=self.county_officer, to_organization=ll,
                reason="毕业已满两年，已在龙岩市新罗区就业，组织关系转入新罗第一支部。",
            )
            letter = transfers.transfer_approve(transfer=going, actor=self.county_officer)
            self.back_letter(letter, 10)
            self.back(going, requested=12, approved=10)

        # In transit from the demo branch, issued a few days ago.
        fresh = transfers.transfer_request(
            member=self.pick(d), actor=self.secretary, to_organization=b,
            reason="已入职深圳南山科技园企业，申请转入深圳第一支部。",
        )
        letter = transfers.transfer_approve(transfer=fresh, actor=self.secretary)
        self.back_letter(letter, 4)
        self.back(fresh, requested=6, approved=4)

        # Received from outside the portal: a Xiamen University graduate joins the demo branch.
        self._incoming()

        # The demo member's open request, waiting for the demo branch's secretary.
        if demo_member is not None:
            place = WorkPlace.objects.filter(name="深圳市").first()
            mine = transfers.transfer_request(
                member=demo_member, actor=demo_member.user, to_organization=b, work_place=place,
                employer="深圳鹭汇信息科技有限公司",
                reason="已调到深圳分公司工作，申请将组织关系转入深圳第一支部。",
            )
            self.back(mine, requested=2)

    def _new_branch(self, member: Member, *, avoid, fallback):
        for name in NEW_WORK_PLACES:
            place = WorkPlace.objects.filter(name=name).first()
            if place is None:
                continue
            to = branch_suggest(work_place=place, home_township=member.home_township)
            if to is not None and to not in avoid and to.pk in self.secretaries:
                return place, to
        return None, fallback

    def _incoming(self) -> None:
        """A member the demo branch takes on from a letter received, with a home township and work place
        for which the portal suggests the demo branch."""
        branch = self.branch
        place = branch.work_places.order_by("pk").first()
        township = next(
            (t for t in branch.home_townships.order_by("code")
             if branch_suggest(work_place=place, home_township=t) == branch),
            None,
        )
        maker = PeopleMaker(SEED + 1, township_weights={"-": 1}, work_place_weights={"-": 1})
        birth = datetime.date(2002, 3, 14)
        id_number = next(
            value for value in (
                id_number_build(area_code="350822", birth_date=birth, sequence=n, sex="female")
                for n in range(200, 500)
            )
            if not Member.records.filter(id_number_digest=digest_id_number(value)).exists()
        )
        received_on = max(self.ago(3), self.today.replace(day=1))
        joined = datetime.date(2023, 5, 20)
        transfers.transfer_register_incoming(
            actor=self.secretary, organization=branch, from_outside=OUTSIDE_SENDER,
            letter_number="厦大党组〔2026〕186号", received_on=received_on, id_number=id_number,
            reason="毕业后到厦门工作，持介绍信转入。", phone=_free_phone(maker), name=maker.name("female"),
            education="bachelor", university="厦门大学", graduation_year=2024, home_township=township,
            work_place=place, employer="厦门鹭汇软件有限公司", joined_party_on=joined,
            full_member_on=datetime.date(2024, 5, 28), status=Member.Status.FULL,
        )
