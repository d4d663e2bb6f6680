from django.urls import reverse

from members.points.services import points_award
from tests import factories


def _award_many(member, n):
    """n meetings' worth of points; organizations are handy sources."""
    root = factories.organization(name=f"sources {member.pk}", code=f"SRC{member.pk}")
    for i in range(n):
        source = factories.organization(parent=root, name=f"source {i}", code=f"SRC{member.pk}-{i}")
        points_award(member=member, code="meeting_attended", source=source)


def test_my_points(en, world, django_assert_num_queries):
    _award_many(world.member.member, 30)
    en.force_login(world.member)
    # user, positions, member, total, count, entries with rules, unread notifications
    with django_assert_num_queries(7):
        page = en.get(reverse("points:mine"))
    assert page.status_code == 200
    assert "60 points in total" in page.text
    assert page.text.count("Meeting attended") == 25
    assert "Page 1 of 2" in page.text


def test_ranking_says_information_only(en, world, django_assert_num_queries):
    _award_many(world.secretary.member, 2)
    _award_many(world.other_member.member, 3)
    en.force_login(world.member)
    # user, positions, member, count, ranking, unread notifications
    with django_assert_num_queries(6):
        page = en.get(reverse("points:ranking"))
    assert "for information only" in page.text and "basis for appraising" in page.text
    table = page.text.split('class="table points-ranking"')[1]
    assert table.index("李书记") < table.index("张三")
    assert "王五" not in table  # another branch


def test_points_pages_need_a_verified_member(en, world):
    for name in ("points:mine", "points:ranking"):
        assert en.get(reverse(name)).status_code == 302
        en.force_login(world.liaison)
        assert en.get(reverse(name)).url == reverse("verification:status")
        en.logout()
