"""The periodic task (votes/tasks.py): ballots whose time is over close and are counted, once, and get
their PDF record; a broker outage only delays a record."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from ebranch.celery import app
from tests.votes.test_tally import cast_all, electorate_of, open_ballot
from votes import records, services
from votes.models import Ballot
from votes.tasks import ballots_close_task

Status = Ballot.Status


def time_is_up(ballot) -> Ballot:
    """As if the closing time had passed (a ballot cannot be opened with its closing time behind it)."""
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    return Ballot.objects.get(pk=ballot.pk)


def test_the_task_is_scheduled_every_minute_and_registered():
    entry = settings.CELERY_BEAT_SCHEDULE["ballots-close"]
    assert entry == {"task": "votes.tasks.ballots_close_task", "schedule": 60}
    app.loader.import_default_modules()
    assert "votes.tasks.ballots_close_task" in app.tasks
    assert "votes.records.ballot_record_render" in app.tasks


def test_due_ballots_close_with_their_result_and_record(world, django_capture_on_commit_callbacks, eager):
    members = electorate_of(world, 4)
    due = open_ballot(world, title="到期的决议")
    running = open_ballot(world, title="进行中的决议")
    cast_all(due, members, [{"choice": "for"}] * 3)
    time_is_up(due)

    with django_capture_on_commit_callbacks(execute=True):
        assert ballots_close_task() == 1

    due.refresh_from_db()
    running.refresh_from_db()
    assert due.status == Status.CLOSED and due.result["passed"] is True and due.participants == 3
    assert due.record_pdf and due.record_pdf.storage.exists(due.record_pdf.name)
    assert running.status == Status.OPEN and not running.record_pdf


def test_a_second_run_does_nothing(world, django_capture_on_commit_callbacks, eager):
    electorate_of(world, 3)
    ballot = time_is_up(open_ballot(world))
    with django_capture_on_commit_callbacks(execute=True):
        ballots_close_task()
    ballot.refresh_from_db()
    first = (ballot.closed_at, ballot.record_pdf.name)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert ballots_close_task() == 0
    assert callbacks == []  # no record asked for again
    ballot.refresh_from_db()
    assert (ballot.closed_at, ballot.record_pdf.name) == first


def test_ballots_closed_by_hand_get_their_record_from_the_task(
    world, django_capture_on_commit_callbacks, eager
):
    electorate_of(world, 3)
    ballot = time_is_up(open_ballot(world))
    services.ballot_close(ballot=ballot, actor=world.secretary)
    assert not Ballot.objects.get(pk=ballot.pk).record_pdf

    with django_capture_on_commit_callbacks(execute=True):
        assert ballots_close_task() == 0
    assert Ballot.objects.get(pk=ballot.pk).record_pdf


def test_a_broker_outage_only_delays_the_record(
    world, monkeypatch, django_capture_on_commit_callbacks, eager
):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    electorate_of(world, 3)
    ballot = time_is_up(open_ballot(world))
    monkeypatch.setattr(records.ballot_record_render, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        assert ballots_close_task() == 1  # closed all the same
    ballot.refresh_from_db()
    assert ballot.status == Status.CLOSED and not ballot.record_pdf

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        ballots_close_task()
    ballot.refresh_from_db()
    assert ballot.record_pdf


@pytest.mark.parametrize("status", [Status.DRAFT, Status.OPEN])
def test_no_record_before_closing(world, status):
    electorate_of(world, 3)
    ballot = open_ballot(world)
    Ballot.objects.filter(pk=ballot.pk).update(status=status)
    assert records.ballot_record_render(ballot.pk) is False
    assert records.records_missing() == []
