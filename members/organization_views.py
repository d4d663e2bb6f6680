"""Organization pages: a branch's page, the officers' roster and their list of organizations."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from branches import selectors as tree

from . import selectors

ROSTER_PAGE_SIZE = 25


@login_required
def organization_list(request):
    scope = request.scope
    if not scope.is_officer:
        raise Http404
    organizations = list(selectors.organizations_with_counts(scope.roster_organizations()))
    top = min((org.depth for org in organizations), default=1)
    for org in organizations:
        org.indent = org.depth - top
    return render(request, "branches/organization_list.html", {"organizations": organizations})


@login_required
def organization_detail(request, pk):
    scope = request.scope
    org = scope.organization_or_404(pk)
    context = {
        "organization": org,
        "ancestors": tree.organization_ancestors(org),
        "officers": selectors.organization_officers(org),
        "counts": selectors.organization_member_counts(org),
        "work_places": org.work_places.all(),
        "home_townships": org.home_townships.all(),
        "children": tree.organization_children(org),
        "can_read_roster": scope.can_read_roster(org),
        "can_manage": scope.can_manage(org),
    }
    return render(request, "branches/organization_detail.html", context)


@login_required
def roster(request, pk):
    scope = request.scope
    org = scope.organization_or_404(pk, need="roster")
    query = request.GET.get("q", "").strip()[:50]
    members = selectors.roster_members(scope, org, query=query)
    page = Paginator(members, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organization": org,
        "page": page,
        "query": query,
        "can_manage": scope.can_manage(org),
        "show_organization": org.numchild > 0,
    }
    return render(request, "branches/roster.html", context)
