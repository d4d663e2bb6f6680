"""Every URL pattern, for every persona, against an explicit table of what each should get.

The walk visits every pattern in the resolver (admin and allauth included), fills its arguments from
the `world` fixture and compares each persona's response with the table below. A pattern missing
from the table fails `test_every_url_pattern_has_an_expectation`: a new page must state who may
open it before the suite passes.

Outcomes: OK (200), LOGIN (302 to the login page), NOT_FOUND (404), or another status code; a
redirect elsewhere is written `redirect("/path/")`, or as a function of the world when the target
holds an id.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from branches.models import Township, WorkPlace
from members.models import Member, PersonalDataAccess, Position, User, VerificationClaim
from tests import factories

PERSONAS = (
    "member", "secretary", "other_member", "other_secretary", "liaison", "county_officer", "anonymous",
)
OFFICERS = ("secretary", "other_secretary", "liaison", "county_officer")

OK = 200
LOGIN = "login"
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405


def redirect(path: str) -> str:
    return f"redirect:{path}"


@dataclass(frozen=True)
class Case:
    """One filling of a pattern's arguments and what each persona gets from it."""

    outcomes: dict
    kwargs: Callable = lambda world: {}
    url: Callable | None = None  # for unnamed patterns, which `reverse` cannot build
    label: str = ""


def outcomes(default=None, **by_persona) -> dict:
    result = {persona: default for persona in PERSONAS}
    result.update(by_persona)
    missing = [persona for persona, outcome in result.items() if outcome is None]
    assert not missing, f"no outcome for {missing}"
    return result


def public(outcome=OK) -> dict:
    return outcomes(outcome)


def signed_in(outcome=OK, *, anonymous=LOGIN) -> dict:
    return outcomes(outcome, anonymous=anonymous)


def verified_members() -> dict:
    """Member pages (verified_member_required): accounts without a member record go to verification."""
    return outcomes(OK, anonymous=LOGIN, liaison=redirect("/verify/"), county_officer=redirect("/verify/"))


def only(*personas, outcome=OK, others=NOT_FOUND, anonymous=LOGIN, **by_persona) -> dict:
    """The personas named get `outcome`; other signed-in personas a 404; anonymous the login page."""
    return outcomes(others, **{"anonymous": anonymous, **{p: outcome for p in personas}, **by_persona})


def with_totp(outcome) -> dict:
    """The officers who manage members, who have an authenticator app, get `outcome`."""
    return {persona: outcome for persona in ("secretary", "other_secretary", "county_officer")}


def branch(world):
    return {"pk": world.branch.pk}


def other_branch(world):
    return {"pk": world.other_branch.pk}


def general_branch(world):
    return {"pk": world.general_branch.pk}


def obj(get_pk: Callable) -> Callable:
    return lambda world: {"object_id": str(get_pk(world))}


def branch_member_pk(world):
    return world.member.member.pk


def other_branch_member_pk(world):
    return world.other_member.member.pk


def secretary_position_pk(world):
    return Position.objects.get(user=world.secretary).pk


def township_pk(world):
    return Township.objects.get_or_create(name="湖坑镇", code="350822104")[0].pk


def work_place_pk(world):
    return WorkPlace.objects.get_or_create(name="厦门", province="福建")[0].pk


def group_pk(world):
    return Group.objects.get_or_create(name="walk")[0].pk


def email_address_pk(world):
    return EmailAddress.objects.get_or_create(user=world.member, email=world.member.email)[0].pk


def branch_claim_pk(world):
    """An open verification claim that `branch` reviews, with both ID-card photos."""
    from members.photos import photo_clean
    from members.verification import claim_submit

    claim = VerificationClaim.objects.filter(organization=world.branch).first()
    if claim is None:
        claim = claim_submit(
            actor=factories.user(email="claimant@example.com"), name="林小梅", id_number="11010519491231002X",
            front_photo=photo_clean(factories.id_photo()), back_photo=photo_clean(factories.id_photo()),
        )
        VerificationClaim.objects.filter(pk=claim.pk).update(organization=world.branch)
    return claim.pk


def walk_user(world):
    """An account outside the personas, owning the records of the superuser-only screens below."""
    return User.objects.filter(email="walk@example.com").first() or factories.user(email="walk@example.com")


def personal_data_access_pk(world):
    return PersonalDataAccess.objects.get_or_create(
        officer=world.secretary, member=world.member.member, field="id_number", reason="walk"
    )[0].pk


def log_entry_pk(world):
    entry = LogEntry.objects.get_for_object(world.branch).first()
    entry = entry or LogEntry.objects.log_create(world.branch, action=LogEntry.Action.UPDATE, force_log=True)
    return entry.pk


def authenticator_pk(world):
    return Authenticator.objects.get_or_create(
        user=walk_user(world), type=Authenticator.Type.RECOVERY_CODES, defaults={"data": {}}
    )[0].pk


def user_session_pk(world):
    return UserSession.objects.get_or_create(
        user=walk_user(world), session_key="walk-session", defaults={"ip": "127.0.0.1"}
    )[0].pk


def branch_meeting(world):
    """A meeting of `branch` (portal, in two days), with one attachment to its minutes."""
    from meetings.models import Meeting
    from meetings.services import attachment_add
    from tests.meetings import attachment_files as files
    from tests.meetings.scheduling import schedule

    meeting = Meeting.objects.filter(organization=world.branch, title="walk").first()
    if meeting is None:
        meeting = schedule(world, title="walk")
        attachment_add(actor=world.liaison, meeting=meeting, file=files.upload("walk.pdf", files.pdf()))
    return meeting


def member_notification_pk(world):
    """A notification of `member`'s, linking to the home page."""
    from members.notifications.models import Notification

    notification = Notification.objects.filter(recipient=world.member, title="walk").first()
    notification = notification or Notification.objects.create(recipient=world.member, title="walk", url="/")
    return {"pk": notification.pk}


def member_order(world):
    from dues.models import PaymentOrder

    return PaymentOrder.objects.get_or_create(
        out_trade_no="WALK-ORDER", defaults={"member": world.member.member, "gateway": "sandbox", "amount": 1}
    )[0]


def refund_failed_pk(world):
    """A failed refund of `member`'s, waiting for the branch to return the money by hand."""
    from dues.models import PaymentOrder

    order, _ = PaymentOrder.objects.get_or_create(
        out_trade_no="WALK-REFUND",
        defaults={"member": world.member.member, "gateway": "sandbox", "amount": 1,
                  "status": "refund_failed"},
    )
    return {"pk": order.pk}


def sandbox_order(world):
    """`member`'s order, waiting at the sandbox's cashier."""
    from dues.gateways import gateway_get

    order = member_order(world)
    gateway_get("sandbox").create_order(order)
    return {"out_trade_no": order.out_trade_no}


def meeting_pk(world):
    return {"pk": branch_meeting(world).pk}


def yearly_base_pk(world):
    from dues.models import YearlyBase

    member = world.member.member
    yearly, _ = YearlyBase.objects.get_or_create(
        member=member, year=2026, defaults={"category": "employed", "declared_base": 4000}
    )
    return {"pk": yearly.pk}


def receipt_payment(world):
    from dues.models import Payment

    member = world.member.member
    payment, _ = Payment.objects.get_or_create(
        receipt_number="R2026URLS01",
        defaults={"member": member, "organization": member.organization, "amount": 25,
                  "method": "cash", "receipt_check": "urlscheck"},
    )
    return payment


def attendance_pk(world):
    meeting = branch_meeting(world)
    return {"pk": meeting.pk, "attendance_pk": meeting.attendances.first().pk}


def attachment_pk(world):
    meeting = branch_meeting(world)
    return {"pk": meeting.pk, "attachment_pk": meeting.attachments.first().pk}


def member_transfer(world):
    """`member`'s transfer from `branch` to `other_branch`, approved: its letter is out (with a PDF)."""
    from django.core.files.base import ContentFile

    from members.models import Transfer
    from members.transfers import transfer_approve, transfer_request

    transfer = Transfer.objects.filter(member__user=world.member).first()
    if transfer is None:
        transfer = transfer_request(
            member=world.member.member, actor=world.member, to_organization=world.other_branch, reason="walk"
        )
        letter = transfer_approve(transfer=transfer, actor=world.secretary)
        letter.pdf.save("walk.pdf", ContentFile(b"%PDF-1.4 walk"))
    return transfer


def transfer_pk(world):
    return {"pk": member_transfer(world).pk}


def under_way(kwargs: Callable) -> Callable:
    """The arguments, once `member`'s transfer is under way."""
    return lambda world: (member_transfer(world), kwargs(world))[1]


def transfer_detail_url(world):
    return redirect(reverse("transfers:detail", args=[member_transfer(world).pk]))


def letter_pk(world):
    return {"pk": member_transfer(world).letters.get().pk}


def activity_card_pk(world):
    """`other_member`'s activity card from `other_branch`, to join `branch`."""
    import datetime

    from members.models import ActivityCard

    card, _ = ActivityCard.objects.get_or_create(
        member=world.other_member.member, organization=world.other_branch, host_organization=world.branch,
        defaults={
            "starts_on": datetime.date(2026, 1, 5), "ends_on": datetime.date(2026, 3, 5), "reason": "walk"
        },
    )
    return {"pk": card.pk}


def walk_ballot(world, status: str):
    """A resolution of `branch` in `status` (draft, open, closed or published), made through the services by
    its secretary; the secretary voted in those that are closed."""
    import datetime

    from django.utils import timezone

    from votes import services
    from votes.models import Ballot

    title = f"walk {status}"
    ballot = Ballot.objects.filter(organization=world.branch, title=title).first()
    if ballot is not None:
        return ballot
    now = timezone.now()
    ballot = services.ballot_create(
        actor=world.secretary, organization=world.branch, kind=Ballot.Kind.RESOLUTION, title=title,
        opens_at=now - datetime.timedelta(hours=2), closes_at=now + datetime.timedelta(days=1),
    )
    if status == "draft":
        return ballot
    ballot = services.ballot_open(ballot=ballot, actor=world.secretary)
    if status == "open":
        return ballot
    services.ballot_cast(ballot=ballot, member=world.secretary.member, data={"choice": "for"})
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=now - datetime.timedelta(hours=1))
    ballot = services.ballot_close(ballot=ballot, actor=world.secretary)
    if status == "published":
        ballot = services.ballot_publish(ballot=ballot, actor=world.secretary)
    return ballot


# Who sees a ballot of `branch` once it is open: its members and those who read its roster.
BALLOT_READERS = ("member", "secretary", "liaison", "county_officer")


def ballot(status: str) -> Callable:
    return lambda world: {"pk": walk_ballot(world, status).pk}


def to_ballot(status: str) -> Callable:
    """A redirect to the ballot's page."""
    return lambda world: redirect(reverse("votes:detail", args=[walk_ballot(world, status).pk]))


# Admin (ebranch/admin_site.py): anonymous visitors are sent to the admin login, which forwards to
# the portal's login page; signed-in users without an officer position get a 404 on every admin URL;
# officers get what each model admin's scope rules allow (403 for a kind of record they may not
# touch at all, 404 for a record outside their organizations or one they may not view, existing or not).
ADMIN_LOGIN = redirect("/admin/login/")
FORBIDDEN = 403


def admin(outcome=OK, *, anonymous=ADMIN_LOGIN, **by_persona) -> dict:
    """Every officer gets `outcome` unless named; members a 404; anonymous the admin login."""
    return only(*OFFICERS, outcome=outcome, anonymous=anonymous, **by_persona)


def admin_model(app_model: str, *, pk: Callable, changelist: dict, add: dict, change: dict,
                history: dict, delete: dict, label: str = "") -> dict:
    """The six URLs Django's admin gives every registered model, each with its own expectation.

    `<object_id>/` alone redirects every officer to the change page, whatever that page then says.
    """
    app, model = app_model.split("_", 1)

    def to_change_page(world):
        return redirect(f"/admin/{app}/{model}/{pk(world)}/change/")

    return {
        f"admin:{app_model}_changelist": [Case(changelist)],
        f"admin:{app_model}_add": [Case(add)],
        f"admin:{app_model}_change": [Case(change, obj(pk), label=label)],
        f"admin:{app_model}_history": [Case(history, obj(pk), label=label)],
        f"admin:{app_model}_delete": [Case(delete, obj(pk), label=label)],
        f"admin/{app}/{model}/<path:object_id>/": [
            Case(admin(to_change_page), url=lambda world: f"/admin/{app}/{model}/{pk(world)}/", label=label)
        ],
    }


EXPECTED: dict[str, list[Case]] = {
    # The portal
    "home": [Case(signed_in())],
    "members:profile": [Case(signed_in())],
    # Real-name verification (members/verification_views.py): accounts linked to a member are sent
    # from the claim form to their status; the review is for those who manage the claim's branch.
    "verification:status": [Case(signed_in())],
    "verification:claim": [
        Case(outcomes(redirect("/verify/"), liaison=OK, county_officer=OK, anonymous=LOGIN)),
    ],
    "verification:resubmit": [Case(signed_in(redirect("/verify/")), label="nothing asked")],
    "verification:withdraw": [Case(outcomes(METHOD_NOT_ALLOWED))],  # POST only
    "verification:inbox": [Case(only("secretary", "other_secretary", "county_officer"))],
    "verification:detail": [
        Case(only("secretary", "county_officer"), lambda world: {"pk": branch_claim_pk(world)},
             label="branch claim"),
    ],
    "verification:photo": [
        Case(only("secretary", "county_officer"),
             lambda world: {"pk": branch_claim_pk(world), "side": "front"}, label="branch claim"),
    ],
    "branches:list": [Case(only(*OFFICERS))],
    "branches:detail": [
        Case(only("member", "secretary", "liaison", "county_officer"), branch, label="branch"),
        Case(only("other_member", "other_secretary", "county_officer"), other_branch, label="other_branch"),
        Case(only("county_officer"), general_branch, label="general_branch"),
    ],
    "branches:roster": [
        Case(only("secretary", "liaison", "county_officer"), branch, label="branch"),
        Case(only("other_secretary", "county_officer"), other_branch, label="other_branch"),
        Case(only("county_officer"), general_branch, label="general_branch"),
    ],
    # Unmasking a member's ID or phone number (members/reveal_views.py): those who manage the branch.
    "reveal:member": [
        Case(only("secretary", "county_officer"), lambda world: {"pk": branch_member_pk(world)},
             label="branch"),
        Case(only("other_secretary", "county_officer"), lambda world: {"pk": other_branch_member_pk(world)},
             label="other_branch"),
    ],
    # Meetings (meetings/views.py): members of the invited branches and the officers who run the
    # organizing branch's meetings (liaison officers included) see a meeting; only the latter run it.
    "meetings:list": [Case(signed_in())],
    "meetings:schedule": [Case(only(*OFFICERS))],
    "meetings:detail": [Case(only("member", "secretary", "liaison", "county_officer"), meeting_pk)],
    "meetings:edit": [Case(only("secretary", "liaison", "county_officer"), meeting_pk)],
    "meetings:cancel": [Case(only("secretary", "liaison", "county_officer"), meeting_pk)],
    "meetings:reply": [Case(outcomes(METHOD_NOT_ALLOWED), meeting_pk)],  # POST only
    "meetings:check_in": [Case(outcomes(METHOD_NOT_ALLOWED), meeting_pk)],  # POST only
    "meetings:sheet": [Case(only("secretary", "liaison", "county_officer"), meeting_pk)],
    "meetings:correct": [Case(outcomes(METHOD_NOT_ALLOWED), attendance_pk)],  # POST only
    "meetings:code": [Case(only("secretary", "liaison", "county_officer"), meeting_pk)],
    "meetings:minutes": [Case(only("secretary", "liaison", "county_officer"), meeting_pk)],
    "meetings:attachment": [
        Case(only("member", "secretary", "liaison", "county_officer"), attachment_pk),
    ],
    # Points (members/points/views.py) and the member's own pages in meetings: verified members only;
    # accounts without a member record are sent to verification.
    "points:mine": [Case(verified_members())],
    "points:ranking": [Case(verified_members())],
    "compliance:my_attendance": [Case(verified_members())],
    "calendar:settings": [Case(verified_members())],
    "calendar:renew": [Case(outcomes(METHOD_NOT_ALLOWED))],  # POST only
    "calendar:revoke": [Case(outcomes(METHOD_NOT_ALLOWED))],  # POST only
    # Notifications (members/notifications/views.py): every account its own inbox and settings; opening
    # another's notification is a 404.
    "notifications:inbox": [Case(signed_in())],
    "notifications:open": [Case(only("member", outcome=redirect("/")), member_notification_pk)],
    "notifications:read_all": [Case(outcomes(METHOD_NOT_ALLOWED))],  # POST only
    "notifications:settings": [Case(signed_in())],
    "calendar:feed": [Case(public(NOT_FOUND), lambda world: {"token": "not-a-token"}, label="bad token")],
    # Compliance (meetings/compliance_views.py): the branch page for those who read its roster, the
    # county overview for overseers, a member's attendance for those who read the member's roster.
    "compliance:county": [Case(only("county_officer"))],
    "compliance:branch": [
        Case(only("secretary", "liaison", "county_officer"), branch, label="branch"),
        Case(only("other_secretary", "county_officer"), other_branch, label="other_branch"),
    ],
    "compliance:member_attendance": [
        Case(only("secretary", "liaison", "county_officer"), lambda world: {"pk": branch_member_pk(world)},
             label="branch"),
    ],
    # Receipts (dues/receipt_views.py): the member and their branch's managers; the check page is public.
    "receipts:download": [
        Case(only("member", "secretary", "county_officer"), lambda world: {"pk": receipt_payment(world).pk})
    ],
    "receipts:verify": [
        Case(outcomes(OK), lambda world: {"receipt_number": receipt_payment(world).receipt_number,
                                          "check": receipt_payment(world).receipt_check}),
        Case(outcomes(NOT_FOUND), lambda world: {"receipt_number": receipt_payment(world).receipt_number,
                                                 "check": "forged"}, label="forged"),
    ],
    # Dues (dues/views.py): the member's own pages; bases and a member's dues for those who manage them.
    "dues:mine": [Case(verified_members())],
    "dues:declare": [Case(verified_members())],
    "dues:bases": [Case(only("secretary", "other_secretary", "county_officer"))],
    "dues:approve": [Case(outcomes(METHOD_NOT_ALLOWED), yearly_base_pk)],  # POST only
    "dues:member": [
        Case(
            only("secretary", "county_officer"), lambda world: {"pk": branch_member_pk(world)}, label="branch"
        ),
        Case(only("other_secretary", "county_officer"), lambda world: {"pk": other_branch_member_pk(world)},
             label="other_branch"),
    ],
    # Dues reports (dues/report_views.py): a branch's month for those who read its roster, the county
    # overview and its export for overseers; a failed refund returned by hand is recorded (POST only) by
    # those who manage the member's branch, and a 404 for everyone else.
    "dues_reports:county": [Case(only("county_officer"))],
    "dues_reports:county_xlsx": [Case(only("county_officer"))],
    "dues_reports:branch": [
        Case(only("secretary", "liaison", "county_officer"), branch, label="branch"),
        Case(only("other_secretary", "county_officer"), other_branch, label="other_branch"),
    ],
    "dues_reports:refund_settle": [
        Case(only("secretary", "county_officer", outcome=METHOD_NOT_ALLOWED), refund_failed_pk,
             label="branch member's failed refund"),
    ],
    # Paying dues (dues/payment_views.py): the pay page for verified members, an order's return page
    # for its member, the gateway's notify endpoint (POST only), offline payments for those who manage
    # the member; the sandbox's cashier page (routed only when the sandbox is on) for the order's member.
    "dues_pay:pay": [Case(verified_members())],
    "dues_pay:return": [
        Case(outcomes(NOT_FOUND, member=OK, anonymous=LOGIN, liaison=redirect("/verify/"),
                      county_officer=redirect("/verify/")),
             lambda world: {"out_trade_no": member_order(world).out_trade_no}),
    ],
    "dues_pay:notify": [Case(outcomes(METHOD_NOT_ALLOWED), lambda world: {"gateway": "sandbox"})],
    "dues_pay:offline": [
        Case(only("secretary", "county_officer"), lambda world: {"member_pk": branch_member_pk(world)},
             label="branch"),
    ],
    "dues_sandbox:pay": [
        Case(public(NOT_FOUND), lambda world: {"out_trade_no": "NO-SUCH-ORDER"}, label="unknown order"),
        Case(outcomes(NOT_FOUND, member=OK), sandbox_order,
             label="member's order"),
    ],
    # Membership transfers (members/transfer_views.py): a member's own transfers and request form;
    # one transfer and its letter's PDF for the member and the officers on either side (liaison
    # officers read); its actions are POST only. `member`'s transfer to `other_branch` is under way, so
    # the request form sends them and the officers who could start one for them to it.
    "transfers:mine": [Case(verified_members())],
    "transfers:request": [
        Case(verified_members() | {"member": transfer_detail_url}, under_way(lambda world: {}),
             label="member's transfer under way"),
    ],
    "transfers:start": [
        Case(only("secretary", "county_officer", outcome=transfer_detail_url),
             under_way(lambda world: {"member_pk": branch_member_pk(world)}), label="branch, under way"),
        Case(only("other_secretary", "county_officer"),
             lambda world: {"member_pk": other_branch_member_pk(world)}, label="other_branch"),
    ],
    "transfers:detail": [
        Case(only("member", "secretary", "other_secretary", "liaison", "county_officer"), transfer_pk),
    ],
    **{
        f"transfers:{action}": [Case(outcomes(METHOD_NOT_ALLOWED), transfer_pk)]  # POST only
        for action in ("withdraw", "approve", "reject", "reissue", "cancel", "accept", "refuse", "receipt")
    },
    "transfers:letter_pdf": [
        Case(only("member", "secretary", "other_secretary", "liaison", "county_officer"), letter_pk),
    ],
    # The officers' pages (members/transfer_office_views.py): the inbox for those who read a roster, the
    # overview for overseers, a member's history for those who read the member's roster; registering a
    # letter from outside and issuing an activity card for those who manage the branch.
    "transfers:inbox": [Case(only(*OFFICERS))],
    "transfers:overview": [Case(only("county_officer"))],
    "transfers:member_history": [
        Case(only("secretary", "liaison", "county_officer"),
             lambda world: {"member_pk": branch_member_pk(world)}, label="branch"),
        Case(only("other_secretary", "county_officer"),
             lambda world: {"member_pk": other_branch_member_pk(world)}, label="other_branch"),
    ],
    "transfers:register_incoming": [
        Case(only("secretary", "county_officer"), lambda world: {"org_pk": world.branch.pk}, label="branch"),
        Case(signed_in(NOT_FOUND), lambda world: {"org_pk": world.general_branch.pk},
             label="general_branch, which receives nobody"),
    ],
    "transfers:card_issue": [
        Case(only("secretary", "county_officer"), lambda world: {"member_pk": branch_member_pk(world)},
             label="branch"),
    ],
    "transfers:card_end": [Case(outcomes(METHOD_NOT_ALLOWED), activity_card_pk)],  # POST only
    # Ballots (votes/views.py, votes/result_views.py), all of `branch`: the list for every account; a
    # ballot for the branch's members and those who read its roster, a draft for its managers only; the
    # paper for the electorate while voting is open (others are sent to the ballot's page); the results
    # once closed for roster readers and once published also for the members; the board, its JSON and
    # the PDF record once published. Opening, closing and publishing are POST only.
    "votes:list": [Case(signed_in())],
    "votes:create": [
        Case(only("secretary", "county_officer"), lambda world: {"org_pk": world.branch.pk}, label="branch"),
        Case(only("other_secretary", "county_officer"), lambda world: {"org_pk": world.other_branch.pk},
             label="other_branch"),
    ],
    "votes:detail": [
        Case(only("secretary", "county_officer"), ballot("draft"), label="draft"),
        Case(only(*BALLOT_READERS), ballot("open"), label="open"),
        Case(only(*BALLOT_READERS), ballot("published"), label="published"),
    ],
    "votes:edit": [
        Case(only("secretary", "county_officer"), ballot("draft"), label="draft"),
        Case(only("secretary", "county_officer", outcome=to_ballot("open")), ballot("open"), label="open"),
    ],
    **{
        f"votes:{action}": [Case(outcomes(METHOD_NOT_ALLOWED), ballot("open"), label="open")]  # POST only
        for action in ("open", "close", "publish")
    },
    "votes:cast": [
        Case(only("secretary", "county_officer", outcome=to_ballot("draft")), ballot("draft"), label="draft"),
        Case(only("member", "secretary", liaison=to_ballot("open"), county_officer=to_ballot("open")),
             ballot("open"), label="open"),
        Case(only(*BALLOT_READERS, outcome=to_ballot("published")), ballot("published"), label="published"),
    ],
    "votes:results": [
        Case(signed_in(NOT_FOUND), ballot("open"), label="open"),
        Case(only("secretary", "liaison", "county_officer"), ballot("closed"), label="closed"),
        Case(only(*BALLOT_READERS), ballot("published"), label="published"),
    ],
    **{
        f"votes:{name}": [
            Case(signed_in(NOT_FOUND), ballot("closed"), label="closed"),
            Case(only(*BALLOT_READERS), ballot("published"), label="published"),
        ]
        for name in ("results_pdf", "board", "board_json")
    },
    # The public check of an introduction letter (members/letter_verify_views.py).
    "letters:verify": [Case(public())],
    "set_language": [Case(public(redirect("/")))],
    # allauth: signed-in users are sent home from the entrance pages.
    "account_login": [Case(outcomes(redirect("/"), anonymous=OK))],
    "account_signup": [Case(outcomes(redirect("/"), anonymous=OK))],
    "account_logout": [Case(signed_in())],  # a confirmation page; signing out is a POST
    "account_inactive": [Case(public())],
    "account_reset_password": [Case(public())],
    "account_reset_password_done": [Case(public())],
    "account_reset_password_from_key": [
        Case(public(), lambda world: {"uidb36": "1", "key": "not-a-real-key"}, label="bad key"),
    ],
    "account_reset_password_from_key_done": [Case(public())],
    "account_change_password": [Case(signed_in())],
    "account_set_password": [Case(signed_in(redirect("/accounts/password/change/")))],
    "account_reauthenticate": [Case(signed_in())],
    # Re-authentication by code is not enabled (ACCOUNT_REAUTHENTICATION_METHODS): refused.
    "account_request_reauthentication_code": [Case(signed_in(403))],
    "account_confirm_reauthentication_code": [Case(signed_in(403))],
    "account_email": [Case(signed_in())],
    "account_email_verification_sent": [Case(public())],
    "account_confirm_email": [Case(public(), lambda world: {"key": "not-a-real-key"}, label="bad key")],
    "account_confirm_login_code": [Case(signed_in(redirect("/")))],
    "account_verify_phone": [Case(signed_in(redirect("/accounts/phone/change/")))],
    "account_change_phone": [Case(signed_in())],
    # allauth.mfa and allauth.usersessions (members/security.py, templates/mfa/, templates/usersessions/)
    # Officers who manage members have an authenticator app (conftest), the others none. Activating
    # or deactivating asks for the password first; the pages for an authenticator one lacks are 404s;
    # the sign-in stage sends signed-in users home.
    "mfa_index": [Case(signed_in())],
    "mfa_authenticate": [Case(signed_in(redirect("/")))],
    "mfa_reauthenticate": [
        Case(outcomes(redirect("/accounts/reauthenticate/"), anonymous=LOGIN, **with_totp(OK)))
    ],
    "mfa_activate_totp": [Case(signed_in(redirect("/accounts/reauthenticate/")))],
    "mfa_deactivate_totp": [
        Case(outcomes(NOT_FOUND, anonymous=LOGIN, **with_totp(redirect("/accounts/reauthenticate/"))))
    ],
    "mfa_view_recovery_codes": [Case(signed_in(NOT_FOUND))],
    "mfa_generate_recovery_codes": [Case(signed_in(redirect("/accounts/reauthenticate/")))],
    "mfa_download_recovery_codes": [Case(signed_in(NOT_FOUND))],
    "usersessions_list": [Case(signed_in())],
    # The admin site
    "admin:index": [Case(admin())],
    "admin:login": [Case(admin(redirect("/admin/"), anonymous=LOGIN))],
    "admin:logout": [Case(admin(METHOD_NOT_ALLOWED, anonymous=redirect("/admin/")))],  # POST only
    "admin:password_change": [Case(admin())],
    "admin:password_change_done": [Case(admin())],
    "admin:autocomplete": [Case(admin(FORBIDDEN), label="no model asked for")],
    "admin:jsi18n": [Case(admin())],
    "admin:view_on_site": [
        Case(
            admin(NOT_FOUND),
            lambda world: {
                "content_type_id": ContentType.objects.get_for_model(Member).pk,
                "object_id": branch_member_pk(world),
            },
            label="member, which has no page of its own",
        )
    ],
    "admin:app_list": [
        Case(admin(), lambda world: {"app_label": "members"}, label="members"),
        Case(admin(NOT_FOUND), lambda world: {"app_label": "auth"}, label="auth, no model to show"),
    ],
    "admin/(?P<url>.*)$": [Case(admin(NOT_FOUND), url=lambda world: "/admin/no-such-page/")],
    # Members: the object is a member of `branch`. Secretaries add and edit, county staff also
    # delete, liaison officers read.
    **admin_model(
        "members_member", pk=branch_member_pk, label="member of branch",
        changelist=admin(),
        add=admin(liaison=FORBIDDEN),
        change=admin(other_secretary=NOT_FOUND),
        history=admin(other_secretary=NOT_FOUND),
        delete=admin(FORBIDDEN, county_officer=OK, other_secretary=NOT_FOUND),
    ),
    "admin:members_member_import": [Case(admin(liaison=FORBIDDEN))],
    "admin:members_member_process_import": [Case(admin(METHOD_NOT_ALLOWED))],  # POST only
    "admin:members_member_template": [Case(admin(liaison=FORBIDDEN))],
    "admin:members_member_export": [Case(admin())],
    # Positions: the object is the secretary's position in `branch`; overseers assign positions.
    **admin_model(
        "members_position", pk=secretary_position_pk, label="secretary of branch",
        changelist=admin(),
        add=admin(FORBIDDEN, county_officer=OK),
        change=admin(other_secretary=NOT_FOUND),
        history=admin(other_secretary=NOT_FOUND),
        delete=admin(FORBIDDEN, other_secretary=NOT_FOUND),
    ),
    # Accounts: superusers only; an account's pages are 404s, like those of an id that does not exist.
    **admin_model(
        "members_user", pk=lambda world: world.member.pk,
        changelist=admin(FORBIDDEN), add=admin(FORBIDDEN), change=admin(NOT_FOUND),
        history=admin(NOT_FOUND), delete=admin(NOT_FOUND),
    ),
    # Organizations: the object is `branch`; overseers add and delete, its secretary edits.
    **admin_model(
        "branches_organization", pk=lambda world: world.branch.pk, label="branch",
        changelist=admin(),
        add=admin(FORBIDDEN, county_officer=OK),
        change=admin(other_secretary=NOT_FOUND),
        history=admin(other_secretary=NOT_FOUND),
        delete=admin(FORBIDDEN, county_officer=OK, other_secretary=NOT_FOUND),
    ),
    "admin/branches/organization/move/": [
        Case(admin(NOT_FOUND), url=lambda world: "/admin/branches/organization/move/", label="GET")
    ],
    "admin/branches/organization/children/<str:parent_id>/": [
        Case(
            admin(NOT_FOUND, county_officer=OK),
            url=lambda world: f"/admin/branches/organization/children/{world.general_branch.pk}/",
            label="general_branch",
        )
    ],
    "admin:javascript-catalog": [Case(public())],  # treebeard's translations for its drag and drop
    # Places: overseers only.
    **admin_model(
        "branches_township", pk=township_pk,
        changelist=admin(FORBIDDEN, county_officer=OK), add=admin(FORBIDDEN, county_officer=OK),
        change=admin(NOT_FOUND, county_officer=OK), history=admin(NOT_FOUND, county_officer=OK),
        delete=admin(NOT_FOUND, county_officer=OK),
    ),
    **admin_model(
        "branches_workplace", pk=work_place_pk,
        changelist=admin(FORBIDDEN, county_officer=OK), add=admin(FORBIDDEN, county_officer=OK),
        change=admin(NOT_FOUND, county_officer=OK), history=admin(NOT_FOUND, county_officer=OK),
        delete=admin(NOT_FOUND, county_officer=OK),
    ),
    # Registered by django.contrib.auth and allauth; nobody but a superuser has their permissions.
    **admin_model(
        "auth_group", pk=group_pk,
        changelist=admin(FORBIDDEN), add=admin(FORBIDDEN), change=admin(FORBIDDEN),
        history=admin(FORBIDDEN), delete=admin(FORBIDDEN),
    ),
    **admin_model(
        "account_emailaddress", pk=email_address_pk,
        changelist=admin(FORBIDDEN), add=admin(FORBIDDEN), change=admin(FORBIDDEN),
        history=admin(FORBIDDEN), delete=admin(FORBIDDEN),
    ),
    # Registered by auditlog and allauth (MFA devices, sessions): superusers only, through the
    # admin site's `register`.
    **admin_model(
        "auditlog_logentry", pk=log_entry_pk,
        changelist=admin(FORBIDDEN), add=admin(FORBIDDEN), change=admin(FORBIDDEN),
        history=admin(FORBIDDEN), delete=admin(FORBIDDEN),
    ),
    **admin_model(
        "mfa_authenticator", pk=authenticator_pk,
        changelist=admin(FORBIDDEN), add=admin(FORBIDDEN), change=admin(FORBIDDEN),
        history=admin(FORBIDDEN), delete=admin(FORBIDDEN),
    ),
    **admin_model(
        "usersessions_usersession", pk=user_session_pk,
        changelist=admin(FORBIDDEN), add=admin(FORBIDDEN), change=admin(FORBIDDEN),
        history=admin(FORBIDDEN), delete=admin(FORBIDDEN),
    ),
    # Records of unmasked personal data: overseers read those of their subtree; nobody edits them.
    **admin_model(
        "members_personaldataaccess", pk=personal_data_access_pk, label="access to a member of branch",
        changelist=admin(FORBIDDEN, county_officer=OK), add=admin(FORBIDDEN),
        change=admin(NOT_FOUND, county_officer=OK), history=admin(NOT_FOUND, county_officer=OK),
        delete=admin(NOT_FOUND, county_officer=FORBIDDEN),
    ),
}
# The same member pages for a member of the other branch.
for _name in ("admin:members_member_change", "admin:members_member_history"):
    EXPECTED[_name].append(
        Case(
            admin(NOT_FOUND, other_secretary=OK, county_officer=OK),
            obj(other_branch_member_pk),
            label="member of other_branch",
        )
    )


def walk(resolver=None, prefix: str = "", namespace: str = ""):
    """Yield (key, route) for every pattern, descending into includes; the key is the URL name."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def outcome_of(response):
    if response.status_code in (301, 302):
        location = response["Location"].split("?")[0]
        if location == reverse("account_login"):
            return LOGIN
        return redirect(location)
    return response.status_code


def test_every_url_pattern_has_an_expectation():
    keys = {key for key, _ in walk()}
    missing, stale = sorted(keys - EXPECTED.keys()), sorted(EXPECTED.keys() - keys)
    assert not missing, "URL patterns without an expectation, add them to EXPECTED:\n" + "\n".join(missing)
    assert not stale, "expectations for URL patterns that no longer exist:\n" + "\n".join(stale)


@pytest.mark.parametrize("persona", PERSONAS)
def test_url_walk(world, persona):
    user = world.personas[persona]
    mismatches = []
    for key, cases in EXPECTED.items():
        for case in cases:
            url = case.url(world) if case.url else reverse(key, kwargs=case.kwargs(world))
            client = Client()
            if persona != "anonymous":
                client.force_login(user)
            got = outcome_of(client.get(url))
            expected = case.outcomes[persona]
            expected = expected(world) if callable(expected) else expected
            if got != expected:
                mismatches.append(f"{persona} {key} [{case.label or url}]: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)
