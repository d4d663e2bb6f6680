"""The audit log: who changed what, old → new, with ID numbers and phone numbers masked."""

import datetime
import json

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization
from members import verification
from members.audit import mask_encrypted
from members.models import Member, Position, User, VerificationClaim
from members.photos import photo_clean
from members.services import member_update, position_end
from tests import factories

ID = "35082219900517007X"
NEW_ID = "11010519491231002X"
PHONE = "13912345678"
NEW_PHONE = "13887654321"


def entries(obj, action=None):
    found = LogEntry.objects.get_for_object(obj).order_by("pk")
    return list(found if action is None else found.filter(action=action))


def stored_text(entry: LogEntry) -> str:
    """Everything an entry holds that could carry a value."""
    parts = [entry.changes_text, entry.object_repr, entry.changes, entry.serialized_data]
    return json.dumps([*parts, entry.additional_data], ensure_ascii=False, default=str)


def assert_nowhere(*values):
    every = "\n".join(stored_text(entry) for entry in LogEntry.objects.all())
    for value in values:
        assert value not in every and value.lower() not in every


@pytest.fixture
def zhang(world):
    member = Member.objects.get(user=world.member)
    member_update(member=member, actor=None, id_number=ID, phone=PHONE)
    return member


def test_mask_encrypted_shows_the_masked_value_never_the_token():
    from ebranch.lib import crypto

    assert mask_encrypted(crypto.encrypt(ID)) == "350822********007X"
    assert mask_encrypted(crypto.encrypt(PHONE)) == "139****5678"
    assert mask_encrypted("") == "" and mask_encrypted("None") == "None"
    assert mask_encrypted("not-a-token") == "********"


def test_member_update_logs_one_entry_with_masked_old_and_new_and_the_actor(world, zhang):
    before = len(entries(zhang))
    with set_actor(world.secretary):
        member_update(member=zhang, actor=world.secretary, name="张三丰", phone=NEW_PHONE)
    logged = entries(zhang)[before:]
    assert len(logged) == 1
    entry = logged[0]
    assert entry.action == LogEntry.Action.UPDATE and entry.actor == world.secretary
    assert entry.changes_dict == {
        "name": ["张三", "张三丰"], "phone_encrypted": ["139****5678", "138****4321"],
    }
    display = entry.changes_display_dict
    assert display["mobile number"] == ["139****5678", "138****4321"]
    assert_nowhere(ID, PHONE, NEW_PHONE)


def test_id_number_change_is_masked_and_digests_are_left_out(world, zhang):
    with set_actor(world.secretary):
        member_update(member=zhang, actor=world.secretary, id_number=NEW_ID.lower())
    entry = entries(zhang)[-1]
    assert entry.changes_dict["id_number_encrypted"] == ["350822********007X", "110105********002X"]
    assert {"birth_date", "sex"} <= set(entry.changes_dict)
    assert not any(name.endswith("_digest") for name in entry.changes_dict)
    assert_nowhere(ID, NEW_ID)


def test_member_creation_is_logged_masked(world):
    member = factories.member(organization=world.branch, id_number=NEW_ID, phone=NEW_PHONE)
    (entry,) = entries(member, LogEntry.Action.CREATE)
    assert entry.actor is None  # no request: a command or a task
    assert entry.changes_dict["id_number_encrypted"] == ["None", "110105********002X"]
    assert entry.changes_dict["phone_encrypted"] == ["None", "138****4321"]
    assert_nowhere(NEW_ID, NEW_PHONE)


def test_change_through_the_admin_records_the_officer(en, world, zhang):
    from tests.members.test_admin import form_data

    en.force_login(world.secretary)
    url = reverse("admin:members_member_change", args=[zhang.pk])
    response = en.post(url, form_data(zhang, employer="厦门某公司", phone=NEW_PHONE))
    assert response.status_code == 302
    entry = entries(zhang)[-1]
    assert entry.actor == world.secretary
    assert entry.changes_dict == {
        "employer": ["", "厦门某公司"], "phone_encrypted": ["139****5678", "138****4321"],
    }
    assert_nowhere(ID, PHONE, NEW_PHONE)


def test_position_end_is_logged(world):
    position = Position.objects.get(user=world.secretary)
    with set_actor(world.county_officer):
        position_end(position=position, actor=world.county_officer, ends_on=datetime.date(2026, 1, 31))
    entry = entries(position)[-1]
    assert entry.actor == world.county_officer
    assert entry.changes_dict == {"ends_on": ["None", "2026-01-31"]}


def test_organization_contact_change_is_logged_without_tree_fields(en, world):
    from tests.branches.test_admin import org_data

    en.force_login(world.secretary)
    url = reverse("admin:branches_organization_change", args=[world.branch.pk])
    assert en.post(url, org_data(world.branch, phone="0592-1234567")).status_code == 302
    entry = entries(world.branch)[-1]
    assert entry.actor == world.secretary
    assert entry.changes_dict == {"phone": ["", "0592-1234567"]}

    child = factories.organization(parent=world.branch)
    (created,) = entries(child, LogEntry.Action.CREATE)
    assert not {"path", "depth", "numchild"} & set(created.changes_dict)


def test_organization_places_are_logged(world):
    from branches.models import WorkPlace

    place = WorkPlace.objects.create(name="厦门", province="福建")
    world.branch.work_places.add(place)
    entry = entries(world.branch)[-1]
    assert entry.changes_dict == {"work_places": {"type": "m2m", "operation": "add", "objects": ["厦门"]}}


def test_account_changes_log_only_status_email_and_name(world):
    user = world.member
    before = len(entries(user))
    user.set_password("another-long-password")
    user.last_login = timezone.now()
    user.save()
    assert len(entries(user)) == before  # password hash and last sign-in are not audited
    user.display_name, user.is_active = "张三丰", False
    user.save()
    entry = entries(user)[-1]
    assert entry.changes_dict == {"display_name": ["张三", "张三丰"], "is_active": ["True", "False"]}
    assert "pbkdf2" not in stored_text(entry) and "md5" not in stored_text(entry)


def test_new_account_logs_no_phone_or_password(db):
    user = User.objects.create_user(None, "long-enough-password", phone=PHONE, display_name="新用户")
    (entry,) = entries(user)
    assert set(entry.changes_dict) <= {"is_active", "email", "display_name"}
    assert_nowhere(PHONE)


def photos() -> dict:
    return {"front_photo": photo_clean(factories.id_photo()), "back_photo": photo_clean(factories.id_photo())}


def test_claim_decision_is_logged_with_the_id_number_masked(world, private_media):
    claimant = factories.user()
    with set_actor(claimant):
        claim = verification.claim_submit(actor=claimant, name="孙七", id_number=ID, **photos())
    created = entries(claim)[-1]
    assert created.actor == claimant
    assert created.changes_dict["id_number_encrypted"] == ["None", "350822********007X"]
    assert not {"id_number_digest", "front_photo", "back_photo"} & set(created.changes_dict)
    with set_actor(world.county_officer):
        verification.claim_reject(claim=claim, actor=world.county_officer, reason="照片不清楚")
    entry = entries(claim)[-1]
    assert entry.actor == world.county_officer
    assert entry.changes_dict["status"] == ["pending", "rejected"]
    assert entry.changes_dict["reason"] == ["", "照片不清楚"]
    assert entry.changes_dict["decided_by"] == ["None", str(world.county_officer.pk)]
    assert_nowhere(ID)


def test_claim_approval_logs_the_new_member_and_the_decision(world, private_media):
    claimant = factories.user()
    claim = verification.claim_submit(actor=claimant, name="孙七", id_number=ID, **photos())
    with set_actor(world.county_officer):
        verification.claim_approve(
            claim=claim, actor=world.county_officer, organization=world.branch, status=Member.Status.FULL,
            joined_party_on=datetime.date(2012, 7, 1), full_member_on=datetime.date(2013, 7, 1),
        )
    member = Member.objects.get(user=claimant)
    (created,) = entries(member, LogEntry.Action.CREATE)
    assert created.actor == world.county_officer
    assert created.changes_dict["id_number_encrypted"] == ["None", "350822********007X"]
    decision = entries(claim)[-1]
    assert decision.changes_dict["status"] == ["pending", "approved"]
    assert decision.changes_dict["member"] == ["None", str(member.pk)]
    assert_nowhere(ID)


def test_organization_is_registered_with_its_tree_fields_excluded():
    from auditlog.registry import auditlog

    for model in (Member, Position, Organization, User, VerificationClaim):
        assert auditlog.contains(model)
    assert {"path", "depth", "numchild"} <= set(auditlog.get_model_fields(Organization)["exclude_fields"])
