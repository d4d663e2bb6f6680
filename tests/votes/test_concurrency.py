"""Casting under concurrency, on PostgreSQL and SQLite: one vote per voter however many requests race, and
nobody is refused when many voters cast at once.

Each thread has its own database connection (closed at its end), and all start together at a
barrier, as simultaneous requests to several gunicorn workers would."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from tests.votes.test_services import DATA, cast_papers, full_member, opened
from votes import services
from votes.models import Ballot, BallotPaper, VoteRecord

pytestmark = pytest.mark.usefixtures("concurrent_db")


def race(ballot, members, data) -> tuple[list[str], list[str], list[Exception]]:
    """Every member casts in their own thread at once: (receipts, refusals, other errors)."""
    start = threading.Barrier(len(members))
    receipts, refusals, errors = [], [], []

    def cast(member):
        try:
            with translation.override("en"):
                start.wait()
                receipts.append(services.ballot_cast(ballot=Ballot(pk=ballot.pk), member=member, data=data))
        except ValidationError as refusal:
            refusals.extend(refusal.messages)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return receipts, refusals, errors


def test_the_same_voter_casting_from_eight_requests_at_once_votes_once(world):
    ballot = opened(world)
    member = world.member.member
    receipts, refusals, errors = race(ballot, [member] * 8, DATA(ballot))
    assert errors == []
    assert len(receipts) == 1
    assert refusals == ["You have already voted in this ballot."] * 7
    assert list(VoteRecord.objects.filter(ballot=ballot).values_list("member", flat=True)) == [member.pk]
    assert list(cast_papers(ballot).values_list("receipt", flat=True)) == receipts
    assert BallotPaper.objects.filter(ballot=ballot, receipt__isnull=True).count() == 1


def test_fifty_voters_casting_at_once_are_all_counted(world):
    voters = [full_member(world.branch) for _ in range(48)] + [world.member.member, world.secretary.member]
    ballot = opened(world)
    assert ballot.electorate_size == 50
    receipts, refusals, errors = race(ballot, voters, {"choice": "for"})
    assert errors == [] and refusals == []
    assert len(receipts) == len(set(receipts)) == 50
    recorded = VoteRecord.objects.filter(ballot=ballot).values_list("member", flat=True)
    assert sorted(recorded) == sorted(voter.pk for voter in voters)
    assert sorted(cast_papers(ballot).values_list("receipt", flat=True)) == sorted(receipts)
    assert list(cast_papers(ballot).values_list("content", "valid")) == [({"choice": "for"}, True)] * 50
    assert not BallotPaper.objects.filter(ballot=ballot, receipt__isnull=True).exists()
