"""The art. 9 notice record shared by the dues and meetings checks (members/services.py)."""

import datetime

from django.db import IntegrityError

from members.models import Article9Notice
from members.services import article9_notices_record

OCT = datetime.date(2026, 10, 1)
MAY = datetime.date(2026, 5, 1)


def record(members, due, cause=Article9Notice.Cause.DUES):
    sent = []
    notices = article9_notices_record(
        cause=cause, months=6, due=due, members=members,
        send=lambda member, notice, secretaries: sent.append((member.name, notice.month, secretaries)),
    )
    return notices, sent


def test_a_notice_is_recorded_and_sent_once_per_run_to_the_branchs_secretaries(world):
    member, other = world.member.member, world.other_member.member
    notices, sent = record([member, other], {member.pk: MAY})  # `other` is not due
    assert [(n.member, n.cause, n.month, n.months) for n in notices] == [(member, "dues", MAY, 6)]
    assert sent == [("张三", MAY, [world.secretary])]
    assert record([member], {member.pk: MAY}) == ([], [])  # the run goes on: no second notice
    assert len(record([member], {member.pk: MAY}, cause=Article9Notice.Cause.MEETINGS)[0]) == 1
    assert len(record([member], {member.pk: OCT})[0]) == 1  # a new run


def test_a_notice_a_concurrent_run_recorded_is_not_sent_again(world, monkeypatch):
    def concurrent(**fields):  # the other run committed it between our look-up and our insert
        raise IntegrityError("article9_once")

    monkeypatch.setattr(Article9Notice.objects, "create", concurrent)
    assert record([world.member.member], {world.member.member.pk: MAY}) == ([], [])


def test_nothing_due_asks_nothing(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert record([world.member.member], {}) == ([], [])
