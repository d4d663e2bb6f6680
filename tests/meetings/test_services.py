import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import checkin
from meetings.models import Attendance
from meetings.selectors import attendance_counts, is_quorate
from meetings.services import (
    attachment_add,
    attendance_check_in,
    attendance_correct,
    attendance_reply,
    meeting_cancel,
    meeting_update,
    minutes_save,
)
from members.notifications.models import Notification
from members.points.models import PointEntry
from tests import factories
from tests.meetings import attachment_files as files
from tests.meetings.scheduling import schedule


def notified(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_scheduling_invites_the_branch_members_and_tells_them(world):
    meeting = schedule(world)
    assert set(meeting.invited_organizations.all()) == {world.branch}
    invited = set(Attendance.objects.filter(meeting=meeting).values_list("member__name", flat=True))
    assert invited == {"张三", "李书记"}
    assert notified("meeting_scheduled") == ["member@example.com", "secretary@example.com"]
    assert not Notification.objects.get(recipient=world.member).urgent


def test_joint_meeting_invites_every_branch(world):
    meeting = schedule(world, invited_organizations=[world.other_branch])
    assert set(meeting.invited_organizations.all()) == {world.branch, world.other_branch}
    assert Attendance.objects.filter(meeting=meeting).count() == 4
    assert "other-member@example.com" in notified("meeting_scheduled")


@pytest.mark.parametrize(("mode", "field"), [
    ("video", "video_url"), ("chat_group", "chat_group"), ("in_person", "address"), ("hybrid", "address"),
])
def test_each_mode_needs_its_way_to_join(world, mode, field):
    with pytest.raises(ValidationError) as error:
        schedule(world, mode=mode)
    assert field in error.value.error_dict


def test_meeting_must_end_after_it_starts(world):
    with pytest.raises(ValidationError):
        schedule(world, minutes=0)


def test_a_change_of_time_tells_the_members_and_resets_the_reminders(world):
    meeting = schedule(world, starts_in=datetime.timedelta(hours=5))
    meeting.reminder_24h_sent_at = timezone.now()
    meeting.save()
    start = meeting.starts_at + datetime.timedelta(days=1)
    end = start + datetime.timedelta(hours=1)
    meeting_update(actor=world.liaison, meeting=meeting, starts_at=start, ends_at=end)
    meeting.refresh_from_db()
    assert meeting.reminder_24h_sent_at is None
    assert notified("meeting_changed") == ["member@example.com", "secretary@example.com"]


def test_a_change_of_agenda_alone_is_not_news(world):
    meeting = schedule(world)
    meeting_update(actor=world.liaison, meeting=meeting, agenda="学习党章")
    assert notified("meeting_changed") == []


def test_a_change_of_place_is_news(world):
    meeting = schedule(world, mode="in_person", address="厦门")
    meeting_update(actor=world.liaison, meeting=meeting, address="深圳")
    assert len(notified("meeting_changed")) == 2


def test_cancelling_is_urgent(world):
    meeting = schedule(world)
    meeting_cancel(actor=world.liaison, meeting=meeting, reason="台风")
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == "台风"
    rows = Notification.objects.filter(kind="meeting_cancelled")
    assert rows.count() == 2 and all(row.urgent for row in rows)
    with pytest.raises(ValidationError):
        meeting_update(actor=world.liaison, meeting=meeting, title="x")


def test_leave_needs_a_reason(world):
    meeting = schedule(world)
    member = world.member.member
    with pytest.raises(ValidationError):
        attendance_reply(actor=world.member, meeting=meeting, member=member, reply="leave")
    attendance_reply(actor=world.member, meeting=meeting, member=member, reply="leave", leave_reason="出差")
    row = Attendance.objects.get(meeting=meeting, member=member)
    assert (row.reply, row.leave_reason) == ("leave", "出差")


def test_an_outsider_cannot_reply(world):
    meeting = schedule(world)
    with pytest.raises(ValidationError):
        attendance_reply(
            actor=world.other_member, meeting=meeting, member=world.other_member.member, reply="attending"
        )


def points(member):
    return sorted(PointEntry.objects.filter(member=member).values_list("rule__code", flat=True))


def test_online_check_in_before_the_start_earns_both_points(world):
    meeting = schedule(world)
    member = world.member.member
    now = meeting.starts_at - datetime.timedelta(minutes=5)
    row = attendance_check_in(actor=world.member, meeting=meeting, member=member, now=now)
    assert (row.checked_in_at, row.checkin_method) == (now, "online")
    assert points(member) == ["checkin_on_time", "meeting_attended"]
    # checking in again changes nothing and pays nothing more
    later = now + datetime.timedelta(minutes=1)
    attendance_check_in(actor=world.member, meeting=meeting, member=member, now=later)
    assert Attendance.objects.get(pk=row.pk).checked_in_at == now
    assert points(member) == ["checkin_on_time", "meeting_attended"]


def test_late_check_in_earns_attendance_only(world):
    meeting = schedule(world)
    member = world.member.member
    late = meeting.starts_at + datetime.timedelta(minutes=5)
    attendance_check_in(actor=world.member, meeting=meeting, member=member, now=late)
    assert points(member) == ["meeting_attended"]


@pytest.mark.parametrize("offset", [datetime.timedelta(minutes=-16), datetime.timedelta(minutes=61)])
def test_no_check_in_outside_the_window(world, offset):
    meeting = schedule(world)
    with pytest.raises(ValidationError):
        attendance_check_in(
            actor=world.member, meeting=meeting, member=world.member.member, now=meeting.starts_at + offset
        )
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()


def test_in_person_check_in_needs_the_current_code(world):
    meeting = schedule(world, mode="in_person", address="厦门市思明区")
    member = world.member.member
    now = meeting.starts_at
    with pytest.raises(ValidationError):
        attendance_check_in(actor=world.member, meeting=meeting, member=member, now=now)
    stale = checkin.code_at(meeting, now - datetime.timedelta(minutes=2))
    with pytest.raises(ValidationError):
        attendance_check_in(actor=world.member, meeting=meeting, member=member, code=stale, now=now)
    row = attendance_check_in(
        actor=world.member, meeting=meeting, member=member, code=checkin.code_at(meeting, now), now=now
    )
    assert row.checkin_method == "code"


def test_an_online_meeting_takes_no_code(world):
    meeting = schedule(world)
    with pytest.raises(ValidationError):
        attendance_check_in(
            actor=world.member, meeting=meeting, member=world.member.member,
            code=checkin.code_at(meeting, meeting.starts_at), now=meeting.starts_at,
        )


def test_officer_corrects_attendance_with_a_reason(world):
    meeting = schedule(world)
    row = Attendance.objects.get(meeting=meeting, member=world.member.member)
    with pytest.raises(ValidationError):
        attendance_correct(actor=world.liaison, attendance=row, attended=True, reason=" ")
    row = attendance_correct(actor=world.liaison, attendance=row, attended=True, reason="线下签到表")
    assert (row.checkin_method, row.corrected_by) == ("officer", world.liaison)
    assert row.correction_reason == "线下签到表"
    assert points(world.member.member) == ["meeting_attended"]
    row = attendance_correct(actor=world.liaison, attendance=row, attended=False, reason="误签")
    assert row.checked_in_at is None and row.checkin_method == ""


def test_quorum_needs_more_than_half_of_the_entitled(world):
    assert not is_quorate(attended=2, entitled=4)  # exactly half
    assert is_quorate(attended=3, entitled=4)
    assert not is_quorate(attended=0, entitled=0)


def test_members_on_leave_still_count_as_entitled(world):
    for n in range(2):
        factories.member(organization=world.branch, name=f"党员{n}")
    meeting = schedule(world)  # four invited
    rows = list(Attendance.objects.filter(meeting=meeting).order_by("pk"))
    attendance_reply(actor=None, meeting=meeting, member=rows[0].member, reply="leave", leave_reason="病假")
    for row in rows[1:3]:
        attendance_correct(actor=world.liaison, attendance=row, attended=True, reason="到会")
    counts = attendance_counts(meeting)
    assert counts == {"entitled": 4, "attended": 2, "on_leave": 1, "guests": 0, "quorate": False}
    attendance_correct(actor=world.liaison, attendance=rows[3], attended=True, reason="到会")
    assert attendance_counts(meeting)["quorate"]


def test_minutes_and_attachments(world, private_media):
    meeting = schedule(world)
    minutes_save(actor=world.liaison, meeting=meeting, minutes="一、学习")
    upload = files.upload("签到表.pdf", files.pdf())
    attachment = attachment_add(actor=world.liaison, meeting=meeting, file=upload)
    meeting.refresh_from_db()
    assert meeting.minutes == "一、学习" and meeting.minutes_updated_by == world.liaison
    assert attachment.name == "签到表.pdf"
    assert str(private_media) in attachment.file.path


def test_a_branch_added_later_hears_of_the_meeting(world):
    meeting = schedule(world)
    meeting_update(actor=world.county_officer, meeting=meeting, invited_organizations=[world.other_branch])
    assert Attendance.objects.filter(meeting=meeting).count() == 4
    assert notified("meeting_scheduled") == [
        "member@example.com", "other-member@example.com", "other-secretary@example.com",
        "secretary@example.com",
    ]
