"""Compliance pages: a branch's year, the county overview, and members' attendance history."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from members.decorators import verified_member_required

from .compliance import branch_compliance, county_compliance, member_attendance_history

HISTORY_PAGE_SIZE = 25
YEARS_SHOWN = 5


def _year(request) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if this_year - YEARS_SHOWN < year <= this_year else this_year


def _years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - YEARS_SHOWN, -1))


@login_required
def branch(request, pk):
    # The branch's officers and liaison officers, and those above it: who may read its roster.
    org = request.scope.organization_or_404(pk, need="roster")
    year = _year(request)
    return render(
        request, "meetings/compliance/branch.html",
        {"organization": org, "year": year, "years": _years(), "report": branch_compliance(org, year)},
    )


@login_required
def county(request):
    if not request.scope.is_overseer:
        raise Http404
    year = _year(request)
    reports = county_compliance(request.scope.roster_organizations(), year)
    return render(
        request, "meetings/compliance/county.html",
        {"year": year, "years": _years(), "reports": reports, "behind": sum(r.is_behind for r in reports)},
    )


@verified_member_required
def my_attendance(request):
    return _history(request, request.scope.member, mine=True)


@login_required
def member_attendance(request, pk):
    return _history(request, request.scope.member_or_404(pk), mine=False)


def _history(request, member, *, mine):
    page = Paginator(member_attendance_history(member), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "meetings/compliance/attendance.html", {"member": member, "page": page, "mine": mine}
    )
