"""Periodic tasks: the ID-photo purge."""

import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from members import verification as svc
from members.models import User, VerificationClaim
from members.photos import photo_clean
from members.tasks import id_photos_purge
from tests import factories

Status = VerificationClaim.Status


def claim_with_photos(world, n: int, *, status=Status.REJECTED, decided_days_ago: int | None = None):
    user = User.objects.create_user(f"claimant{n}@example.com", factories.TEST_PASSWORD)
    claim = svc.claim_submit(
        actor=user, name="林小梅", id_number=factories.id_number(9200 + n),
        front_photo=photo_clean(factories.id_photo()), back_photo=photo_clean(factories.id_photo()),
    )
    if status == Status.REJECTED:
        claim = svc.claim_reject(claim=claim, actor=world.county_officer, reason="No.")
    elif status == Status.MORE_INFO:
        claim = svc.claim_request_more(claim=claim, actor=world.county_officer, reason="More?")
    if decided_days_ago is not None:
        when = timezone.now() - datetime.timedelta(days=decided_days_ago, minutes=1)
        VerificationClaim.objects.filter(pk=claim.pk).update(decided_at=when, submitted_at=when)
    claim.refresh_from_db()
    return claim


def files_of(claim, root) -> list:
    return [root / claim.front_photo.name, root / claim.back_photo.name]


RETENTION = settings.ID_PHOTO_RETENTION_DAYS


def test_photos_are_deleted_after_the_retention_period(world, private_media):
    old = claim_with_photos(world, 1, decided_days_ago=RETENTION)
    recent = claim_with_photos(world, 2, decided_days_ago=RETENTION - 1)
    old_files, recent_files = files_of(old, private_media), files_of(recent, private_media)
    assert all(f.exists() for f in old_files + recent_files)

    assert id_photos_purge() == 1

    assert not any(f.exists() for f in old_files)
    assert all(f.exists() for f in recent_files)
    old.refresh_from_db()
    assert old.photos_deleted_at is not None and not old.front_photo and not old.back_photo
    recent.refresh_from_db()
    assert recent.photos_deleted_at is None


def test_the_purge_is_idempotent(world, private_media):
    claim = claim_with_photos(world, 1, decided_days_ago=RETENTION + 5)
    assert id_photos_purge() == 1
    claim.refresh_from_db()
    first = claim.photos_deleted_at
    assert id_photos_purge() == 0
    claim.refresh_from_db()
    assert claim.photos_deleted_at == first
    assert not any(private_media.rglob("*.jpg"))


def test_a_claim_is_purged_once_even_when_two_workers_race(world):
    claim = claim_with_photos(world, 1, decided_days_ago=RETENTION + 1)
    now = timezone.now()
    assert svc.claim_photos_purge(claim_id=claim.pk, now=now) is True
    assert svc.claim_photos_purge(claim_id=claim.pk, now=now) is False


@pytest.mark.parametrize("status", [Status.PENDING, Status.MORE_INFO, Status.CONFLICT])
def test_open_claims_keep_their_photos(world, private_media, status):
    if status == Status.CONFLICT:
        held = world.member.member
        claim = svc.claim_submit(
            actor=factories.user(), name=held.name, id_number=held.id_number,
            front_photo=photo_clean(factories.id_photo()), back_photo=photo_clean(factories.id_photo()),
        )
        when = timezone.now() - datetime.timedelta(days=RETENTION * 3)
        VerificationClaim.objects.filter(pk=claim.pk).update(submitted_at=when)
    else:
        claim = claim_with_photos(world, 1, status=status, decided_days_ago=RETENTION * 3)
    assert id_photos_purge() == 0
    assert all(f.exists() for f in files_of(claim, private_media))


def test_the_retention_is_configurable(world, settings):
    settings.ID_PHOTO_RETENTION_DAYS = 7
    claim = claim_with_photos(world, 1, decided_days_ago=7)
    assert id_photos_purge() == 1
    claim.refresh_from_db()
    assert claim.photos_deleted_at is not None


def test_a_failed_deletion_leaves_the_claim_for_the_next_run(world, private_media):
    claim = claim_with_photos(world, 1, decided_days_ago=RETENTION + 1)
    storage = claim.front_photo.storage.__class__
    with mock.patch.object(storage, "delete", side_effect=OSError("disk")), pytest.raises(OSError):
        id_photos_purge()
    claim.refresh_from_db()
    assert claim.photos_deleted_at is None and claim.front_photo
    assert id_photos_purge() == 1
    assert not any(private_media.rglob("*.jpg"))


def test_the_purge_is_in_the_beat_schedule():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert id_photos_purge.name in scheduled
