"""`verified_member_required`: the one check that member features use."""

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse

from members.decorators import verified_member_required
from members.models import User
from tests import factories


@verified_member_required
def feature(request):
    return HttpResponse(f"member feature for {request.scope.member.name}")


urlpatterns = [
    path("feature/", feature, name="feature"),
    path("", include("ebranch.urls")),
]
pytestmark = pytest.mark.urls(__name__)


def test_anonymous_visitors_go_to_the_login_page(client, db):
    response = client.get("/feature/?x=1")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/feature/%3Fx%3D1"


def test_unverified_accounts_go_to_the_verification_page_with_a_message(en, db):
    en.force_login(User.objects.create_user("new@example.com", factories.TEST_PASSWORD))
    response = en.get("/feature/")
    assert response.status_code == 302 and response["Location"] == reverse("verification:status")
    html = en.get(response["Location"]).content.decode()
    assert "Verify your identity first" in html


def test_officers_without_a_member_record_are_not_members(client, world):
    client.force_login(world.county_officer)
    assert client.get("/feature/")["Location"] == reverse("verification:status")


@pytest.mark.parametrize("persona", ["member", "secretary"])
def test_verified_members_get_in(client, world, persona, django_assert_num_queries):
    client.force_login(getattr(world, persona))
    # user (session is cached), positions (officer security middleware), member
    with django_assert_num_queries(3):
        response = client.get("/feature/")
    assert response.status_code == 200
    assert response.content.decode().startswith("member feature for ")
