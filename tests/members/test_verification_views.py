"""Real-name verification pages: the member's status and claim, the officers' inbox and review, photos."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members import verification as svc
from members.models import Member, User, VerificationClaim
from members.photos import photo_clean
from members.tasks import id_photos_purge
from tests import factories

Status = VerificationClaim.Status
STATUS = reverse("verification:status")
CLAIM = reverse("verification:claim")
RESUBMIT = reverse("verification:resubmit")
WITHDRAW = reverse("verification:withdraw")
INBOX = reverse("verification:inbox")
HOME = reverse("home")
PROFILE = reverse("members:profile")
NEW_ID = factories.id_number(9101)


def detail_url(claim):
    return reverse("verification:detail", args=[claim.pk])


def photo_url(claim, side="front"):
    return reverse("verification:photo", args=[claim.pk, side])


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.fixture
def claimant(db):
    return User.objects.create_user("claimant@example.com", factories.TEST_PASSWORD)


def pending_claim(user, organization, *, id_number=NEW_ID, name="林小梅"):
    """A claim waiting for `organization`'s managers."""
    claim = svc.claim_submit(
        actor=user, name=name, id_number=id_number,
        front_photo=photo_clean(factories.id_photo()), back_photo=photo_clean(factories.id_photo()),
    )
    VerificationClaim.objects.filter(pk=claim.pk).update(organization=organization)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def pending(world, claimant):
    return pending_claim(claimant, world.branch)


@pytest.fixture
def conflict(world, claimant):
    held = world.member.member
    return svc.claim_submit(
        actor=claimant, name=held.name, id_number=held.id_number,
        front_photo=photo_clean(factories.id_photo()), back_photo=photo_clean(factories.id_photo()),
    )


def form_data(**fields) -> dict:
    data = {"name": "林小梅", "id_number": NEW_ID, "work_place": "", "home_township": ""}
    data.update(fields)
    return data


# The status page


def test_status_page_for_an_unverified_account(en, claimant, django_assert_num_queries):
    en.force_login(claimant)
    # user (session is cached), member (none), latest claim (none), positions (navigation)
    # + the unread notifications count (header)
    with django_assert_num_queries(5):
        response = en.get(STATUS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "not linked to a roster entry" in html
    assert f'href="{CLAIM}"' in html


def test_status_page_for_a_verified_member(en, world, django_assert_num_queries):
    en.force_login(world.member)
    # user (session is cached), member with organization, positions (navigation), the unread count (header)
    with django_assert_num_queries(4):
        response = en.get(STATUS)
    html = response.content.decode()
    assert "Verified" in html and "linked your account" in html
    assert f'href="{CLAIM}"' not in html


def test_status_page_shows_a_waiting_claim_and_how_to_withdraw(
    en, pending, claimant, django_assert_num_queries
):
    en.force_login(claimant)
    # user (session is cached), member (none), latest claim, positions (navigation), the unread count (header)
    with django_assert_num_queries(5):
        html = en.get(STATUS).content.decode()
    assert "Your claim is with your branch" in html
    assert f'action="{WITHDRAW}"' in html
    # The reviewing branch is not named: it could tell where the owner of an ID number works.
    assert pending.organization.name not in html


def test_status_page_sends_anonymous_to_login(client, db):
    assert is_login_redirect(client.get(STATUS))


# Claiming


def test_claim_form_is_camera_friendly_and_explains_the_photos(en, claimant):
    en.force_login(claimant)
    html = en.get(CLAIM).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert html.count('accept="image/jpeg,image/png,image/webp"') == 2
    assert "capture" not in html
    assert f"deleted {settings.ID_PHOTO_RETENTION_DAYS} days after the decision" in html


def test_claim_by_roster_match_verifies_at_once(en, world, claimant):
    entry = factories.member(organization=world.branch, name="林小梅", id_number=NEW_ID)
    en.force_login(claimant)
    response = en.post(CLAIM, form_data(id_number=NEW_ID.lower()), follow=True)
    entry.refresh_from_db()
    assert entry.user == claimant and entry.verified_via == "roster"
    assert "Your identity is verified" in response.content.decode()
    # now a member: the home page shows their branch
    assert world.branch.name in en.get(HOME).content.decode()


def test_claim_without_a_match_needs_both_photos(en, world, claimant):
    en.force_login(claimant)
    response = en.post(CLAIM, form_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please add a photo of the front of your ID card." in html
    assert "Please add a photo of the back of your ID card." in html
    assert not VerificationClaim.objects.exists()


def test_claim_without_a_match_goes_to_review(en, world, claimant, private_media):
    en.force_login(claimant)
    response = en.post(CLAIM, form_data(front_photo=factories.id_photo(), back_photo=factories.id_photo()))
    assert response.status_code == 302 and response["Location"] == STATUS
    claim = VerificationClaim.objects.get(user=claimant)
    assert claim.status == Status.PENDING and claim.organization == world.general_branch
    assert len(list(private_media.rglob("*.jpg"))) == 2


def test_claim_of_a_held_id_number_says_the_county_looks_into_it(en, world, claimant):
    held = world.member.member
    en.force_login(claimant)
    response = en.post(
        CLAIM, form_data(name=held.name, id_number=held.id_number, front_photo=factories.id_photo(),
                         back_photo=factories.id_photo()),
        follow=True,
    )
    html = response.content.decode()
    assert "Your claim is with the county" in html
    assert held.masked_id_number not in html and held.organization.name not in html
    assert not Member.objects.filter(user=claimant).exists()


def test_a_bad_photo_is_a_field_error(en, world, claimant):
    en.force_login(claimant)
    fake = SimpleUploadedFile("card.jpg", b"not an image at all", content_type="image/jpeg")
    response = en.post(CLAIM, form_data(front_photo=fake, back_photo=factories.id_photo()))
    assert "not a readable JPEG, PNG or WebP photo" in response.content.decode()
    assert not VerificationClaim.objects.exists()


BAD_IDS = [
    ("35082219900517001", "An ID number has 18 characters", "身份证号码为 18 位"),
    ("35082219900517001Y", "An ID number has 18 characters", "身份证号码为 18 位"),
    ("350822 1990051700", "An ID number has 18 characters", "身份证号码为 18 位"),
    ("110108196711301866", "check character is wrong", "校验位不正确"),
    ("350822199002300010", "birth date in this ID number does not exist", "出生日期不存在"),
    ("350822209901010010", "birth date in this ID number is not possible", "出生日期不合理"),
    ("350822180001010010", "birth date in this ID number is not possible", "出生日期不合理"),
]


@pytest.mark.parametrize(("value", "english", "chinese"), BAD_IDS)
def test_a_bad_id_number_is_a_field_error_in_the_users_language(client, claimant, value, english, chinese):
    client.force_login(claimant)
    for language, message in (("en", english), ("zh-hans", chinese)):
        response = client.post(CLAIM, form_data(id_number=value), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert message in response.content.decode(), language
    assert not VerificationClaim.objects.exists()


def test_a_bad_id_number_with_the_wrong_checksum_fixed_is_accepted(en, world, claimant):
    # sanity for the table: the same number with its right check character goes through
    en.force_login(claimant)
    response = en.post(CLAIM, form_data(id_number="11010519491231002x", front_photo=factories.id_photo(),
                                        back_photo=factories.id_photo()))
    assert response.status_code == 302


def test_a_member_cannot_claim_again(en, world):
    en.force_login(world.member)
    assert en.get(CLAIM)["Location"] == STATUS


def test_with_an_open_claim_the_form_sends_to_the_status(en, pending, claimant):
    en.force_login(claimant)
    assert en.get(CLAIM)["Location"] == STATUS


def test_claim_sends_anonymous_to_login(client, db):
    assert is_login_redirect(client.get(CLAIM))


def test_withdraw(en, pending, claimant):
    en.force_login(claimant)
    assert en.get(WITHDRAW).status_code == 405
    en.post(WITHDRAW)
    pending.refresh_from_db()
    assert pending.status == Status.WITHDRAWN
    assert f'href="{CLAIM}"' in en.get(STATUS).content.decode()


# The officers' inbox


def test_inbox_lists_the_branchs_open_claims_oldest_first(en, world, django_assert_num_queries):
    older = pending_claim(factories.user(), world.branch, id_number=factories.id_number(9102), name="甲")
    newer = pending_claim(factories.user(), world.branch, id_number=factories.id_number(9103), name="乙")
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    VerificationClaim.objects.filter(pk=older.pk).update(submitted_at=three_days_ago)
    pending_claim(factories.user(), world.other_branch, id_number=factories.id_number(9104), name="丙")
    en.force_login(world.secretary)
    # user (session is cached), positions, authenticator app (two-factor check), member (navigation),
    # count, claims with their places and branch, the unread count (header)
    with django_assert_num_queries(7):
        response = en.get(INBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(detail_url(older)) < html.index(detail_url(newer))
    assert "丙" not in html
    assert older.masked_id_number in html and older.id_number not in html


def test_inbox_query_count_does_not_grow(en, world, django_assert_num_queries):
    for n in range(5):
        pending_claim(factories.user(), world.branch, id_number=factories.id_number(9110 + n))
    en.force_login(world.secretary)
    # + the unread notifications count (header)
    with django_assert_num_queries(7):
        en.get(INBOX)


def test_inbox_shows_conflicts_to_county_staff_only(en, world, conflict):
    en.force_login(world.secretary)
    assert detail_url(conflict) not in en.get(INBOX).content.decode()
    en.force_login(world.county_officer)
    assert detail_url(conflict) in en.get(INBOX).content.decode()


def test_inbox_leaves_out_decided_claims(en, world, pending):
    svc.claim_reject(claim=pending, actor=world.secretary, reason="No.")
    en.force_login(world.secretary)
    assert detail_url(pending) not in en.get(INBOX).content.decode()


@pytest.mark.parametrize("persona", ["member", "other_member", "liaison"])
def test_inbox_is_not_found_for_non_managers(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(INBOX).status_code == 404


def test_inbox_sends_anonymous_to_login(client, db):
    assert is_login_redirect(client.get(INBOX))


# The review page


def test_detail_shows_the_claim_masked_with_both_photos(en, world, pending, django_assert_num_queries):
    factories.member(organization=world.branch, name="林小梅")  # a candidate of the same name
    en.force_login(world.secretary)
    # user (session is cached), positions, authenticator app (two-factor check), claim with its account,
    # places, branch and decision, candidates, the managed branches (create form), member (navigation)
    # + the unread notifications count (header)
    with django_assert_num_queries(8):
        response = en.get(detail_url(pending))
    html = response.content.decode()
    assert response.status_code == 200
    assert pending.masked_id_number in html and pending.id_number not in html
    assert photo_url(pending, "front") in html and photo_url(pending, "back") in html
    assert "Approve and link" in html and "Approve and create" in html


def test_detail_query_count_does_not_grow_with_candidates(en, world, pending, django_assert_num_queries):
    for _ in range(4):
        factories.member(organization=world.branch, name="林小梅")
    en.force_login(world.secretary)
    # + the unread notifications count (header)
    with django_assert_num_queries(8):
        en.get(detail_url(pending))


def test_detail_of_a_conflict_for_county_staff(en, world, conflict, django_assert_num_queries):
    en.force_login(world.county_officer)
    # user (session is cached), positions, authenticator app (two-factor check), claim with the member
    # holding the ID and its account, member (navigation), the unread count (header)
    with django_assert_num_queries(6):
        response = en.get(detail_url(conflict))
    html = response.content.decode()
    assert "Resolve the conflict" in html and "Already held by another account" in html
    assert world.member.member.masked_id_number in html


@pytest.mark.parametrize("persona", ["member", "other_member", "other_secretary", "liaison"])
def test_detail_is_not_found_for_outsiders(client, world, pending, persona):
    client.force_login(getattr(world, persona))
    assert client.get(detail_url(pending)).status_code == 404


def test_the_claimant_gets_no_review_page(client, pending, claimant):
    client.force_login(claimant)
    assert client.get(detail_url(pending)).status_code == 404


def test_detail_sends_anonymous_to_login(client, pending):
    assert is_login_redirect(client.get(detail_url(pending)))


def test_secretary_approves_by_linking_an_entry(en, world, pending, claimant):
    entry = factories.member(organization=world.branch, name="林小梅")
    en.force_login(world.secretary)
    response = en.post(detail_url(pending), {"action": "link", "member": entry.pk})
    assert response.status_code == 302 and response["Location"] == INBOX
    entry.refresh_from_db()
    assert entry.user == claimant and entry.verified_via == "review"
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED and pending.decided_by == world.secretary


def test_secretary_cannot_link_an_entry_outside_the_branch(en, world, pending):
    outside = factories.member(organization=world.other_branch, name="林小梅")
    en.force_login(world.secretary)
    response = en.post(detail_url(pending), {"action": "link", "member": outside.pk})
    assert response.status_code == 200
    outside.refresh_from_db()
    assert outside.user is None


def test_secretary_approves_by_creating_a_member(en, world, pending, claimant):
    en.force_login(world.secretary)
    response = en.post(detail_url(pending), {
        "action": "create", "organization": world.branch.pk, "status": "probationary",
        "joined_party_on": "2024-07-01", "full_member_on": "", "member_since": "2024-07-01",
    })
    assert response.status_code == 302
    member = Member.objects.get(user=claimant)
    assert member.organization == world.branch and member.verified_via == "review"
    assert member.id_number == NEW_ID


def test_create_form_checks_the_dates(en, world, pending):
    en.force_login(world.secretary)
    response = en.post(detail_url(pending), {
        "action": "create", "organization": world.branch.pk, "status": "full",
        "joined_party_on": "2024-07-01", "full_member_on": "", "member_since": "2024-07-01",
    })
    assert response.status_code == 200
    assert "needs the date they became a full member" in response.content.decode()
    assert not Member.objects.filter(user=pending.user).exists()


def test_secretary_cannot_create_in_another_branch(en, world, pending):
    en.force_login(world.secretary)
    response = en.post(detail_url(pending), {
        "action": "create", "organization": world.other_branch.pk, "status": "probationary",
        "joined_party_on": "2024-07-01", "member_since": "2024-07-01",
    })
    assert response.status_code == 200
    assert not Member.objects.filter(user=pending.user).exists()


def test_reject_then_the_member_sees_it_on_the_next_visit(en, world, pending, claimant):
    en.force_login(world.secretary)
    en.post(detail_url(pending), {"action": "reject", "reject-reason": "We have no member of this name."})
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED
    en.force_login(claimant)
    html = en.get(HOME).content.decode()
    assert "Your claim was not accepted" in html and "We have no member of this name." in html
    assert "New decision on your claim" in html
    assert "New decision on your claim" not in en.get(STATUS).content.decode()  # news only once
    assert "We have no member of this name." in en.get(PROFILE).content.decode()


def test_reject_needs_a_reason(en, world, pending):
    en.force_login(world.secretary)
    response = en.post(detail_url(pending), {"action": "reject", "reject-reason": ""})
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_more_information_then_resubmit(en, world, pending, claimant):
    en.force_login(world.secretary)
    en.post(detail_url(pending), {"action": "more_info", "more-reason": "Please send a sharper back photo."})
    en.force_login(claimant)
    status_html = en.get(STATUS).content.decode()
    assert "Please send a sharper back photo." in status_html and f'href="{RESUBMIT}"' in status_html
    form_html = en.get(RESUBMIT).content.decode()
    assert pending.masked_id_number in form_html and pending.id_number not in form_html
    old_back = pending.back_photo.name
    response = en.post(RESUBMIT, {"name": "林小梅", "id_number": "", "back_photo": factories.id_photo()})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and pending.back_photo.name != old_back
    assert pending.id_number == NEW_ID


def test_resubmit_without_a_request_goes_to_the_status(en, pending, claimant):
    en.force_login(claimant)
    assert en.get(RESUBMIT)["Location"] == STATUS


def test_a_decided_claim_offers_no_decision(en, world, pending):
    svc.claim_reject(claim=pending, actor=world.secretary, reason="No.")
    en.force_login(world.secretary)
    html = en.get(detail_url(pending)).content.decode()
    assert "Approve and link" not in html and "Decision" in html
    en.post(detail_url(pending), {"action": "more_info", "more-reason": "again"})
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED


def test_county_moves_a_held_record(en, world, conflict, claimant):
    en.force_login(world.county_officer)
    response = en.post(detail_url(conflict), {
        "action": "resolve", "decision": "move", "reason": "The photos show the claimant.",
    })
    assert response.status_code == 302
    assert Member.objects.get(user=claimant).pk == world.member.member.pk
    en.force_login(world.member)
    html = en.get(HOME).content.decode()
    assert "Your member record was moved to another account" in html
    assert "The photos show the claimant." in html


def test_secretary_cannot_resolve_a_conflict(en, world, conflict):
    en.force_login(world.secretary)
    html = en.get(detail_url(conflict)).content.decode()
    assert "Resolve the conflict" not in html
    en.post(detail_url(conflict), {"action": "resolve", "decision": "move", "reason": "mine"})
    conflict.refresh_from_db()
    assert conflict.status == Status.CONFLICT


# Photos


@pytest.mark.parametrize("persona", ["secretary", "county_officer"])
def test_photo_for_the_branch_and_county(client, world, pending, persona, django_assert_num_queries):
    client.force_login(getattr(world, persona))
    # user (session is cached), positions, authenticator app (two-factor check), claim with its branch
    with django_assert_num_queries(4):
        response = client.get(photo_url(pending))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_photo_for_the_claimant(client, pending, claimant):
    client.force_login(claimant)
    response = client.get(photo_url(pending, "back"))
    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize("persona", ["member", "other_member", "other_secretary", "liaison"])
def test_photo_is_not_found_for_outsiders(client, world, pending, persona):
    client.force_login(getattr(world, persona))
    assert client.get(photo_url(pending)).status_code == 404


def test_photo_sends_anonymous_to_login(client, pending):
    assert is_login_redirect(client.get(photo_url(pending)))


def test_photo_is_not_found_for_an_unknown_side_or_claim(client, world, pending):
    client.force_login(world.secretary)
    assert client.get(photo_url(pending, "side")).status_code == 404
    assert client.get(reverse("verification:photo", args=[pending.pk + 100, "front"])).status_code == 404


def test_photo_is_gone_after_the_purge(client, world, pending):
    svc.claim_reject(claim=pending, actor=world.secretary, reason="No.")
    VerificationClaim.objects.filter(pk=pending.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=settings.ID_PHOTO_RETENTION_DAYS + 1)
    )
    id_photos_purge()
    client.force_login(world.secretary)
    assert client.get(photo_url(pending)).status_code == 404
    assert "were deleted on" in client.get(detail_url(pending), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_photos_are_not_under_the_media_url(pending):
    assert not photo_url(pending).startswith("/" + settings.MEDIA_URL.strip("/"))
    with pytest.raises(ValueError):
        pending.front_photo.url  # noqa: B018


# Home and profile


def test_home_for_an_unverified_account_shows_what_to_do(en, claimant):
    en.force_login(claimant)
    html = en.get(HOME).content.decode()
    assert "not linked to a roster entry" in html and f'href="{CLAIM}"' in html


def test_home_shows_the_branchs_confirmation_once(en, world, pending, claimant):
    entry = factories.member(organization=world.branch)
    svc.claim_approve(claim=pending, actor=world.secretary, member=entry)
    en.force_login(claimant)
    assert "Your branch has confirmed your identity" in en.get(HOME).content.decode()
    assert "Your branch has confirmed your identity" not in en.get(HOME).content.decode()


def test_profile_shows_the_verification(en, world):
    en.force_login(world.member)
    html = en.get(PROFILE).content.decode()
    assert "Identity verified" in html


# Navigation


def test_navigation_links_the_inbox_for_managers_only(client, world):
    expected = {"secretary": True, "county_officer": True, "liaison": False, "member": False}
    for persona, linked in expected.items():
        client.force_login(getattr(world, persona))
        assert (f'href="{INBOX}"' in client.get(HOME).content.decode()) is linked, persona


def test_navigation_links_the_verification_for_unverified_accounts(client, world, claimant):
    client.force_login(claimant)
    assert f'href="{STATUS}"' in client.get(PROFILE).content.decode()
    client.force_login(world.member)
    assert f'href="{STATUS}"' not in client.get(HOME).content.decode()
