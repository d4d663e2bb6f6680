"""`python manage.py seed_demo`: deterministic demo data. Rows are created by natural key (codes,
names, ID digests, e-mails), so a second run finds everything in place and changes nothing."""

import datetime
import io
import random
from dataclasses import dataclass
from importlib import import_module
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from branches import demo_data
from branches.models import Organization, Township, WorkPlace
from branches.services import branch_suggest, organization_create
from members import transfer_demo
from members.demo import PeopleMaker, Person
from members.models import Member, Position, User, VerificationClaim, VerifiedVia, digest_id_number
from members.photos import photo_clean
from members.scope import MANAGING_KINDS
from members.validators import id_number_build
from members.verification import claim_submit

SEED = 20140701
DEMO_PASSWORD = "tulou-demo-2026"
DEMO_TOTP_SECRET = "EBRANCHDEMOTULOUTWOFACTORSECRETA"  # base32; never used outside the demo data
EMAIL_DOMAIN = "demo.ebranch.cn"
LIAISON_GROUPS = (5, 5, 5, 5, 5, 5, 4, 4, 4, 4)  # branches guided by each of the 10 liaison officers
# When the demo's roster accounts were verified (the roster matched at the platform's launch).
VERIFIED_AT = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class Account:
    email: str
    name: str
    phone: str
    person: Person | None = None  # the roster entry this account belongs to


@dataclass
class Assignment:
    email: str
    organization: str  # code
    kind: str
    starts_on: datetime.date
    contact_phone: str = ""


@dataclass
class DemoLogin:
    role: str
    name: str
    email: str
    phone: str
    organization: str


class Command(BaseCommand):
    help = "Load the deterministic demo data (organizations, members, officers, meetings). Safe to re-run."

    def handle(self, *args, **options):
        with transaction.atomic():
            created, logins = seed()
        if any(created.values()):
            summary = ", ".join(f"{_(label)}: {count}" for label, count in created.items())
            self.stdout.write(_("Created %(summary)s.") % {"summary": summary})
        else:
            self.stdout.write(_("The demo data is already loaded; nothing changed."))
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD})
        for login in logins:
            self.stdout.write(
                f"  {login.role:<22} {login.email:<26} {login.phone}  {login.name} · {login.organization}"
            )
        self.stdout.write("")
        self.stdout.write(
            _("Officers who manage members sign in with a two-factor code: run %(command)s to see it.")
            % {"command": "python manage.py demo_totp_code"}
        )


def seed() -> tuple[dict[str, int], list[DemoLogin]]:
    created: dict[str, int] = {}
    townships = _townships(created)
    places = _work_places(created)
    organizations = _organizations(created, townships, places)
    maker = PeopleMaker(
        SEED, township_weights=demo_data.TOWNSHIP_WEIGHTS,
        work_place_weights={place.name: place.branch_count for place in demo_data.PLACES},
    )
    people = list(maker.people(demo_data.MEMBER_COUNT))
    branch_of = _branch_rule(townships, places)
    accounts, assignments, logins = _officers(maker, people, branch_of, organizations)
    claim_cases = _claim_cases(maker, accounts)
    users = _accounts(created, [*accounts, *(case.account for case in claim_cases)])
    _members(created, people, townships, places, branch_of, users, accounts)
    _positions(created, assignments, users, organizations)
    logins += _claims(created, claim_cases, users, people, townships, places, organizations)
    _demo_authenticators(created, logins)
    _app_demo_seeds(created)
    transfer_demo.seed(created)  # after the dues seed: letters carry "dues paid up to"
    return created, logins


def _app_demo_seeds(created) -> None:
    """Every installed app's `demo_seed.seed(created)` (meetings, …), found like admin modules are, so that
    members does not import the apps built on it."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo_seed"):
            import_module(f"{config.name}.demo_seed").seed(created)


def _demo_authenticators(created, logins) -> None:
    """The demo logins who manage members get one known authenticator secret (demo_totp_code)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    emails = [login.email for login in logins]
    officers = User.objects.filter(
        email__in=emails, positions__kind__in=MANAGING_KINDS, positions__ends_on__isnull=True
    ).exclude(authenticator__type=Authenticator.Type.TOTP).distinct()
    count = 0
    for user in officers:
        TOTP.activate(user, DEMO_TOTP_SECRET)
        count += 1
    created[gettext_noop("authenticator apps")] = count


def _townships(created) -> dict[str, Township]:
    existing = set(Township.objects.values_list("code", flat=True))
    new = [Township(code=code, name=name) for code, name in demo_data.TOWNSHIPS if code not in existing]
    Township.objects.bulk_create(new)
    townships = {t.name: t for t in Township.objects.filter(code__in=[c for c, _ in demo_data.TOWNSHIPS])}
    Link = Township.neighbours.through
    have = set(Link.objects.values_list("from_township_id", "to_township_id"))
    links = set()
    for a, b in demo_data.NEIGHBOURS:
        links |= {(townships[a].pk, townships[b].pk), (townships[b].pk, townships[a].pk)}
    Link.objects.bulk_create([Link(from_township_id=a, to_township_id=b) for a, b in sorted(links - have)])
    created[gettext_noop("townships")] = len(new)
    return townships


def _work_places(created) -> dict[str, WorkPlace]:
    existing = set(WorkPlace.objects.values_list("name", flat=True))
    new = [WorkPlace(name=p.name, province=p.province) for p in demo_data.PLACES if p.name not in existing]
    WorkPlace.objects.bulk_create(new)
    created[gettext_noop("work places")] = len(new)
    return {w.name: w for w in WorkPlace.objects.filter(name__in=[p.name for p in demo_data.PLACES])}


def _organizations(created, townships, places) -> dict[str, Organization]:
    facts = [demo_data.CITY, demo_data.COUNTY, demo_data.GENERAL_BRANCH, *demo_data.branches()]
    parents = {
        demo_data.COUNTY.code: demo_data.CITY.code, demo_data.GENERAL_BRANCH.code: demo_data.COUNTY.code
    }
    existing = {o.code: o for o in Organization.objects.filter(code__in=[f.code for f in facts])}
    count = 0
    for fact in facts:
        if fact.code in existing:
            continue
        parent_code = parents.get(fact.code, demo_data.GENERAL_BRANCH.code)
        existing[fact.code] = organization_create(
            parent=existing.get(parent_code) if fact.code != demo_data.CITY.code else None,
            name=fact.name, kind=fact.kind, code=fact.code, short_name=fact.short_name,
            address=fact.address, postcode=fact.postcode, phone=fact.phone, email=fact.email,
        )
        count += 1
    created[gettext_noop("organizations")] = count

    serves, takes = Organization.work_places.through, Organization.home_townships.through
    have_serves = set(serves.objects.values_list("organization_id", "workplace_id"))
    have_takes = set(takes.objects.values_list("organization_id", "township_id"))
    for fact in facts:
        org = existing[fact.code]
        if fact.work_place and (org.pk, places[fact.work_place].pk) not in have_serves:
            serves.objects.create(organization=org, workplace=places[fact.work_place])
        takes.objects.bulk_create([
            takes(organization=org, township=townships[name])
            for name in fact.townships if (org.pk, townships[name].pk) not in have_takes
        ])
    return existing


def _branch_rule(townships, places):
    """The suggestion service's answer for each (work place, township), asked once per pair."""
    cache: dict[tuple[str, str], Organization] = {}

    def branch_of(person: Person) -> Organization:
        key = (person.work_place, person.home_township)
        if key not in cache:
            cache[key] = branch_suggest(
                work_place=places[person.work_place], home_township=townships[person.home_township]
            )
        return cache[key]

    return branch_of


def _email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


def _officers(maker: PeopleMaker, people, branch_of, organizations):
    """Who holds which position, and which accounts they need; decided from the people alone."""
    rng = random.Random(SEED + 1)
    branch_facts = demo_data.branches()
    by_branch: dict[str, list[Person]] = {}
    for person in people:
        by_branch.setdefault(branch_of(person).code, []).append(person)

    accounts: list[Account] = []
    assignments: list[Assignment] = []
    logins: list[DemoLogin] = []
    demo_branch = organizations[demo_data.DEMO_BRANCH_CODE]
    for index, fact in enumerate(branch_facts):
        slug = _branch_slug(fact)
        full = [p for p in by_branch.get(fact.code, []) if p.full_member_on]
        size = 5 if len(full) >= 30 else 3
        committee = sorted(rng.sample(full, min(size, len(full))), key=lambda p: p.joined_party_on)
        starts_on = datetime.date(2024, 3, 1) + datetime.timedelta(days=index)
        for rank, person in enumerate(committee):  # the longest-standing member is the secretary
            if rank == 0:
                kind, local = Position.Kind.SECRETARY, f"{slug}.secretary"
            elif rank == 1:
                kind, local = Position.Kind.DEPUTY_SECRETARY, f"{slug}.deputy"
            else:
                kind, local = Position.Kind.COMMITTEE_MEMBER, f"{slug}.committee{rank - 1}"
            if fact.code == demo_data.DEMO_BRANCH_CODE and kind == Position.Kind.SECRETARY:
                local = "secretary"
                logins.append(DemoLogin(_("secretary"), person.name, _email(local), person.phone, fact.name))
            accounts.append(Account(_email(local), person.name, person.phone, person))
            assignments.append(Assignment(
                _email(local), fact.code, kind, starts_on,
                person.phone if kind in (Position.Kind.SECRETARY, Position.Kind.DEPUTY_SECRETARY) else "",
            ))
        if fact.code == demo_data.DEMO_BRANCH_CODE:
            officers = {p.id_number for p in committee}
            member = next(p for p in by_branch[fact.code] if p.full_member_on and p.id_number not in officers)
            accounts.append(Account(_email("member"), member.name, member.phone, member))
            logins.insert(0, DemoLogin(_("member"), member.name, _email("member"), member.phone, fact.name))

    start = 0
    for number, size in enumerate(LIAISON_GROUPS, start=1):
        name, phone = maker.officer()
        guided = branch_facts[start:start + size]
        start += size
        local = f"liaison{number:02d}"
        if any(f.code == demo_data.DEMO_BRANCH_CODE for f in guided):
            local = "liaison"
            logins.append(DemoLogin(_("liaison officer"), name, _email(local), phone, demo_branch.name))
        accounts.append(Account(_email(local), name, phone))
        assignments += [
            Assignment(_email(local), f.code, Position.Kind.LIAISON_OFFICER, datetime.date(2025, 3, 1), phone)
            for f in guided
        ]

    oversight = [
        ("general", Position.Kind.GENERAL_BRANCH_OFFICER, demo_data.GENERAL_BRANCH,
         _("general-branch officer")),
        ("county", Position.Kind.COUNTY_STAFF, demo_data.COUNTY, _("county officer")),
    ]
    for (local, kind, fact, role), starts_on in zip(
        oversight, [datetime.date(2023, 6, 1), datetime.date(2022, 9, 1)], strict=True
    ):
        name, phone = maker.officer()
        accounts.append(Account(_email(local), name, phone))
        assignments.append(Assignment(_email(local), fact.code, kind, starts_on, phone))
        logins.append(DemoLogin(role, name, _email(local), phone, fact.name))
    return accounts, assignments, logins


def _branch_slug(fact) -> str:
    """xm1 for 厦门第一支部: the place key and the branch's number within its place."""
    place = next(p for p in demo_data.PLACES if p.name == fact.work_place)
    return f"{place.key}{demo_data.CHINESE_ORDINALS.index(fact.short_name[len(place.short) + 1]) + 1}"


def _accounts(created, accounts: list[Account]) -> dict[str, User]:
    existing = set(User.objects.filter(email__in=[a.email for a in accounts]).values_list("email", flat=True))
    missing = [a for a in accounts if a.email not in existing]
    if missing:
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing per account is slow
        new = []
        for account in missing:
            user = User(email=account.email, display_name=account.name, password=password)
            user.set_phone(account.phone)
            new.append(user)
        User.objects.bulk_create(new)
    users = {u.email: u for u in User.objects.filter(email__in=[a.email for a in accounts])}
    have = set(EmailAddress.objects.filter(email__in=users).values_list("email", flat=True))
    EmailAddress.objects.bulk_create([
        EmailAddress(user=user, email=email, verified=True, primary=True)
        for email, user in users.items() if email not in have
    ])
    # A roster entry that is already there gets the account it should have been created with.
    for account in missing:
        if account.person is not None:
            Member.objects.filter(
                id_number_digest=digest_id_number(account.person.id_number), user__isnull=True
            ).update(user=users[account.email], verified_via=VerifiedVia.ROSTER, verified_at=VERIFIED_AT)
    created[gettext_noop("accounts")] = len(missing)
    return users


def _members(created, people, townships, places, branch_of, users, accounts) -> None:
    user_of = {a.person.id_number: users[a.email] for a in accounts if a.person is not None}
    digests = {digest_id_number(p.id_number): p for p in people}
    existing = set(
        Member.records.filter(id_number_digest__in=digests).values_list("id_number_digest", flat=True)
    )
    new = []
    for digest, person in digests.items():
        if digest in existing:
            continue
        member = Member(
            name=person.name, sex=person.sex, ethnicity=person.ethnicity, birth_date=person.birth_date,
            education=person.education, university=person.university, graduation_year=person.graduation_year,
            home_township=townships[person.home_township], work_place=places[person.work_place],
            employer=person.employer, joined_party_on=person.joined_party_on,
            full_member_on=person.full_member_on, status=person.status, organization=branch_of(person),
            member_since=person.member_since, user=user_of.get(person.id_number),
        )
        if member.user is not None:
            member.verified_via, member.verified_at = VerifiedVia.ROSTER, VERIFIED_AT
        member.set_id_number(person.id_number)
        member.set_phone(person.phone)
        new.append(member)
    Member.objects.bulk_create(new, batch_size=500)
    created[gettext_noop("roster entries")] = len(new)


def _positions(created, assignments: list[Assignment], users, organizations) -> None:
    have = set(Position.objects.values_list("user_id", "organization_id", "kind"))
    new = [
        Position(
            user=users[a.email], organization=organizations[a.organization], kind=a.kind,
            starts_on=a.starts_on, contact_phone=a.contact_phone,
        )
        for a in assignments
        if (users[a.email].pk, organizations[a.organization].pk, a.kind) not in have
    ]
    Position.objects.bulk_create(new)
    created[gettext_noop("officer positions")] = len(new)


@dataclass
class ClaimCase:
    account: Account
    role: str
    person: Person | None  # None: someone on no roster


def _claim_cases(maker: PeopleMaker, accounts: list[Account]) -> list[ClaimCase]:
    """Two claimants for the review pages: a newcomer on no roster, waiting for the demo branch, and
    the demo member's second account (a new phone number), a conflict for county staff."""
    name, phone = maker.name("female"), maker.phone()
    demo_member = next(a.person for a in accounts if a.email == _email("member"))
    second = Account(_email("second"), "", maker.phone())
    return [
        ClaimCase(Account(_email("claimant"), name, phone), _("claimant"), None),
        ClaimCase(second, _("second account"), demo_member),
    ]


def _claims(created, cases, users, people, townships, places, organizations) -> list[DemoLogin]:
    branch = organizations[demo_data.DEMO_BRANCH_CODE]
    fact = next(f for f in demo_data.branches() if f.code == branch.code)
    work_place = places[fact.work_place]
    # a home township for which the suggestion service picks the demo branch
    township = next(
        townships[name] for name in fact.townships
        if branch_suggest(work_place=work_place, home_township=townships[name]) == branch
    )
    count, logins = 0, []
    for case in cases:
        person = case.person
        claim = {
            "name": person.name, "id_number": person.id_number, "work_place": places[person.work_place],
            "home_township": townships[person.home_township],
        } if person else {
            "name": case.account.name, "id_number": _id_number_off_roster(people),
            "work_place": work_place, "home_township": township,
        }
        user = users[case.account.email]
        if not VerificationClaim.objects.filter(user=user).exists():
            photos = {"front_photo": _card_photo("front"), "back_photo": _card_photo("back")}
            claim_submit(actor=user, **claim, **photos)
            count += 1
        account = case.account
        logins.append(DemoLogin(case.role, claim["name"], account.email, account.phone, branch.name))
    created[gettext_noop("verification claims")] = count
    return logins


def _id_number_off_roster(people) -> str:
    on_roster = {p.id_number for p in people}
    candidates = (
        id_number_build(area_code="350822", birth_date=datetime.date(1998, 4, 12), sequence=n, sex="female")
        for n in range(500)
    )
    return next(value for value in candidates if value not in on_roster)


def _card_photo(side: str):
    """A plain drawing in the shape of an ID card, marked as a demo: never a real person's card."""
    from PIL import Image, ImageDraw

    card = Image.new("RGB", (428, 270), "#e9eef2" if side == "front" else "#f2ede4")
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((4, 4, 423, 265), radius=16, outline="#9aa5b1", width=3)
    if side == "front":
        draw.rectangle((300, 40, 400, 170), fill="#c9d3dc")
        for y in range(48, 230, 34):
            draw.rectangle((30, y, 260 if y < 200 else 390, y + 12), fill="#b4bec8")
    else:
        draw.ellipse((30, 30, 110, 110), outline="#c8161d", width=4)
        for y in (160, 200):
            draw.rectangle((130, y, 390, y + 12), fill="#c9bfae")
    draw.text((150, 120 if side == "front" else 60), "DEMO", fill="#c8161d", font_size=36)
    out = io.BytesIO()
    card.save(out, format="PNG")
    return photo_clean(SimpleUploadedFile(f"{side}.png", out.getvalue(), content_type="image/png"))
