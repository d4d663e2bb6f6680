import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from members.models import Member, private_storage


class MeetingKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("branch general meeting")
    COMMITTEE_MEETING = "committee_meeting", _("branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme Party Day")
    LIFE_MEETING = "life_meeting", _("organizational-life meeting")
    DEMOCRATIC_APPRAISAL = "democratic_appraisal", _("democratic appraisal")


class Meeting(models.Model):
    """A meeting of one branch, or a joint meeting of several, held online, in person or both."""

    class Mode(models.TextChoices):
        PORTAL = "portal", _("on the portal")
        CHAT_GROUP = "chat_group", _("in a chat group")
        VIDEO = "video", _("by video link")
        IN_PERSON = "in_person", _("in person")
        HYBRID = "hybrid", _("in person and online")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organizing branch")
    )
    invited_organizations = models.ManyToManyField(
        Organization, related_name="invited_meetings", verbose_name=_("invited branches"),
        help_text=_("The organizing branch and, for a joint meeting, the others."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=120)
    agenda = models.TextField(_("agenda"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("how it is held"), max_length=12, choices=Mode.choices)
    chat_group = models.CharField(_("chat group number or link"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheduled by")
    )
    checkin_secret = models.CharField(max_length=64, default=secrets.token_hex, editable=False)
    reminder_24h_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_1h_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_updated_at = models.DateTimeField(_("minutes updated at"), null=True, blank=True)
    minutes_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("minutes updated by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["organization", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class MeetingAttachment(models.Model):
    """A file kept with the minutes; private, served by a view that checks the scope."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, upload_to="meeting-files/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("minutes attachment")
        verbose_name_plural = _("minutes attachments")

    def __str__(self):
        return self.name


class Attendance(models.Model):
    """One member's reply to, and attendance at, one meeting."""

    class Reply(models.TextChoices):
        ATTENDING = "attending", _("attending")
        LEAVE = "leave", _("on leave")

    class CheckIn(models.TextChoices):
        ONLINE = "online", _("online")
        CODE = "code", _("with the meeting code")
        OFFICER = "officer", _("recorded by an officer")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendances")
    reply = models.CharField(_("reply"), max_length=10, choices=Reply.choices, blank=True)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checkin_method = models.CharField(_("checked in"), max_length=10, choices=CheckIn.choices, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("corrected by"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "member"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member"),
            models.CheckConstraint(
                condition=~Q(reply="leave") | ~Q(leave_reason=""), name="attendance_leave_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.meeting}"

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None


class MeetingRequirement(models.Model):
    """How many meetings of a kind a branch must hold in a year (DOMAIN.md defaults, configurable).

    A row with no organization is the default; a row for an organization overrides it for its subtree.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="meeting_requirements",
        verbose_name=_("organization"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Empty: every year.")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    per_year = models.PositiveSmallIntegerField(_("meetings required a year"))

    class Meta:
        verbose_name = _("meeting requirement")
        verbose_name_plural = _("meeting requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "kind"], name="requirement_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.per_year}"
