"""Meeting pages: the member's list and meeting page, and the officers' schedule, sheet, code and minutes."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ebranch.lib.forms import add_service_errors
from members.decorators import verified_member_required

from . import checkin, selectors, services
from .forms import (
    AttachmentForm,
    CancelForm,
    CodeForm,
    CorrectionForm,
    MeetingForm,
    MinutesForm,
    ReplyForm,
)
from .models import Attendance, MeetingAttachment
from .permissions import can_run, schedulable_organizations

PAGE_SIZE = 20


def member_or_officer_required(view):
    """Verified members, and officers (a liaison officer may have no member record of their own)."""
    verified = verified_member_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and request.scope.is_officer:
            return view(request, *args, **kwargs)
        return verified(request, *args, **kwargs)

    return wrapper


def _meeting_to_run(request, pk):
    """A meeting the user may run (schedule, edit, take attendance); 404 for anyone else."""
    meeting = selectors.meeting_or_404(request.scope, pk)
    if not can_run(request.scope, meeting.organization):
        raise Http404
    return meeting


def _my_attendance(request, meeting):
    member = request.scope.member
    if member is None:
        return None
    return Attendance.objects.filter(meeting=meeting, member=member).first()


@member_or_officer_required
def meeting_list(request):
    page = Paginator(selectors.meetings_for_list(request.scope), PAGE_SIZE).get_page(request.GET.get("page"))
    for meeting in page.object_list:
        meeting.my_attendance = meeting.mine[0] if meeting.mine else None
    return render(request, "meetings/list.html", {
        "page": page,
        "now": timezone.now(),
        "can_schedule": request.scope.is_officer and schedulable_organizations(request.scope).exists(),
    })


@member_or_officer_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_or_404(request.scope, pk)
    mine = _my_attendance(request, meeting)
    now = timezone.now()
    reply_initial = {"reply": mine.reply or "attending", "leave_reason": mine.leave_reason} if mine else {}
    return render(request, "meetings/detail.html", {
        "meeting": meeting,
        "invited": list(meeting.invited_organizations.all()),
        "mine": mine,
        "counts": selectors.attendance_counts(meeting),
        "attachments": list(meeting.attachments.all()),
        "can_run": can_run(request.scope, meeting.organization),
        "window_open": checkin.window_is_open(meeting, now),
        "window_opens_at": checkin.window_opens_at(meeting),
        "is_over": now > meeting.ends_at,
        "online": meeting.mode in services.ONLINE_MODES,
        "with_code": meeting.mode in services.CODE_MODES,
        "reply_form": ReplyForm(initial=reply_initial),
        "code_form": CodeForm(),
    })


@login_required
def meeting_schedule(request):
    organizations = schedulable_organizations(request.scope).order_by("path")
    if not organizations.exists():
        raise Http404
    form = MeetingForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            meeting = services.meeting_schedule(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is scheduled and the members are told."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request, pk):
    meeting = _meeting_to_run(request, pk)
    if meeting.is_cancelled:
        raise Http404
    organizations = schedulable_organizations(request.scope).order_by("path")
    form = MeetingForm(request.POST or None, instance=meeting, organizations=organizations, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is changed and the members are told."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_cancel(request, pk):
    meeting = _meeting_to_run(request, pk)
    if meeting.is_cancelled:
        return redirect("meetings:detail", meeting.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        messages.success(request, _("The meeting is cancelled and the members are told."))
        return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/cancel.html", {"form": form, "meeting": meeting})


def _invited_member_or_404(request, meeting):
    mine = _my_attendance(request, meeting)
    if mine is None:
        raise Http404
    return mine


@require_POST
@verified_member_required
def attendance_reply(request, pk):
    meeting = selectors.meeting_or_404(request.scope, pk)
    _invited_member_or_404(request, meeting)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_reply(actor=request.user, meeting=meeting, member=request.scope.member,
                                      **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your reply is saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("meetings:detail", meeting.pk)


@require_POST
@verified_member_required
def attendance_check_in(request, pk):
    meeting = selectors.meeting_or_404(request.scope, pk)
    _invited_member_or_404(request, meeting)
    try:
        services.attendance_check_in(
            actor=request.user, meeting=meeting, member=request.scope.member,
            code=request.POST.get("code", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are checked in."))
    return redirect("meetings:detail", meeting.pk)


@login_required
def attendance_sheet(request, pk):
    meeting = _meeting_to_run(request, pk)
    return render(request, "meetings/sheet.html", {
        "meeting": meeting,
        "rows": list(selectors.attendance_sheet(meeting)),
        "counts": selectors.attendance_counts(meeting),
    })


@require_POST
@login_required
def attendance_correct(request, pk, attendance_pk):
    meeting = _meeting_to_run(request, pk)
    attendance = get_object_or_404(Attendance, meeting=meeting, pk=attendance_pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        services.attendance_correct(actor=request.user, attendance=attendance, **form.cleaned_data)
        messages.success(request, _("Attendance corrected."))
    else:
        messages.error(request, _("Choose present or absent and give a reason."))
    return redirect("meetings:sheet", meeting.pk)


@login_required
def checkin_code(request, pk):
    meeting = _meeting_to_run(request, pk)
    now = timezone.now()
    return render(request, "meetings/code.html", {
        "meeting": meeting,
        "code": checkin.code_at(meeting, now) if checkin.window_is_open(meeting, now) else None,
        "refresh": checkin.seconds_to_next_minute(now),
        "window_opens_at": checkin.window_opens_at(meeting),
    })


@login_required
def minutes_edit(request, pk):
    meeting = _meeting_to_run(request, pk)
    minutes_form = MinutesForm(initial={"minutes": meeting.minutes})
    attachment_form = AttachmentForm()
    if request.method == "POST" and "file" in request.FILES:
        attachment_form = AttachmentForm(request.POST, request.FILES)
        if attachment_form.is_valid():
            try:
                file = attachment_form.cleaned_data["file"]
                services.attachment_add(actor=request.user, meeting=meeting, file=file)
            except ValidationError as error:
                add_service_errors(attachment_form, error)
            else:
                messages.success(request, _("File attached."))
                return redirect("meetings:minutes", meeting.pk)
    elif request.method == "POST":
        minutes_form = MinutesForm(request.POST)
        if minutes_form.is_valid():
            minutes = minutes_form.cleaned_data["minutes"]
            services.minutes_save(actor=request.user, meeting=meeting, minutes=minutes)
            messages.success(request, _("Minutes saved."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/minutes.html", {
        "meeting": meeting, "minutes_form": minutes_form, "attachment_form": attachment_form,
        "attachments": list(meeting.attachments.all()),
    })


@member_or_officer_required
def attachment_download(request, pk, attachment_pk):
    meeting = selectors.meeting_or_404(request.scope, pk)
    attachment = get_object_or_404(MeetingAttachment, meeting=meeting, pk=attachment_pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
