"""The member's own pages: the home page and the profile."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from branches.selectors import organization_parent

from .selectors import organization_officers, transferred_out


@login_required
def home(request):
    scope = request.scope
    member = scope.member
    branch = member.organization if member else None
    context = {
        "member": member,
        "branch": branch,
        "parent": organization_parent(branch) if branch else None,
        "officers": organization_officers(branch) if branch else [],
        "positions": scope.positions,
        "left": None if member or scope.positions else transferred_out(request.user),
    }
    return render(request, "members/home.html", context)


@login_required
def profile(request):
    context = {"member": request.scope.member, "account": request.user}
    return render(request, "members/profile.html", context)
