"""The points pages: my points (total and ledger) and my branch's ranking, for information only."""

from django.core.paginator import Paginator
from django.shortcuts import render

from members.decorators import verified_member_required

from .selectors import branch_ranking, member_point_entries, member_points_total

PAGE_SIZE = 25
RANKING_PAGE_SIZE = 50


@verified_member_required
def my_points(request):
    member = request.scope.member
    page = Paginator(member_point_entries(member), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/points/mine.html", {"total": member_points_total(member), "page": page})


@verified_member_required
def ranking(request):
    branch = request.scope.member.organization
    page = Paginator(branch_ranking(branch), RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/points/ranking.html", {"branch": branch, "page": page})
