"""After seeding and a full claim, a test person's raw ID number and phone number appear nowhere: not
in any captured log line (SQL parameters included), any audit entry, or any column of any table.

Through the pages, as people would: the person signs up with their phone, claims a record that is
not on the roster (with ID-card photos), their branch's officer creates it from the claim, a second
account claims the same ID number (a conflict), and the officer edits the record in the admin and
unmasks both numbers on the reveal page. (The second account types the ID number in full width, as a
Chinese keyboard may: it is still the same number.) Then the person asks to transfer and the officer approves,
which issues an introduction letter carrying both numbers (encrypted; its PDF is a private file, not
scanned) and renders its PDF; the public check page is opened. Every log record goes
through the project's configured handlers, with SQL logging on, into a buffer that is scanned.
"""

import io
import json
import logging
import re
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from branches.models import Organization, Township, WorkPlace
from ebranch.lib import crypto
from ebranch.lib.logging import MaskPersonalData
from members.letters import letter_pdf_render
from members.models import (
    IntroductionLetter,
    Member,
    PersonalDataAccess,
    Position,
    User,
    VerificationClaim,
    digest_id_number,
    digest_phone,
)
from members.transfers import transfer_approve, transfer_request
from tests import factories

ID = "35082219870228158X"
PHONE = "13306901234"
NAME = "测试人"
RAW = (ID, ID.lower(), PHONE, *map(factories.full_width, (ID, ID[:17], PHONE)))


@pytest.fixture
def log_output(settings):
    """Everything logged at any level, as the configured root handler would write it."""
    settings.DEBUG = True  # Django logs every SQL statement with its parameters
    console = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, MaskPersonalData) for f in h.filters)
    )
    buffer = io.StringIO()
    root, sql = logging.getLogger(), logging.getLogger("django.db.backends")
    levels = root.level, sql.level
    previous = console.setStream(buffer)
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        console.setStream(previous)
        root.setLevel(levels[0])
        sql.setLevel(levels[1])


def officer_of(organization) -> User:
    """The secretary of the reviewing branch, or else county staff above it."""
    managing = Position.objects.active().filter(kind__in=["secretary", "county_staff"])
    managing = managing.select_related("organization")
    for position in sorted(managing, key=lambda p: p.kind != "secretary"):
        if organization.path.startswith(position.organization.path):
            return position.user
    raise AssertionError("the demo has an officer for every branch")


def sign_up(client) -> User:
    response = client.post(reverse("account_signup"), {
        "phone": PHONE, "email": "test-person@example.com",
        "password1": factories.TEST_PASSWORD, "password2": factories.TEST_PASSWORD,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(phone_digest=crypto.digest(PHONE))


def claim(client, *, id_number: str) -> VerificationClaim:
    """The signed-in account claims a record through the claim page, with photos of the ID card."""
    response = client.post(reverse("verification:claim"), {
        "name": NAME, "id_number": id_number, "work_place": WorkPlace.objects.order_by("pk").first().pk,
        "home_township": Township.objects.order_by("pk").first().pk,
        "front_photo": factories.id_photo(), "back_photo": factories.id_photo(),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return VerificationClaim.objects.latest("pk")


def claim_and_approve(client, user) -> Member:
    """No roster entry has this ID: the claim goes to the branch, whose officer creates the record."""
    pending = claim(client, id_number=ID.lower())
    assert pending.user == user and pending.status == VerificationClaim.Status.PENDING
    officer = officer_of(pending.organization)
    factories.totp(officer)  # officers who manage members have two-factor authentication
    client.force_login(officer)
    response = client.post(reverse("verification:detail", args=[pending.pk]), {
        "action": "create", "organization": pending.organization.pk, "status": "full",
        "joined_party_on": "2012-07-01", "full_member_on": "2013-07-01", "member_since": "2024-07-01",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return Member.objects.get(user=user)


def claim_again(client):
    """A second account claims the same ID number, typed in full width: a conflict for county staff."""
    client.force_login(factories.user(email="second-claimant@example.com"))
    assert claim(client, id_number=factories.full_width(ID)).status == VerificationClaim.Status.CONFLICT


def edit_and_reveal(client, member: Member):
    """The branch's officer changes the record in the admin and unmasks both numbers."""
    from tests.members.test_admin import form_data

    officer = officer_of(member.organization)
    client.force_login(officer)
    change = reverse("admin:members_member_change", args=[member.pk])
    response = client.post(change, form_data(member, name=NAME + "丙", phone=PHONE, employer="厦门某公司"))
    assert response.status_code == 302, response.content.decode()[:2000]
    url = reverse("reveal:member", args=[member.pk])
    for field, value in (("id_number", ID), ("phone", PHONE)):
        response = client.post(url, {"field": field, "reason": "核对党员信息"})
        assert value in response.content.decode()  # shown to the officer, and stored nowhere
    assert PersonalDataAccess.objects.filter(member=member, officer=officer).count() == 2
    history = client.get(reverse("admin:members_member_history", args=[member.pk]))
    assert history.status_code == 200 and member.masked_id_number in history.content.decode()


def issue_letter(client, member: Member) -> IntroductionLetter:
    """The member asks to move to another branch; their officer approves, which issues the letter."""
    officer = officer_of(member.organization)
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH)
    target = branches.exclude(pk=member.organization_id).first()
    transfer = transfer_request(member=member, actor=member.user, reason="工作调动", to_organization=target)
    letter = transfer_approve(transfer=transfer, actor=officer, validity_days=60)
    assert letter_pdf_render(letter.pk) is True  # the task that runs once the approval commits
    response = client.get(reverse("letters:verify"), {"serial": letter.serial, "code": letter.check_code})
    assert letter.serial in response.content.decode()
    return letter


def text_of(value) -> str:
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def database_hits() -> list[str]:
    """Every column of every row of every table that holds a raw value."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the schema)
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None and any(raw in text_of(value) for raw in RAW):
                        hits.append(f"{table}.{column}")
    return hits


def test_raw_id_and_phone_appear_nowhere(db, client, log_output):
    call_command("seed_demo", stdout=io.StringIO())
    assert not Member.objects.filter(id_number_digest=crypto.digest(ID)).exists()
    assert not User.objects.filter(phone_digest=crypto.digest(PHONE)).exists()
    log_output.seek(0)
    log_output.truncate(0)

    user = sign_up(client)
    member = claim_and_approve(client, user)
    claim_again(client)
    edit_and_reveal(client, member)
    letter = issue_letter(client, member)
    logging.getLogger("members").warning("by mistake: %s %s", ID, {"phone": PHONE})

    member.refresh_from_db()
    assert (member.id_number, member.phone, user.phone) == (ID, PHONE, PHONE)  # the person is really there
    letter.refresh_from_db()
    assert (letter.id_number, letter.phone) == (ID, PHONE) and letter.pdf  # and on their letter

    log = log_output.getvalue()
    assert "SELECT" in log and "INSERT INTO" in log  # SQL with its parameters was logged
    assert 'INSERT INTO "members_introductionletter"' in log
    assert "by mistake: 350822********158X {'phone': '133****1234'}" in log
    assert not [raw for raw in RAW if raw in log]

    entries = LogEntry.objects.all()
    assert entries.filter(object_repr__startswith=NAME).exists()
    for entry in entries:
        shown = {str(field): values for field, values in entry.changes_display_dict.items()}
        stored = text_of([entry.changes_text, entry.object_repr, entry.changes, entry.serialized_data,
                          entry.additional_data, shown])
        assert not [raw for raw in RAW if raw in stored], entry

    assert database_hits() == []
    sessions = [text_of(session.get_decoded()) for session in Session.objects.all()]  # signed, so decode
    assert sessions and not [raw for raw in RAW if any(raw in data for data in sessions)]

    # The scan finds a raw value in a text column and in a JSON column.
    Township.objects.filter(pk=Township.objects.order_by("pk").first().pk).update(name=f"x{ID}x")
    LogEntry.objects.filter(pk=entries.first().pk).update(additional_data={"note": PHONE})
    assert sorted(database_hits()) == ["auditlog_logentry.additional_data", "branches_township.name"]


# Every number is stored, hashed and looked up in its normal form


def test_the_setters_store_the_normal_form(db):
    user = factories.user(phone=factories.full_width("+86 133-0690-1234"))
    assert user.phone == PHONE and user.phone_digest == crypto.digest(PHONE)
    claim = VerificationClaim(user=user, name=NAME)
    claim.set_id_number(factories.full_width(ID.lower()))
    assert claim.id_number == ID and claim.id_number_digest == crypto.digest(ID)
    assert (digest_id_number(factories.full_width(ID)), digest_phone(factories.full_width(PHONE))) == (
        crypto.digest(ID), crypto.digest(PHONE)
    )


def test_the_setters_refuse_digits_that_are_not_ascii(db):
    member = Member()
    with pytest.raises(ValidationError):
        member.set_id_number(ID.translate({ord(str(n)): "٠١٢٣٤٥٦٧٨٩"[n] for n in range(10)}))
    with pytest.raises(ValidationError):
        member.set_phone("1٣٣٠٦٩٠١٢٣٤")
    assert member.id_number_encrypted == member.phone_encrypted == ""


def test_numbers_are_hashed_only_through_the_normal_form():
    """The keyed hash is taken in one place (members/models.py), after the normaliser, so that no
    look-up can hash a full-width number; besides, the check command compares stored hashes."""
    allowed = {
        "ebranch/lib/crypto.py", "members/models.py", "members/management/commands/personal_data_check.py",
    }
    root = Path(__file__).resolve().parents[1]
    callers = {
        path.relative_to(root).as_posix()
        for folder in ("ebranch", "branches", "members", "meetings", "dues", "votes", "bench")
        for path in (root / folder).rglob("*.py")
        if re.search(r"\bdigest\(", path.read_text(encoding="utf-8"))
    }
    assert callers <= allowed, sorted(callers - allowed)
