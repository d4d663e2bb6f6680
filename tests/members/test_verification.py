"""Real-name verification services: the claim paths and their decisions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation

from branches.models import Township, WorkPlace
from ebranch.lib import crypto
from members import verification as svc
from members.models import Member, User, VerificationClaim
from members.photos import photo_clean
from members.services import member_update
from tests import factories

Status = VerificationClaim.Status
ID = factories.id_number(9001, sex="female")
OTHER_ID = factories.id_number(9002)


@pytest.fixture(autouse=True)
def english():
    """Service messages are asserted in the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def entry(world):
    """An unclaimed roster entry of `branch`."""
    return factories.member(organization=world.branch, name="林小梅", id_number=ID)


@pytest.fixture
def claimant(db):
    """A signed-up account: no name yet, no member record."""
    return User.objects.create_user("claimant@example.com", factories.TEST_PASSWORD)


def photos() -> dict:
    return {"front_photo": photo_clean(factories.id_photo()), "back_photo": photo_clean(factories.id_photo())}


def submit(user, *, name="林小梅", id_number=ID, with_photos=True, **fields):
    return svc.claim_submit(actor=user, name=name, id_number=id_number, **(photos() if with_photos else {}),
                            **fields)


# Exact match


def test_exact_match_links_the_account_at_once(entry, claimant, world):
    claim = submit(claimant, name=" 林 小梅 ", id_number=ID.lower(), with_photos=False)
    entry.refresh_from_db()
    assert claim.status == Status.MATCHED
    assert entry.user == claimant
    assert entry.verified_via == "roster" and entry.verified_at is not None
    assert claim.member == entry and claim.organization == world.branch
    assert claim.decided_at is not None
    claimant.refresh_from_db()
    assert claimant.display_name == "林小梅"


def test_exact_match_keeps_no_photos(entry, claimant, private_media):
    claim = submit(claimant)
    assert claim.status == Status.MATCHED
    assert not claim.front_photo and not claim.back_photo
    assert not any(private_media.rglob("*.jpg"))


def test_the_roster_is_searched_by_keyed_hash_without_decrypting(entry, claimant, world, monkeypatch):
    others = [factories.member(organization=world.branch) for _ in range(3)]
    decrypted = []
    decrypt = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda token: decrypted.append(token) or decrypt(token))
    claim = submit(claimant, with_photos=False)
    assert claim.status == Status.MATCHED
    roster = {m.id_number_encrypted for m in Member.objects.exclude(pk=entry.pk)}
    assert len(roster) == len(others) + 4 and not roster & set(decrypted)


# No match: review by a branch


def test_a_different_name_needs_photos(entry, claimant):
    with pytest.raises(ValidationError) as error:
        submit(claimant, name="林小美", with_photos=False)
    assert set(error.value.message_dict) == {"front_photo", "back_photo"}
    assert not VerificationClaim.objects.exists()
    entry.refresh_from_db()
    assert entry.user is None


def test_a_different_name_goes_to_the_entrys_own_branch(entry, claimant, world, private_media):
    claim = submit(claimant, name="林小美")
    entry.refresh_from_db()
    assert claim.status == Status.PENDING
    assert claim.organization == world.branch
    assert entry.user is None
    assert claim.front_photo and claim.back_photo
    assert len(list(private_media.rglob("*.jpg"))) == 2
    assert claim.id_number_digest == crypto.digest(ID) and ID not in claim.id_number_encrypted


def test_no_roster_entry_goes_to_the_suggested_branch(world, claimant):
    place = WorkPlace.objects.create(name="深圳", province="广东")
    township = Township.objects.create(name="湖坑镇", code="350822104")
    world.other_branch.work_places.add(place)
    world.other_branch.home_townships.add(township)
    claim = submit(claimant, id_number=OTHER_ID, work_place=place, home_township=township)
    assert claim.status == Status.PENDING
    assert claim.organization == world.other_branch
    assert claim.work_place == place and claim.home_township == township


def test_without_a_suggestion_the_general_branch_reviews(world, claimant):
    claim = submit(claimant, id_number=OTHER_ID)
    assert claim.organization == world.general_branch


def test_an_invalid_id_number_is_a_field_error(world, claimant):
    with pytest.raises(ValidationError) as error:
        submit(claimant, id_number="110108196711301866")
    assert list(error.value.message_dict) == ["id_number"]


def test_one_open_claim_at_a_time(world, claimant):
    submit(claimant, id_number=OTHER_ID)
    with pytest.raises(ValidationError, match="already have a claim"):
        submit(claimant, id_number=OTHER_ID)


def test_a_linked_account_cannot_claim(world, entry):
    with pytest.raises(ValidationError, match="already linked"):
        submit(world.member)


# ID number already claimed


def test_an_id_number_held_by_another_account_is_a_conflict(world, claimant):
    held = world.member.member
    claim = submit(claimant, name=held.name, id_number=held.id_number)
    held.refresh_from_db()
    assert claim.status == Status.CONFLICT
    assert claim.conflicting_member == held and claim.organization == world.branch
    assert held.user == world.member  # nothing moves
    assert not Member.objects.filter(user=claimant).exists()


def test_an_id_number_with_another_open_claim_is_a_conflict(world, claimant):
    first = submit(factories.user(), id_number=OTHER_ID)
    claim = submit(claimant, id_number=OTHER_ID)
    assert claim.status == Status.CONFLICT
    assert claim.conflicting_member is None and claim.organization == first.organization


def test_a_conflict_needs_photos_for_the_county(world, claimant):
    with pytest.raises(ValidationError):
        submit(claimant, id_number=world.member.member.id_number, with_photos=False)


# The branch decides


@pytest.fixture
def pending(world, claimant):
    return submit(claimant, id_number=OTHER_ID)  # reviewed by the general branch


def test_approve_by_linking_an_existing_entry(pending, world, claimant):
    entry = factories.member(organization=world.branch, name="林晓梅")
    claim = svc.claim_approve(claim=pending, actor=world.county_officer, member=entry)
    entry.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.member == entry
    assert claim.decided_by == world.county_officer and claim.decided_at is not None
    assert entry.user == claimant and entry.verified_via == "review"


def test_approve_by_creating_a_new_member(pending, world, claimant):
    claim = svc.claim_approve(
        claim=pending, actor=world.county_officer, organization=world.branch,
        status=Member.Status.PROBATIONARY, joined_party_on=datetime.date(2024, 7, 1),
        member_since=datetime.date(2024, 7, 1),
    )
    member = Member.objects.get(user=claimant)
    assert claim.member == member and claim.status == Status.APPROVED
    assert member.name == "林小梅" and member.id_number == OTHER_ID and member.organization == world.branch
    assert member.verified_via == "review"


def test_approve_refuses_an_entry_linked_to_another_account(pending, world):
    with pytest.raises(ValidationError):
        svc.claim_approve(claim=pending, actor=world.county_officer, member=world.other_member.member)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_reject_needs_a_reason_and_keeps_it(pending, world):
    with pytest.raises(ValidationError):
        svc.claim_reject(claim=pending, actor=world.county_officer, reason="  ")
    claim = svc.claim_reject(claim=pending, actor=world.county_officer, reason="Not on our roster.")
    assert claim.status == Status.REJECTED and claim.reason == "Not on our roster."
    assert claim.decided_by == world.county_officer


@pytest.mark.parametrize("decide", [
    lambda claim, actor: svc.claim_reject(claim=claim, actor=actor, reason="again"),
    lambda claim, actor: svc.claim_request_more(claim=claim, actor=actor, reason="again"),
    lambda claim, actor: svc.claim_approve(claim=claim, actor=actor, member=None),
])
def test_a_decided_claim_cannot_be_decided_again(pending, world, decide):
    svc.claim_reject(claim=pending, actor=world.county_officer, reason="No.")
    with pytest.raises(ValidationError, match="already been decided"):
        decide(pending, world.county_officer)
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED and pending.reason == "No."


def test_nobody_decides_their_own_claim(world):
    officer = factories.user()
    factories.position(user=officer, organization=world.general_branch, kind="general_branch_officer")
    claim = submit(officer, id_number=OTHER_ID)
    with pytest.raises(ValidationError, match="own claim"):
        svc.claim_reject(claim=claim, actor=officer, reason="mine")


def test_more_information_then_resubmit(
    pending, world, claimant, private_media, django_capture_on_commit_callbacks
):
    old_front, old_back = pending.front_photo.name, pending.back_photo.name
    claim = svc.claim_request_more(claim=pending, actor=world.county_officer, reason="The back is blurred.")
    assert claim.status == Status.MORE_INFO and claim.reason == "The back is blurred."
    with django_capture_on_commit_callbacks(execute=True):
        claim = svc.claim_resubmit(
            claim=claim, actor=claimant, name="林小梅", id_number=OTHER_ID,
            back_photo=photo_clean(factories.id_photo(color="#ffffff")),
        )
    assert claim.status == Status.PENDING and claim.decided_at is None and claim.decided_by is None
    assert claim.front_photo.name == old_front  # kept
    assert claim.back_photo.name != old_back  # replaced, the old file deleted
    assert (private_media / old_front).exists() and not (private_media / old_back).exists()


def test_resubmit_with_a_corrected_name_can_match_at_once(world, claimant):
    entry = factories.member(organization=world.branch, name="林小梅", id_number=ID)
    claim = submit(claimant, name="林小美")
    claim = svc.claim_request_more(claim=claim, actor=world.secretary, reason="Check your name.")
    claim = svc.claim_resubmit(claim=claim, actor=claimant, name="林小梅", id_number=ID)
    entry.refresh_from_db()
    assert claim.status == Status.MATCHED and entry.user == claimant


def test_only_the_claimant_resubmits_and_only_when_asked(pending, world, claimant):
    with pytest.raises(ValidationError):
        svc.claim_resubmit(claim=pending, actor=claimant, name="林小梅", id_number=OTHER_ID)
    svc.claim_request_more(claim=pending, actor=world.county_officer, reason="?")
    with pytest.raises(ValidationError):
        svc.claim_resubmit(claim=pending, actor=world.member, name="林小梅", id_number=OTHER_ID)


def test_withdraw(pending, claimant):
    claim = svc.claim_withdraw(claim=pending, actor=claimant)
    assert claim.status == Status.WITHDRAWN and claim.decided_by == claimant
    with pytest.raises(ValidationError):
        svc.claim_withdraw(claim=claim, actor=claimant)


# County staff resolve conflicts


@pytest.fixture
def conflict(world, claimant):
    held = world.member.member
    return submit(claimant, name=held.name, id_number=held.id_number)


def test_conflicts_are_not_for_the_branch_review(conflict, world):
    with pytest.raises(ValidationError):
        svc.claim_approve(claim=conflict, actor=world.secretary, member=None)


def test_county_rejects_a_conflict(conflict, world):
    claim = svc.conflict_resolve(
        claim=conflict, actor=world.county_officer, decision=svc.ConflictDecision.REJECT, reason="Not you."
    )
    assert claim.status == Status.REJECTED and claim.decided_by == world.county_officer
    assert world.member.member.user == world.member


def test_county_moves_the_link_and_both_accounts_are_recorded(conflict, world, claimant):
    held = world.member.member
    claim = svc.conflict_resolve(
        claim=conflict, actor=world.county_officer, decision=svc.ConflictDecision.MOVE,
        reason="The ID card photos show the claimant.",
    )
    held.refresh_from_db()
    assert held.user == claimant and held.verified_via == "review"
    assert claim.status == Status.APPROVED and claim.member == held
    assert claim.displaced_user == world.member and claim.decided_by == world.county_officer
    assert not Member.objects.filter(user=world.member).exists()
    assert svc.claim_latest(world.member) == claim  # what the earlier account's pages show


def test_a_conflict_with_an_open_claim_can_go_to_review(world, claimant):
    submit(factories.user(), id_number=OTHER_ID)
    claim = submit(claimant, id_number=OTHER_ID)
    with pytest.raises(ValidationError):
        svc.conflict_resolve(claim=claim, actor=world.county_officer, decision=svc.ConflictDecision.MOVE,
                             reason="move")
    claim = svc.conflict_resolve(
        claim=claim, actor=world.county_officer, decision=svc.ConflictDecision.REVIEW,
        reason="Both may be real; the branch decides.",
    )
    assert claim.status == Status.PENDING


def test_a_held_record_cannot_go_to_review(conflict, world):
    with pytest.raises(ValidationError):
        svc.conflict_resolve(claim=conflict, actor=world.county_officer, decision=svc.ConflictDecision.REVIEW,
                             reason="review")


# Officers linking accounts in the roster admin


def test_an_officers_link_marks_the_member_verified_by_them(world, claimant):
    member = factories.member(organization=world.branch)
    assert member.verified_via == "" and member.verified_at is None
    member_update(member=member, actor=world.secretary, user=claimant)
    member.refresh_from_db()
    assert member.verified_via == "officer" and member.verified_at is not None
    member_update(member=member, actor=world.secretary, user=None)
    member.refresh_from_db()
    assert member.verified_via == "" and member.verified_at is None


def test_world_members_are_verified(world):
    assert world.member.member.verified_via == "officer"


def test_claim_latest_is_the_newest_claim(world, claimant):
    first = submit(claimant, id_number=OTHER_ID)
    svc.claim_withdraw(claim=first, actor=claimant)
    second = submit(claimant, id_number=OTHER_ID)
    assert svc.claim_latest(claimant) == second


def test_stored_photos_are_the_cleaned_files(pending):
    with pending.front_photo.open("rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"
    assert isinstance(photos()["front_photo"], ContentFile)


# ID numbers typed in full width (３５０８２２…) are the same ID numbers

TYPED_IN_FULL_WIDTH = pytest.mark.parametrize(
    "typed",
    [factories.full_width, lambda value: factories.full_width(value[:17]) + value[17]],
    ids=["all-full-width", "full-width-digits-ascii-check"],
)


@TYPED_IN_FULL_WIDTH
def test_a_full_width_id_number_matches_the_roster_entry(entry, claimant, typed):
    claim = submit(claimant, id_number=typed(ID), with_photos=False)
    entry.refresh_from_db()
    assert claim.status == Status.MATCHED and entry.user == claimant
    assert claim.id_number == ID and claim.id_number_digest == entry.id_number_digest


@TYPED_IN_FULL_WIDTH
def test_a_full_width_id_number_held_by_another_account_is_a_conflict(world, claimant, typed):
    held = world.member.member
    claim = submit(claimant, name=held.name, id_number=typed(held.id_number))
    held.refresh_from_db()
    assert claim.status == Status.CONFLICT and claim.conflicting_member == held
    assert held.user == world.member


@TYPED_IN_FULL_WIDTH
def test_a_full_width_id_number_with_another_open_claim_is_a_conflict(world, claimant, typed):
    first = submit(factories.user(), id_number=OTHER_ID)
    claim = submit(claimant, id_number=typed(OTHER_ID))
    assert claim.status == Status.CONFLICT and claim.organization == first.organization


@TYPED_IN_FULL_WIDTH
def test_approving_a_full_width_claim_creates_no_second_record(entry, claimant, world, typed):
    count = Member.objects.count()
    claim = submit(claimant, name="林小美", id_number=typed(ID))
    assert claim.status == Status.PENDING and claim.organization == world.branch  # the entry's own branch
    with pytest.raises(ValidationError, match="already on a roster"):
        svc.claim_approve(
            claim=claim, actor=world.secretary, organization=world.branch, status=Member.Status.FULL,
            joined_party_on=datetime.date(2015, 6, 1), full_member_on=datetime.date(2016, 6, 1),
            member_since=datetime.date(2020, 1, 1),
        )
    assert Member.objects.count() == count
    claim = svc.claim_approve(claim=claim, actor=world.secretary, member=entry)
    entry.refresh_from_db()
    assert claim.member == entry and entry.user == claimant
    assert Member.objects.count() == count
