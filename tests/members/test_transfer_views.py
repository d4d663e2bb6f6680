"""Membership transfer pages: the member's transfers and history, the request form, one transfer with its
dated steps and every action by the right role (and refused for the others), and a letter's PDF."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import WorkPlace
from dues.models import Bill, Payment
from members import transfers as svc
from members.models import ActivityCard, IntroductionLetter, Member, MembershipPeriod, Transfer
from tests import factories

Status = Transfer.Status
MINE = reverse("transfers:mine")
NEW = reverse("transfers:request")
OUTSIDE = "北京市海淀区某科技公司党支部"


def url(name, obj):
    return reverse(f"transfers:{name}", args=[obj.pk])


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def reload(transfer) -> Transfer:
    return Transfer.objects.get(pk=transfer.pk)


@pytest.fixture
def requested(world):
    """张三 of 厦门第一支部 asks to move to 深圳第一支部 (other_branch)."""
    return svc.transfer_request(
        member=world.member.member, actor=world.member, reason="到深圳长期工作",
        to_organization=world.other_branch,
    )


@pytest.fixture
def in_transit(world, requested):
    svc.transfer_approve(transfer=requested, actor=world.secretary, validity_days=60)
    return reload(requested)


@pytest.fixture
def outside(world):
    """A transfer to an organization outside the portal: other_branch has nothing to do with it."""
    return svc.transfer_request(
        member=world.member.member, actor=world.member, reason="调往北京工作",
        to_outside=OUTSIDE, to_outside_address="北京市海淀区中关村大街1号",
    )


def request_data(**fields) -> dict:
    data = {
        "work_place": "", "employer": "深圳某公司", "reason": "到深圳长期工作", "target": "branch",
        "to_organization": "", "to_outside": "", "to_outside_address": "",
    }
    data.update(fields)
    return data


# The member's own page


def test_mine_shows_the_open_transfer_with_its_steps(en, world, in_transit, django_assert_num_queries):
    en.force_login(world.member)
    # user (session is cached), member (scope, shared with the navigation), transfers, their letters,
    # the step's accounts, membership periods, activity cards, positions (navigation), unread count
    with django_assert_num_queries(9):
        response = en.get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    letter = in_transit.letters.get()
    assert "Transfer under way" in html and world.other_branch.name in html
    assert "Transfer requested" in html and f"Approved by {world.branch.name}" in html
    assert f"Introduction letter {letter.serial} issued" in html
    assert f"Until the transfer is complete, {world.branch.name} remains responsible for 张三." in html
    assert f"Next: {world.other_branch.name} accepts or rejects the transfer." in html
    assert url("letter_pdf", letter) in html and url("detail", in_transit) in html
    assert f'href="{NEW}"' not in html  # one transfer at a time


def test_mine_query_count_does_not_grow_with_history(en, world, django_assert_num_queries):
    member = world.member.member
    for reason in ("一", "二", "三"):
        transfer = svc.transfer_request(
            member=member, actor=world.member, reason=reason, to_organization=world.other_branch
        )
        svc.transfer_withdraw(transfer=transfer, actor=world.member)
    en.force_login(world.member)
    # user, member, transfers, their letters, periods, activity cards, positions, unread count
    with django_assert_num_queries(8):
        response = en.get(MINE)
    html = response.content.decode()
    assert html.count("withdrawn by the member") == 3
    assert "No transfer under way" in html and f'href="{NEW}"' in html


def test_mine_lists_history_and_activity_cards(en, world, in_transit):
    svc.transfer_accept(transfer=in_transit, actor=world.other_secretary)
    today = timezone.localdate()
    card = ActivityCard.objects.create(
        member=world.member.member, organization=world.other_branch, host_organization=world.branch,
        starts_on=today, ends_on=today + datetime.timedelta(days=60), reason="回厦门照顾家人",
    )
    en.force_login(world.member)
    html = en.get(MINE).content.decode()
    assert "Membership history" in html
    period = MembershipPeriod.objects.get(member=world.member.member)
    assert period.organization == world.branch
    assert "2020-01-01" in html and today.isoformat() in html  # the closed period, and the current one since
    assert "Past transfers" in html and "completed" in html
    assert "Activity cards" in html and card.host_organization.name in html and "in force" in html
    assert "do not vote there" in html


def test_a_member_who_left_the_portal_still_sees_their_history(en, world, outside):
    letter = svc.transfer_approve(transfer=outside, actor=world.secretary)
    svc.transfer_receipt_record(transfer=outside, actor=world.secretary, returned_on=letter.issued_on)
    assert not Member.objects.filter(user=world.member).exists()
    en.force_login(world.member)
    response = en.get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert OUTSIDE in html and world.branch.name in html
    assert f"Receipt slip returned from {OUTSIDE}" not in html  # the steps are on the transfer's page
    assert f'href="{NEW}"' not in html
    assert "Activity cards" not in html  # nothing to offer outside the portal
    detail = en.get(url("detail", outside)).content.decode()
    assert f"Receipt slip returned from {OUTSIDE}" in detail


def test_mine_without_a_member_record_points_to_verification(en, db):
    en.force_login(factories.user())
    response = en.get(MINE)
    assert response.status_code == 302 and response["Location"] == reverse("verification:status")


def test_mine_anonymous_goes_to_login(client, db):
    assert is_login_redirect(client.get(MINE))


def test_navigation_links_transfers_by_role(en, world):
    en.force_login(world.member)
    html = en.get(reverse("home")).content.decode()
    assert f'href="{MINE}"' in html
    assert reverse("transfers:inbox") not in html and reverse("transfers:overview") not in html
    en.force_login(world.liaison)
    html = en.get(reverse("home")).content.decode()
    assert reverse("transfers:inbox") in html and reverse("transfers:overview") not in html
    en.force_login(world.county_officer)
    html = en.get(reverse("home")).content.decode()
    assert reverse("transfers:inbox") in html and reverse("transfers:overview") in html


# The request form


def test_request_form_sends_the_request(en, world, django_assert_num_queries):
    en.force_login(world.member)
    # user, positions (navigation), member, an open transfer (none), unread count, work places,
    # branches to choose
    with django_assert_num_queries(7):
        response = en.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.other_branch.name in html and "Suggest a branch" in html
    response = en.post(NEW, request_data(to_organization=world.other_branch.pk))
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", transfer)
    assert transfer.status == Status.REQUESTED and transfer.to_organization == world.other_branch
    assert transfer.requested_by == world.member and transfer.employer == "深圳某公司"
    assert world.secretary.notifications.filter(kind="transfer").exists()


def test_request_to_an_organization_outside_the_portal(en, world):
    en.force_login(world.member)
    en.post(NEW, request_data(target="outside", to_organization=world.other_branch.pk,
                              to_outside=OUTSIDE, to_outside_address="北京市"))
    transfer = Transfer.objects.get()
    assert transfer.to_organization is None and transfer.to_outside == OUTSIDE


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"reason": "", "to_organization": "BRANCH"}, "This field is required."),
        ({}, "Choose the branch you are transferring to."),
        (
            {"target": "outside", "to_outside": OUTSIDE},
            "Give the address of the organization outside the portal.",
        ),
    ],
)
def test_bad_request_is_a_form_error_and_saves_nothing(en, world, fields, error):
    if fields.get("to_organization") == "BRANCH":
        fields["to_organization"] = world.other_branch.pk
    en.force_login(world.member)
    response = en.post(NEW, request_data(**fields))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Transfer.objects.exists()


def test_own_branch_is_not_offered(en, world):
    en.force_login(world.member)
    assert f'<option value="{world.branch.pk}"' not in en.get(NEW).content.decode()
    response = en.post(NEW, request_data(to_organization=world.branch.pk))
    assert "Select a valid choice" in response.content.decode()
    assert not Transfer.objects.exists()


def test_form_errors_come_in_the_users_language(client, world):
    """Chinese is the default language."""
    client.force_login(world.member)
    response = client.post(NEW, request_data(reason="", to_organization=world.other_branch.pk))
    assert "这个字段是必填项。" in response.content.decode()
    assert not Transfer.objects.exists()


def test_suggest_button_preselects_the_branch_and_says_why(en, world):
    shenzhen = WorkPlace.objects.create(name="深圳", province="广东")
    world.other_branch.work_places.add(shenzhen)
    en.force_login(world.member)
    response = en.post(NEW, request_data(work_place=shenzhen.pk, reason="", suggest="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Suggested: {world.other_branch.name}." in html
    assert "It serves members working in 深圳." in html and "You may choose another branch." in html
    assert f'<option value="{world.other_branch.pk}" selected>' in html
    assert "This field is required." not in html  # asking for a suggestion is not sending the form
    assert "深圳某公司" in html  # what was typed is kept
    assert not Transfer.objects.exists()


def test_suggest_without_a_serving_branch_says_so(en, world):
    nowhere = WorkPlace.objects.create(name="拉萨", province="西藏")
    en.force_login(world.member)
    html = en.post(NEW, request_data(work_place=nowhere.pk, suggest="1")).content.decode()
    assert "No branch in the portal serves 拉萨 yet." in html


def test_request_form_while_a_transfer_is_open_goes_to_it(en, world, requested):
    en.force_login(world.member)
    response = en.get(NEW)
    assert response.status_code == 302 and response["Location"] == url("detail", requested)


def test_officer_starts_a_transfer_for_a_member(en, world):
    member = world.member.member
    start = reverse("transfers:start", args=[member.pk])
    en.force_login(world.secretary)
    html = en.get(start).content.decode()
    assert "Start a transfer for 张三" in html
    response = en.post(start, request_data(to_organization=world.other_branch.pk))
    transfer = Transfer.objects.get()
    assert response["Location"] == url("detail", transfer)
    assert transfer.member == member and transfer.requested_by == world.secretary
    assert world.member.notifications.filter(kind="transfer").exists()


@pytest.mark.parametrize("persona", ["other_secretary", "liaison", "member", "other_member"])
def test_start_for_member_is_404_unless_managing_the_branch(client, world, persona):
    client.force_login(getattr(world, persona))
    start = reverse("transfers:start", args=[world.secretary.member.pk])
    assert client.get(start).status_code == 404
    assert client.post(start, request_data(to_organization=world.other_branch.pk)).status_code == 404
    assert not Transfer.objects.exists()


# The transfer page: who sees it


@pytest.mark.parametrize("persona", ["member", "secretary", "other_secretary", "liaison", "county_officer"])
def test_detail_for_everyone_involved(client, world, in_transit, persona):
    client.force_login(getattr(world, persona))
    response = client.get(url("detail", in_transit))
    assert response.status_code == 200
    assert in_transit.letters.get().serial in response.content.decode()


@pytest.mark.parametrize("persona", ["other_member", "other_secretary"])
def test_detail_is_404_for_outsiders(client, world, outside, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("detail", outside)).status_code == 404


def test_detail_anonymous_goes_to_login(client, world, requested):
    assert is_login_redirect(client.get(url("detail", requested)))


def test_detail_query_count(en, world, in_transit, django_assert_num_queries):
    en.force_login(world.other_secretary)
    # user (session), positions (officer middleware; shared with the scope), authenticator (two-factor
    # gate), the transfer, its letters, the steps' accounts, dues bills, member (navigation), unread count
    with django_assert_num_queries(9):
        response = en.get(url("detail", in_transit))
    html = response.content.decode()
    assert "Accept the transfer" in html and "Reject the transfer" in html
    assert "Approve and issue" not in html and "Cancel the transfer" not in html


def test_detail_query_count_does_not_grow_with_letters(en, world, in_transit, django_assert_num_queries):
    for _ in range(2):
        svc.letters_expire(today=timezone.localdate() + datetime.timedelta(days=400))
        svc.transfer_reissue(transfer=in_transit, actor=world.secretary)
    en.force_login(world.member)
    # user, member (navigation), the transfer, its letters, the steps' accounts, dues bills, positions,
    # unread count
    with django_assert_num_queries(8):
        response = en.get(url("detail", in_transit))
    assert response.content.decode().count("Download ") == 3


def test_liaison_reads_only(en, world, requested):
    en.force_login(world.liaison)
    html = en.get(url("detail", requested)).content.decode()
    assert "You can follow this transfer but not act on it." in html
    assert url("approve", requested) not in html
    en.post(url("approve", requested), {"approve-validity_days": "90"})
    assert reload(requested).status == Status.REQUESTED


# Actions


def test_actions_are_post_only(client, world, requested):
    client.force_login(world.secretary)
    for name in ("withdraw", "approve", "reject", "reissue", "cancel", "accept", "refuse", "receipt"):
        assert client.get(url(name, requested)).status_code == 405


@pytest.mark.parametrize("persona", ["other_member", "anonymous"])
def test_actions_are_hidden_from_outsiders(client, world, outside, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    response = client.post(url("approve", outside), {"approve-validity_days": "90"})
    assert response.status_code == 404 if persona != "anonymous" else is_login_redirect(response)
    assert reload(outside).status == Status.REQUESTED


def test_member_withdraws(en, world, requested):
    en.force_login(world.member)
    assert url("withdraw", requested) in en.get(url("detail", requested)).content.decode()
    response = en.post(url("withdraw", requested), follow=True)
    assert reload(requested).status == Status.WITHDRAWN
    html = response.content.decode()
    assert "You withdrew your transfer request." in html and "Withdrawn by the member" in html


def test_only_the_member_withdraws(en, world, requested):
    en.force_login(world.secretary)
    assert url("withdraw", requested) not in en.get(url("detail", requested)).content.decode()
    response = en.post(url("withdraw", requested), follow=True)
    assert "You cannot act on this transfer." in response.content.decode()
    assert reload(requested).status == Status.REQUESTED


def test_sending_secretary_approves(en, world, requested):
    en.force_login(world.secretary)
    html = en.get(url("detail", requested)).content.decode()
    assert 'name="approve-validity_days"' in html and 'value="90"' in html
    assert 'name="approve-dues_paid_up_to"' in html  # no dues records: the officer gives the month
    response = en.post(url("approve", requested), {"approve-validity_days": "30",
                                                    "approve-dues_paid_up_to": "2026-03"}, follow=True)
    letter = IntroductionLetter.objects.get(transfer=requested)
    assert reload(requested).status == Status.IN_TRANSIT
    assert letter.validity_days == 30 and letter.dues_paid_up_to == datetime.date(2026, 3, 1)
    html = response.content.decode()
    assert f"Introduction letter {letter.serial} is issued" in html
    assert f"Introduction letter {letter.serial} issued" in html and "2026-03" in html


@pytest.mark.parametrize("days", ["91", "0", ""])
def test_approve_with_bad_validity_is_a_form_error(en, world, requested, days):
    en.force_login(world.secretary)
    response = en.post(url("approve", requested), {"approve-validity_days": days})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is" in html or "This field is required." in html
    assert reload(requested).status == Status.REQUESTED
    assert not IntroductionLetter.objects.exists()


def test_member_cannot_approve_their_own_transfer(en, world):
    """The secretary asks to transfer themself: nobody else manages the branch, and they may not act."""
    own = svc.transfer_request(
        member=world.secretary.member, actor=world.secretary, reason="调动",
        to_organization=world.other_branch,
    )
    en.force_login(world.secretary)
    html = en.get(url("detail", own)).content.decode()
    assert url("approve", own) not in html and url("reject", own) not in html
    assert url("withdraw", own) in html
    response = en.post(url("approve", own), {"approve-validity_days": "90"}, follow=True)
    assert "You cannot act on this transfer." in response.content.decode()
    assert reload(own).status == Status.REQUESTED and not IntroductionLetter.objects.exists()


def test_dues_records_fill_the_month_and_show_unpaid_bills(en, world, requested):
    member = world.member.member
    today = timezone.localdate().replace(day=1)
    paid = (today - datetime.timedelta(days=40)).replace(day=1)
    payment = Payment.objects.create(
        member=member, organization=world.branch, amount=Decimal("15.00"), method=Payment.Method.CASH,
        receipt_number="T-000001", receipt_check="x",
    )
    Bill.objects.create(member=member, organization=world.branch, period=paid, amount=Decimal("15.00"),
                        status=Bill.Status.PAID, payment=payment)
    Bill.objects.create(member=member, organization=world.branch, period=today, amount=Decimal("15.00"))
    for persona in ("member", "secretary", "other_secretary"):
        en.force_login(getattr(world, persona))
        html = en.get(url("detail", requested)).content.decode()
        assert "1 month unpaid, 15.00 yuan in all." in html
        assert f"{paid:%Y-%m}" in html
    assert 'name="approve-dues_paid_up_to"' not in html
    en.force_login(world.secretary)
    en.post(url("approve", requested), {"approve-validity_days": "90"})
    assert IntroductionLetter.objects.get().dues_paid_up_to == paid


def test_sending_secretary_rejects_with_a_reason(en, world, requested):
    en.force_login(world.secretary)
    response = en.post(url("reject", requested), {"reject-reason": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert reload(requested).status == Status.REQUESTED
    en.post(url("reject", requested), {"reject-reason": "请先完成本季度组织生活"})
    assert reload(requested).status == Status.REJECTED
    en.force_login(world.member)
    html = en.get(url("detail", requested)).content.decode()
    assert f"Rejected by {world.branch.name}" in html and "请先完成本季度组织生活" in html


def test_receiving_secretary_cannot_act_for_the_sender(en, world, requested):
    en.force_login(world.other_secretary)
    assert url("approve", requested) not in en.get(url("detail", requested)).content.decode()
    en.post(url("approve", requested), {"approve-validity_days": "90"})
    en.post(url("reject", requested), {"reject-reason": "不行"})
    assert reload(requested).status == Status.REQUESTED


def test_receiving_secretary_accepts(en, world, in_transit):
    en.force_login(world.other_secretary)
    response = en.post(url("accept", in_transit), follow=True)
    transfer = reload(in_transit)
    assert transfer.status == Status.COMPLETED
    member = Member.objects.get(user=world.member)
    assert member.organization == world.other_branch and member.member_since == timezone.localdate()
    html = response.content.decode()
    assert "Transfer accepted: 张三 now belongs to" in html
    assert f"Accepted by {world.other_branch.name}" in html and "Transfer complete" in html
    assert "remains responsible" not in html


def test_sending_secretary_cannot_accept(en, world, in_transit):
    en.force_login(world.secretary)
    html = en.get(url("detail", in_transit)).content.decode()
    assert url("accept", in_transit) not in html and url("cancel", in_transit) in html
    en.post(url("accept", in_transit))
    en.post(url("refuse", in_transit), {"refuse-reason": "不接收"})
    assert reload(in_transit).status == Status.IN_TRANSIT


def test_receiving_secretary_rejects_with_a_reason(en, world, in_transit):
    en.force_login(world.other_secretary)
    response = en.post(url("refuse", in_transit), {"refuse-reason": ""})
    assert "This field is required." in response.content.decode()
    assert reload(in_transit).status == Status.IN_TRANSIT
    en.post(url("refuse", in_transit), {"refuse-reason": "本支部不接收该单位人员"})
    assert reload(in_transit).status == Status.REFUSED
    assert in_transit.letters.get().status == IntroductionLetter.Status.CANCELLED
    en.force_login(world.member)
    html = en.get(url("detail", in_transit)).content.decode()
    assert f"Rejected by {world.other_branch.name}" in html and "本支部不接收该单位人员" in html


def test_sending_secretary_cancels(en, world, in_transit):
    en.force_login(world.secretary)
    en.post(url("cancel", in_transit), {"cancel-reason": ""})
    assert reload(in_transit).status == Status.IN_TRANSIT
    response = en.post(url("cancel", in_transit), {"cancel-reason": "党员改变计划"}, follow=True)
    assert reload(in_transit).status == Status.CANCELLED
    assert f"Cancelled by {world.branch.name}" in response.content.decode()


def test_expired_letter_is_reissued_with_a_new_serial(en, world, in_transit):
    old = in_transit.letters.get()
    svc.letters_expire(today=old.valid_until + datetime.timedelta(days=1))
    en.force_login(world.secretary)
    html = en.get(url("detail", in_transit)).content.decode()
    assert url("reissue", in_transit) in html and url("cancel", in_transit) in html
    response = en.post(url("reissue", in_transit), {"reissue-validity_days": "91"})
    assert "Ensure this value is less than or equal to 90." in response.content.decode()
    assert in_transit.letters.count() == 1
    en.post(url("reissue", in_transit), {"reissue-validity_days": "90"})
    new = in_transit.letters.exclude(pk=old.pk).get()
    assert new.number == old.number + 1 and reload(in_transit).status == Status.IN_TRANSIT
    en.force_login(world.member)
    html = en.get(url("detail", in_transit)).content.decode()
    assert f"Introduction letter {old.serial} expired" in html
    assert f"Letter reissued: new introduction letter {new.serial}" in html


def test_receipt_slip_completes_a_transfer_outside_the_portal(en, world, outside):
    letter = svc.transfer_approve(transfer=outside, actor=world.secretary)
    en.force_login(world.secretary)
    html = en.get(url("detail", outside)).content.decode()
    assert url("receipt", outside) in html and url("accept", outside) not in html
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = en.post(url("receipt", outside), {"receipt-returned_on": tomorrow.isoformat()})
    assert "The date cannot be in the future." in response.content.decode()
    assert reload(outside).status == Status.IN_TRANSIT
    response = en.post(
        url("receipt", outside), {"receipt-returned_on": letter.issued_on.isoformat()}, follow=True
    )
    transfer = reload(outside)
    assert transfer.status == Status.COMPLETED and transfer.receipt_returned_on == letter.issued_on
    assert "The receipt slip is recorded" in response.content.decode()


def test_member_sees_every_step_of_a_completed_transfer(en, world, in_transit):
    first = in_transit.letters.get()
    svc.letters_expire(today=first.valid_until + datetime.timedelta(days=1))
    second = svc.transfer_reissue(transfer=in_transit, actor=world.secretary)
    svc.transfer_accept(transfer=in_transit, actor=world.other_secretary)
    en.force_login(world.member)
    html = en.get(url("detail", in_transit)).content.decode()
    steps = [
        "Transfer requested",
        f"Approved by {world.branch.name}",
        f"Introduction letter {first.serial} issued",
        f"Introduction letter {first.serial} expired",
        f"Letter reissued: new introduction letter {second.serial}",
        f"Accepted by {world.other_branch.name}",
        f"Transfer complete: the membership is now with {world.other_branch.name}",
    ]
    positions = [html.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "by 李书记" in html and "by 赵书记" in html and "by 张三" in html
    assert url("letter_pdf", first) in html and url("letter_pdf", second) in html


# The letter's PDF


@pytest.mark.parametrize("persona", ["member", "secretary", "other_secretary", "liaison"])
def test_letter_pdf_for_anyone_who_sees_the_transfer(client, world, in_transit, persona):
    letter = in_transit.letters.get()
    client.force_login(getattr(world, persona))
    response = client.get(url("letter_pdf", letter))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{letter.serial}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    letter.refresh_from_db()
    assert letter.pdf and letter.pdf_made_at  # made once, kept


@pytest.mark.parametrize("persona", ["other_member", "other_secretary"])
def test_letter_pdf_is_404_for_outsiders(client, world, outside, persona):
    letter = svc.transfer_approve(transfer=outside, actor=world.secretary)
    client.force_login(getattr(world, persona))
    assert client.get(url("letter_pdf", letter)).status_code == 404
    assert not IntroductionLetter.objects.get(pk=letter.pk).pdf


def test_letter_pdf_anonymous_goes_to_login(client, world, in_transit):
    assert is_login_redirect(client.get(url("letter_pdf", in_transit.letters.get())))

