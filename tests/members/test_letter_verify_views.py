"""The public letter check (letters:verify): no login, a matching letter's number, organizations, dates
and status only; one neutral answer for a wrong code or an unknown number."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import IntroductionLetter
from members.transfers import letters_expire, transfer_accept, transfer_approve, transfer_request
from tests.factories import full_width

URL = reverse("letters:verify")
NO_MATCH = "No letter matches this number and check code."


@pytest.fixture
def letter(world) -> IntroductionLetter:
    transfer = transfer_request(
        member=world.member.member, actor=world.member, reason="工作调动", to_organization=world.other_branch
    )
    return transfer_approve(transfer=transfer, actor=world.secretary)


def check(client, serial, code):
    response = client.get(URL, {"serial": serial, "code": code})
    assert response.status_code == 200
    return response.content.decode()


def test_anyone_sees_the_form_without_logging_in(en, db, django_assert_num_queries):
    # no queries: an anonymous visitor without a session, and no letter asked for
    with django_assert_num_queries(0):
        response = en.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="serial"' in page and 'name="code"' in page and NO_MATCH not in page


def test_a_matching_letter_shows_its_facts_and_nothing_personal(en, world, letter, django_assert_num_queries):
    member = world.member.member
    # 1. the letter with its issuing organization
    with django_assert_num_queries(1):
        page = check(en, letter.serial, letter.check_code)

    assert "This letter was issued through the portal" in page
    assert letter.serial in page and "厦门第一支部" in page and "深圳第一支部" in page
    assert letter.issued_on.isoformat() in page and letter.valid_until.isoformat() in page
    assert ">valid<" in page
    for personal in (member.name, member.id_number, member.masked_id_number, member.phone, letter.ethnicity):
        assert personal not in page
    assert NO_MATCH not in page


def test_a_letter_number_and_code_typed_in_full_width_are_found(en, letter):
    page = check(en, full_width(letter.serial.lower()), full_width(letter.check_code.lower()))
    assert "This letter was issued through the portal" in page and NO_MATCH not in page


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(en, letter):
    wrong = check(en, letter.serial, "ABCDEFGHJK")
    unknown = check(en, letter.serial.replace("-0001", "-0009"), letter.check_code)
    garbage = check(en, "不是编号", "介绍信")

    for page in (wrong, unknown, garbage):
        assert NO_MATCH in page
        assert letter.to_name not in page and "This letter was issued" not in page
    assert result(wrong) == result(unknown) == result(garbage)  # nothing tells which was wrong


def result(page: str) -> str:
    return page.split('aria-labelledby="result-title"', 1)[1].split("</section>", 1)[0]


def test_the_code_is_not_case_sensitive(en, letter):
    assert "This letter was issued" in check(en, letter.serial.lower(), f" {letter.check_code.lower()} ")


def test_the_status_follows_the_letter(en, world, letter):
    transfer_accept(transfer=letter.transfer, actor=world.other_secretary)

    assert "used: the transfer is complete" in check(en, letter.serial, letter.check_code)


def test_a_letter_past_its_last_day_reads_expired_before_and_after_the_nightly_task(en, letter):
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        issued_on=timezone.localdate() - datetime.timedelta(days=91),
        valid_until=timezone.localdate() - datetime.timedelta(days=2),
    )
    assert ">expired<" in check(en, letter.serial, letter.check_code)

    letters_expire(today=timezone.localdate())

    page = check(en, letter.serial, letter.check_code)
    assert ">expired<" in page and "issues a new one with a new number" in page


def test_a_cancelled_letter_says_so(en, world, letter):
    from members.transfers import transfer_cancel

    transfer_cancel(transfer=letter.transfer, actor=world.secretary, reason="计划变化")

    assert ">cancelled<" in check(en, letter.serial, letter.check_code)


def test_an_empty_field_is_a_form_error_not_an_answer(en, letter):
    page = check(en, letter.serial, "")

    assert "This field is required." in page and NO_MATCH not in page


@pytest.mark.parametrize("persona", ["member", "secretary", "other_secretary", "liaison", "county_officer"])
def test_signed_in_people_see_the_same_public_facts(client, world, letter, persona):
    client.force_login(world.personas[persona])

    page = check(client, letter.serial, letter.check_code)

    assert letter.serial in page and world.member.member.id_number not in page
