"""Writes to meetings and attendance. Keyword-only, `actor=` first; the views check the scope."""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.models import User

from . import checkin, notify, selectors
from .attachments import attachment_name, attachment_type
from .models import Attendance, Meeting, MeetingAttachment

MEETING_FIELDS = (
    "kind", "title", "agenda", "starts_at", "ends_at", "mode", "chat_group", "video_url", "address",
)
# A change to any of these is news for the invitees.
NEWS_FIELDS = ("starts_at", "ends_at", "mode", "chat_group", "video_url", "address", "title")
ONLINE_MODES = (Meeting.Mode.PORTAL, Meeting.Mode.CHAT_GROUP, Meeting.Mode.VIDEO, Meeting.Mode.HYBRID)
CODE_MODES = (Meeting.Mode.IN_PERSON, Meeting.Mode.HYBRID)


def when_text(meeting: Meeting) -> str:
    """The start in Asia/Shanghai, with the zone said, for messages read anywhere."""
    start = timezone.localtime(meeting.starts_at, timezone.get_default_timezone())
    return _("%(when)s (Beijing time)") % {"when": date_format(start, "Y-m-d H:i")}


def _validate_mode(meeting: Meeting) -> None:
    needs = {
        Meeting.Mode.CHAT_GROUP: ("chat_group", _("Give the chat group number or link.")),
        Meeting.Mode.VIDEO: ("video_url", _("Give the video link.")),
        Meeting.Mode.IN_PERSON: ("address", _("Give the address.")),
        Meeting.Mode.HYBRID: ("address", _("Give the address.")),
    }
    if meeting.mode in needs:
        field, message = needs[meeting.mode]
        if not getattr(meeting, field):
            raise ValidationError({field: message})


def _save(meeting: Meeting) -> None:
    meeting.full_clean(exclude=["created_by", "organization"])
    if meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    _validate_mode(meeting)
    meeting.save()


def _invite(meeting: Meeting, organizations) -> list[int]:
    """Invited branches (always the organizer's), and one attendance row per invited member.

    Returns the members newly invited. Rows of members no longer invited stay: they may have replied.
    """
    meeting.invited_organizations.set({meeting.organization, *organizations})
    have = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    new = [pk for pk in selectors.invitees(meeting).values_list("pk", flat=True) if pk not in have]
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member_id=pk) for pk in new])
    return new


def _notify(meeting: Meeting, *, kind: str, title: str, body: str, urgent: bool = False,
            recipients=None) -> None:
    notify.send(
        recipients=selectors.invitee_accounts(meeting) if recipients is None else recipients,
        kind=kind, title=title, body=body, url=reverse("meetings:detail", args=[meeting.pk]), urgent=urgent,
    )


def _notify_scheduled(meeting: Meeting, *, recipients=None) -> None:
    _notify(
        meeting, kind="meeting_scheduled", title=_("Meeting: %(title)s") % {"title": meeting.title},
        body=_("%(kind)s on %(when)s.") % {"kind": meeting.get_kind_display(), "when": when_text(meeting)},
        recipients=recipients,
    )


@transaction.atomic
def meeting_schedule(*, actor, organization, invited_organizations=(), **fields) -> Meeting:
    values = {name: fields.get(name, "") for name in MEETING_FIELDS}
    meeting = Meeting(organization=organization, created_by=actor, **values)
    _save(meeting)
    _invite(meeting, invited_organizations)
    _notify_scheduled(meeting)
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, invited_organizations=None, **fields) -> Meeting:
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled."))
    before = {name: getattr(meeting, name) for name in NEWS_FIELDS}
    for name, value in fields.items():
        if name not in MEETING_FIELDS:
            raise TypeError(name)
        setattr(meeting, name, value)
    if meeting.starts_at != before["starts_at"]:
        # a new time means new reminders
        meeting.reminder_24h_sent_at = meeting.reminder_1h_sent_at = None
    _save(meeting)
    if invited_organizations is not None:
        new = _invite(meeting, invited_organizations)
        if new:  # members of a branch added to the meeting hear of it as a new meeting
            _notify_scheduled(meeting, recipients=User.objects.filter(member__in=new))
    if any(getattr(meeting, name) != value for name, value in before.items()):
        _notify(
            meeting, kind="meeting_changed", title=_("Meeting changed: %(title)s") % {"title": meeting.title},
            body=_("Now on %(when)s, %(mode)s. See the meeting page for the details.")
            % {"when": when_text(meeting), "mode": meeting.get_mode_display()},
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    if meeting.is_cancelled:
        return meeting
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.full_clean(exclude=["created_by", "organization"])
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("Say why the meeting is cancelled.")})
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    _notify(
        meeting, kind="meeting_cancelled", urgent=True,
        title=_("Meeting cancelled: %(title)s") % {"title": meeting.title},
        body=_("The meeting on %(when)s is cancelled: %(reason)s")
        % {"when": when_text(meeting), "reason": reason},
    )
    return meeting


def _attendance(meeting: Meeting, member) -> Attendance:
    attendance = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if attendance is None:
        raise ValidationError(_("You are not invited to this meeting."))
    return attendance


@transaction.atomic
def attendance_reply(*, actor, meeting: Meeting, member, reply: str, leave_reason: str = "") -> Attendance:
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled."))
    if timezone.now() > meeting.ends_at:
        raise ValidationError(_("This meeting is over."))
    attendance = _attendance(meeting, member)
    attendance.reply = reply
    attendance.leave_reason = leave_reason.strip() if reply == Attendance.Reply.LEAVE else ""
    if reply == Attendance.Reply.LEAVE and not attendance.leave_reason:
        raise ValidationError({"leave_reason": _("Give a reason for your leave.")})
    attendance.replied_at = timezone.now()
    attendance.full_clean(exclude=["meeting", "member"])
    attendance.save()
    return attendance


@transaction.atomic
def attendance_check_in(*, actor, meeting: Meeting, member, code: str = "", now=None) -> Attendance:
    """Check in online (portal, chat, video, hybrid) or with the code on the officer's screen.

    Open from 15 minutes before the start until the end. Earns the meeting's points.
    """
    now = now or timezone.now()
    if not checkin.window_is_open(meeting, now):
        raise ValidationError(_("Check-in is open from 15 minutes before the start until the end."))
    attendance = _attendance(meeting, member)
    if attendance.checked_in_at is not None:
        return attendance
    if code:
        if meeting.mode not in CODE_MODES or not checkin.code_is_valid(meeting, code, now):
            raise ValidationError({"code": _("That code is not right. Type the code shown now.")})
        method = Attendance.CheckIn.CODE
    elif meeting.mode in ONLINE_MODES:
        method = Attendance.CheckIn.ONLINE
    else:
        raise ValidationError({"code": _("Type the code shown at the meeting.")})
    attendance.checked_in_at = now
    attendance.checkin_method = method
    attendance.save(update_fields=["checked_in_at", "checkin_method"])
    _award_points(attendance)
    return attendance


def _award_points(attendance: Attendance) -> None:
    when = attendance.checked_in_at
    notify.award(member=attendance.member, code="meeting_attended", source=attendance, when=when)
    if when <= attendance.meeting.starts_at:
        notify.award(member=attendance.member, code="checkin_on_time", source=attendance, when=when)


@transaction.atomic
def attendance_correct(*, actor, attendance: Attendance, attended: bool, reason: str) -> Attendance:
    """An officer marks a member present or absent, saying why."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you correct the attendance.")})
    attendance = (
        Attendance.objects.select_for_update().select_related("meeting", "member").get(pk=attendance.pk)
    )
    was_present = attendance.checked_in_at is not None
    if attended and not was_present:
        attendance.checked_in_at = timezone.now()
        attendance.checkin_method = Attendance.CheckIn.OFFICER
    elif not attended:
        attendance.checked_in_at = None
        attendance.checkin_method = ""
    attendance.corrected_by = actor
    attendance.correction_reason = reason.strip()
    attendance.full_clean(exclude=["meeting", "member"])
    attendance.save()
    if attended and not was_present:
        when = attendance.checked_in_at
        notify.award(member=attendance.member, code="meeting_attended", source=attendance, when=when)
    return attendance


@transaction.atomic
def minutes_save(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    meeting.minutes = minutes
    meeting.minutes_updated_at = timezone.now()
    meeting.minutes_updated_by = actor
    meeting.save(update_fields=["minutes", "minutes_updated_at", "minutes_updated_by", "updated_at"])
    return meeting


@transaction.atomic
def attachment_add(*, actor, meeting: Meeting, file, name: str = "") -> MeetingAttachment:
    """Keep a document or image with the minutes; its type is read from its content (attachments.py)."""
    try:
        kind = attachment_type(file)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from None
    name = attachment_name(name or file.name, kind)
    stored = File(file, name=f"attachment.{kind}")  # the stored name says what the content is
    attachment = MeetingAttachment(meeting=meeting, file=stored, name=name, uploaded_by=actor)
    attachment.full_clean(exclude=["uploaded_by"])
    attachment.save()
    return attachment
