"""Ballot pages: the list, the officers' form and actions, a ballot with the member's electorate check,
and casting a paper after re-authenticating, with the receipt shown once and kept nowhere else."""

import datetime
import logging

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from members.activity_cards import activity_card_issue
from members.models import Member
from members.notifications.models import Notification
from tests import factories
from votes import reauth, services
from votes.models import Ballot, BallotPaper, Elector, Option, VoteRecord
from votes.tally import option_key

Status = Ballot.Status
LIST = reverse("votes:list")
PASSWORD = factories.TEST_PASSWORD


def url(name, ballot):
    return reverse(f"votes:{name}", args=[ballot.pk])


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def reload(ballot) -> Ballot:
    return Ballot.objects.get(pk=ballot.pk)


@pytest.fixture(autouse=True)
def clean_cache():
    """Re-authentication failures and used TOTP codes live in the cache."""
    cache.clear()
    yield
    cache.clear()


def make(world, kind="resolution", *, options=(), opened=True, title=None, **fields):
    """A ballot of 厦门第一支部 (world.branch), open since an hour ago for a day unless `opened=False`."""
    now = timezone.now()
    fields.setdefault("opens_at", now - datetime.timedelta(hours=1))
    fields.setdefault("closes_at", now + datetime.timedelta(days=1))
    ballot = services.ballot_create(
        actor=world.secretary, organization=world.branch, kind=kind, title=title or f"{kind} 表决",
        options=list(options), **fields,
    )
    if opened:
        ballot = services.ballot_open(ballot=ballot, actor=world.secretary)
    return ballot


def election(world, candidates=("甲", "乙", "丙", "丁"), seats=2, **kwargs):
    return make(world, "election", options=candidates, seats=seats, title="支委会选举", **kwargs)


def poll(world, max_choices=1, **kwargs):
    return make(world, "poll", options=("周二晚", "周六上午", "周日下午"), max_choices=max_choices,
                title="活动时间", **kwargs)


def time_passes(ballot):
    """Voting time is over (the close service refuses before closes_at)."""
    past = timezone.now() - datetime.timedelta(minutes=1)
    Ballot.objects.filter(pk=ballot.pk).update(opens_at=past - datetime.timedelta(days=1), closes_at=past)
    return reload(ballot)


def closed(world, ballot):
    return services.ballot_close(ballot=time_passes(ballot), actor=world.secretary)


def add_member(world, name, *, status=Member.Status.FULL, organization=None):
    user = factories.user(name=name, email=f"{name}@example.com")
    factories.member(organization=organization or world.branch, user=user, name=name, status=status)
    return user


def guest(world):
    """王五 of 深圳第一支部 attends 厦门第一支部 on an activity card."""
    today = timezone.localdate()
    activity_card_issue(
        member=world.other_member.member, actor=world.other_secretary, host_organization=world.branch,
        starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=60),
        reason="在厦门短期工作",
    )
    return world.other_member


def vote(client, ballot, **data):
    data.setdefault("password", PASSWORD)
    return client.post(url("cast", ballot), data)


def cast_papers(ballot):
    return list(BallotPaper.objects.filter(ballot=ballot, receipt__isnull=False))


# The list


def test_list_shows_the_members_ballots_open_first_with_their_state(en, world, django_assert_num_queries):
    done = make(world, title="已投的决议")
    services.ballot_cast(ballot=done, member=world.member.member, data={"choice": "for"})
    old = closed(world, make(world, title="去年的决议"))
    make(world, title="待投的决议")
    make(world, title="草稿决议", opened=False)
    make(world, title="别的支部", opened=False)
    en.force_login(world.member)
    # user, member (scope), positions (scope: managed and roster paths), count of ballots,
    # ballots with their organizations and the member's voted / elector flags, unread notifications
    with django_assert_num_queries(6):
        response = en.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("待投的决议") < html.index("去年的决议")
    assert html.index("已投的决议") < html.index("去年的决议")
    assert "草稿决议" not in html  # drafts are for the officers
    assert "you voted" in html and "not yet" in html
    assert old.title in html and "New ballot" not in html


def test_list_query_count_does_not_grow_with_ballots(en, world, django_assert_num_queries):
    for n in range(6):
        services.ballot_cast(ballot=make(world, title=f"决议{n}"), member=world.member.member,
                             data={"choice": "against"})
    en.force_login(world.member)
    with django_assert_num_queries(6):
        response = en.get(LIST)
    assert response.content.decode().count("you voted") == 6


def test_list_says_who_is_not_on_the_electorate(en, world):
    make(world, title="开放的决议")
    add_member(world, "预备党员", status=Member.Status.PROBATIONARY)
    en.force_login(Member.objects.get(name="预备党员").user)
    html = en.get(LIST).content.decode()
    assert "开放的决议" in html and "not on the electorate" in html


def test_list_for_officers_shows_drafts_and_new_ballot_links(en, world, django_assert_num_queries):
    make(world, title="草稿决议", opened=False)
    en.force_login(world.county_officer)
    # user, member (scope: none), positions, count, ballots, organizations the officer may
    # create ballots for, unread notifications
    with django_assert_num_queries(7):
        response = en.get(LIST)
    html = response.content.decode()
    assert "草稿决议" in html
    assert reverse("votes:create", args=[world.branch.pk]) in html
    assert reverse("votes:create", args=[world.other_branch.pk]) in html


def test_list_secretary_has_one_new_ballot_button(en, world):
    en.force_login(world.secretary)
    html = en.get(LIST).content.decode()
    assert reverse("votes:create", args=[world.branch.pk]) in html
    assert reverse("votes:create", args=[world.other_branch.pk]) not in html


def test_list_liaison_reads_but_cannot_create_or_see_drafts(en, world):
    make(world, title="开放的决议")
    make(world, title="草稿决议", opened=False)
    en.force_login(world.liaison)
    html = en.get(LIST).content.decode()
    assert "开放的决议" in html and "草稿决议" not in html and "New ballot" not in html


def test_list_hides_other_branches_ballots(en, world):
    make(world, title="厦门的决议")
    en.force_login(world.other_member)
    assert "厦门的决议" not in en.get(LIST).content.decode()


def test_list_anonymous_goes_to_login(client, db):
    assert is_login_redirect(client.get(LIST))


# One ballot: who sees it


def test_detail_for_a_member(en, world, django_assert_num_queries):
    ballot = election(world)
    en.force_login(world.member)
    # user, ballot with its organization, member (scope), positions (scope), whether the
    # member is an elector, whether they voted, options, turnout (who-voted count), unread notifications
    with django_assert_num_queries(9):
        response = en.get(url("detail", ballot))
    assert response.status_code == 200
    html = response.content.decode()
    assert "支委会选举" in html and "甲" in html and "丁" in html
    assert "You are on the electorate." in html and url("cast", ballot) in html


def test_detail_query_count_does_not_grow_with_options_or_electors(en, world, django_assert_num_queries):
    for n in range(12):
        add_member(world, f"党员{n}")
    ballot = election(world, candidates=[f"候选人{n}" for n in range(10)], seats=5)
    services.ballot_cast(
        ballot=ballot, member=Member.objects.get(name="党员1"),
        data={"marks": {option_key(o.pk): "for" for o in ballot.options.all()[:5]}
              | {option_key(o.pk): "against" for o in ballot.options.all()[5:]}},
    )
    en.force_login(world.member)
    with django_assert_num_queries(9):
        response = en.get(url("detail", ballot))
    html = response.content.decode()
    assert "候选人9" in html
    assert reload(ballot).electorate_size == 14


def test_detail_shows_turnout_but_never_who_voted_how(en, world):
    ballot = make(world)
    receipt = services.ballot_cast(ballot=ballot, member=world.secretary.member, data={"choice": "against"})
    en.force_login(world.member)
    html = en.get(url("detail", ballot)).content.decode()
    assert "Electorate" in html and "Took part" in html
    assert receipt not in html and "李书记" not in html


def test_detail_outsiders_get_404(client, world):
    ballot = make(world)
    for user in (world.other_member, world.other_secretary):
        client.force_login(user)
        assert client.get(url("detail", ballot)).status_code == 404


def test_detail_anonymous_goes_to_login(client, world):
    assert is_login_redirect(client.get(url("detail", make(world))))


def test_detail_officers_who_read_the_roster_see_it(en, world):
    ballot = make(world)
    for user in (world.liaison, world.county_officer, world.secretary):
        en.force_login(user)
        assert en.get(url("detail", ballot)).status_code == 200


def test_drafts_are_hidden_from_members_and_liaison_officers(client, world):
    draft = make(world, opened=False)
    for user in (world.member, world.liaison):
        client.force_login(user)
        assert client.get(url("detail", draft)).status_code == 404
        assert client.get(url("cast", draft)).status_code == 404
    for user in (world.secretary, world.county_officer):
        client.force_login(user)
        assert client.get(url("detail", draft)).status_code == 200


# The member's electorate check


def test_before_opening_a_full_member_will_be_on_the_electorate(en, world):
    draft = make(world, opened=False)
    en.force_login(world.secretary)  # a full member of the branch, who also manages it
    html = en.get(url("detail", draft)).content.decode()
    assert "You will be on the electorate." in html and url("cast", draft) not in html


def test_before_opening_a_probationary_member_is_told_why_not(en, world):
    draft = make(world, opened=False)
    user = add_member(world, "预备党员", status=Member.Status.PROBATIONARY)
    factories.position(user=user, organization=world.branch, kind="committee_member")
    factories.totp(user)
    en.force_login(user)  # a committee member, so that the draft is visible
    html = en.get(url("detail", draft)).content.decode()
    assert f"You will not vote: only full members of {world.branch.display_name} vote." in html
    assert "Probationary members do not vote." in html


def test_after_opening_a_probationary_member_sees_the_ballot_but_does_not_vote(en, world):
    ballot = make(world)
    en.force_login(add_member(world, "预备党员", status=Member.Status.PROBATIONARY))
    html = en.get(url("detail", ballot)).content.decode()
    assert f"You do not vote: only full members of {world.branch.display_name} vote." in html
    assert "Probationary members do not vote." in html and url("cast", ballot) not in html


def test_a_guest_on_an_activity_card_is_told_they_do_not_vote_here(en, world, django_assert_num_queries):
    ballot = make(world)
    en.force_login(guest(world))
    # user, ballot (the guest's host organization is a subquery), member, positions, elector,
    # whether the card makes them a guest here, turnout, unread notifications
    with django_assert_num_queries(8):
        response = en.get(url("detail", ballot))
    html = response.content.decode()
    assert f"You do not vote: only full members of {world.branch.display_name} vote." in html
    assert "activity card" in html and world.other_branch.display_name in html
    assert url("cast", ballot) not in html
    assert Elector.objects.filter(ballot=ballot, member=world.other_member.member).count() == 0


def test_after_opening_the_member_is_on_the_electorate_then_voted(en, world):
    ballot = make(world)
    en.force_login(world.member)
    assert "You are on the electorate." in en.get(url("detail", ballot)).content.decode()
    services.ballot_cast(ballot=ballot, member=world.member.member, data={"choice": "for"})
    html = en.get(url("detail", ballot)).content.decode()
    assert "You voted." in html and url("cast", ballot) not in html


def test_a_member_who_joined_after_opening_is_not_on_the_frozen_electorate(en, world):
    ballot = make(world)
    en.force_login(add_member(world, "新转入"))
    html = en.get(url("detail", ballot)).content.decode()
    assert "fixed when voting opened" in html and url("cast", ballot) not in html


def test_an_officer_without_a_member_record_gets_no_check(en, world):
    ballot = make(world)
    en.force_login(world.liaison)
    html = en.get(url("detail", ballot)).content.decode()
    assert "Your vote" not in html and url("cast", ballot) not in html


# Officers' buttons


def test_draft_buttons_for_managers_only(en, world):
    draft = make(world, opened=False)
    en.force_login(world.secretary)
    html = en.get(url("detail", draft)).content.decode()
    assert url("edit", draft) in html and url("open", draft) in html
    en.force_login(world.county_officer)
    assert url("open", draft) in en.get(url("detail", draft)).content.decode()


def test_close_button_only_when_the_time_is_over(en, world):
    ballot = make(world)
    en.force_login(world.secretary)
    assert url("close", ballot) not in en.get(url("detail", ballot)).content.decode()
    time_passes(ballot)
    html = en.get(url("detail", ballot)).content.decode()
    assert url("close", ballot) in html and url("cast", ballot) not in html
    en.force_login(world.liaison)
    assert url("close", ballot) not in en.get(url("detail", ballot)).content.decode()


def test_results_links_by_role_and_status(en, world):
    ballot = closed(world, make(world))
    en.force_login(world.liaison)
    html = en.get(url("detail", ballot)).content.decode()
    assert url("results", ballot) in html and url("board", ballot) not in html
    en.force_login(world.member)
    html = en.get(url("detail", ballot)).content.decode()
    assert url("results", ballot) not in html and url("board", ballot) not in html
    en.force_login(world.secretary)
    assert url("publish", ballot) in en.get(url("detail", ballot)).content.decode()
    services.ballot_publish(ballot=ballot, actor=world.secretary)
    en.force_login(world.member)
    html = en.get(url("detail", ballot)).content.decode()
    assert url("results", ballot) in html and url("board", ballot) in html


# Casting: the paper


def test_cast_page_shows_the_paper_and_asks_for_the_password(en, world, django_assert_num_queries):
    ballot = election(world)
    en.force_login(world.member)
    # user, ballot, member, positions, options, the TOTP authenticator, elector, voted,
    # unread notifications
    with django_assert_num_queries(9):
        response = en.get(url("cast", ballot))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for option in ballot.options.all():
        assert f'name="mark-{option_key(option.pk)}"' in html
    assert html.count('name="write_in_') == 2  # up to the seats
    assert 'type="password"' in html and 'name="code"' not in html


def test_cast_page_query_count_does_not_grow_with_candidates(en, world, django_assert_num_queries):
    ballot = election(world, candidates=[f"候选人{n}" for n in range(12)], seats=5)
    en.force_login(world.member)
    with django_assert_num_queries(9):
        assert en.get(url("cast", ballot)).status_code == 200


def test_cast_page_offers_the_code_to_users_with_an_app(en, world):
    en.force_login(world.secretary)
    html = en.get(url("cast", make(world))).content.decode()
    assert 'name="code"' in html and 'name="password"' in html


def test_cast_page_poll_kinds(en, world):
    en.force_login(world.member)
    assert 'type="radio" name="choices"' in en.get(url("cast", poll(world))).content.decode()
    html = en.get(url("cast", poll(world, max_choices=2))).content.decode()
    assert 'type="checkbox" name="choices"' in html


def test_cast_page_outsiders_get_404(client, world):
    ballot = make(world)
    client.force_login(world.other_member)
    assert client.get(url("cast", ballot)).status_code == 404
    assert vote(client, ballot, choice="for").status_code == 404
    assert VoteRecord.objects.count() == 0


def test_cast_page_anonymous_goes_to_login(client, world):
    ballot = make(world)
    assert is_login_redirect(client.get(url("cast", ballot)))
    assert is_login_redirect(vote(client, ballot, choice="for"))


def test_cast_page_sends_non_electors_back_to_the_ballot(en, world):
    ballot = make(world)
    en.force_login(add_member(world, "预备党员", status=Member.Status.PROBATIONARY))
    response = en.get(url("cast", ballot))
    assert response.status_code == 302 and response["Location"] == url("detail", ballot)


# Casting: the vote


def test_casting_with_the_password_shows_the_receipt_once(en, world, caplog):
    ballot = make(world)
    en.force_login(world.member)
    with caplog.at_level(logging.DEBUG):
        response = vote(en, ballot, choice="against")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (paper,) = cast_papers(ballot)
    assert paper.content == {"choice": "against"} and paper.valid
    html = response.content.decode()
    assert paper.receipt in html and "only way to find your paper" in html
    assert url("board", ballot) in html
    assert VoteRecord.objects.filter(ballot=ballot, member=world.member.member).count() == 1
    # nowhere else: not in the session, not in a message, not in a later page
    session = en.session
    assert all(paper.receipt not in str(value) for value in session.values())
    assert not list(get_messages(response.wsgi_request))
    assert paper.receipt not in caplog.text and "against" not in caplog.text
    assert not Notification.objects.filter(recipient=world.member).exists()
    assert "Location" not in response and paper.receipt not in response.wsgi_request.get_full_path()
    later = en.get(url("detail", ballot)).content.decode() + en.get(LIST).content.decode()
    assert paper.receipt not in later and "You voted." in later


def test_casting_with_a_code_from_the_app(en, world):
    ballot = election(world)
    en.force_login(world.secretary)
    marks = {f"mark-{option_key(o.pk)}": "for" for o in ballot.options.all()[:1]}
    marks |= {f"mark-{option_key(o.pk)}": "abstain" for o in ballot.options.all()[1:]}
    response = vote(en, ballot, password="", code=factories.totp_code(), write_in_1="王小明", **marks)
    assert response.status_code == 200
    (paper,) = cast_papers(ballot)
    assert paper.receipt in response.content.decode()
    assert paper.content["write_ins"] == ["王小明"] and paper.valid


def test_a_wrong_password_is_refused_and_nothing_is_stored(en, world):
    ballot = poll(world, max_choices=2)
    en.force_login(world.member)
    keys = [option_key(o.pk) for o in ballot.options.all()]
    response = vote(en, ballot, password="not my password", choices=keys[:2])
    assert response.status_code == 200
    html = response.content.decode()
    assert "The password is not right." in html
    assert html.count("checked") == 2  # the choices are kept
    assert "not my password" not in html  # the password is not
    assert not cast_papers(ballot) and not VoteRecord.objects.exists()


def test_re_authentication_is_required(en, world):
    ballot = make(world)
    en.force_login(world.member)
    response = en.post(url("cast", ballot), {"choice": "for"})
    assert "Confirm it is you: type your password." in response.content.decode()
    assert not cast_papers(ballot) and not VoteRecord.objects.exists()
    assert reauth.failures(world.member) == 0  # nothing was checked


def test_too_many_wrong_passwords_lock_casting(en, world):
    ballot = make(world)
    en.force_login(world.member)
    for _ in range(reauth.MAX_FAILURES):
        vote(en, ballot, choice="for", password="wrong")
    response = vote(en, ballot, choice="for")  # now the right password
    assert "Too many wrong attempts. Try again in 15 minutes." in response.content.decode()
    assert not VoteRecord.objects.exists()


def test_a_mark_left_out_is_refused_before_re_authenticating(en, world):
    ballot = election(world)
    en.force_login(world.secretary)
    first, *rest = ballot.options.all()
    code = factories.totp_code()
    response = vote(en, ballot, password="", code=code, **{f"mark-{option_key(first.pk)}": "against"})
    html = response.content.decode()
    assert "Mark this candidate: for, against or abstain." in html
    assert html.count("checked") == 1  # the mark made is kept
    assert not VoteRecord.objects.exists()
    # the code was not used up: it still casts
    marks = {f"mark-{option_key(o.pk)}": "abstain" for o in ballot.options.all()}
    assert cast_papers(ballot) == [] and vote(en, ballot, password="", code=code, **marks).status_code == 200
    assert len(cast_papers(ballot)) == 1


def test_a_write_in_of_a_candidate_is_refused(en, world):
    ballot = election(world)
    en.force_login(world.member)
    marks = {f"mark-{option_key(o.pk)}": "abstain" for o in ballot.options.all()}
    html = vote(en, ballot, write_in_1="甲", **marks).content.decode()
    assert "Write in only people who are not on the list, each once." in html
    assert not VoteRecord.objects.exists()


def test_an_over_voted_election_paper_is_cast_invalid(en, world):
    ballot = election(world)
    en.force_login(world.member)
    marks = {f"mark-{option_key(o.pk)}": "for" for o in ballot.options.all()}
    assert vote(en, ballot, **marks).status_code == 200
    (paper,) = cast_papers(ballot)
    assert paper.valid is False


def test_a_second_vote_through_the_page_is_refused(en, world):
    ballot = make(world)
    en.force_login(world.member)
    vote(en, ballot, choice="for")
    response = vote(en, ballot, choice="against")
    assert "You have already voted in this ballot." in response.content.decode()
    assert [p.content for p in cast_papers(ballot)] == [{"choice": "for"}]
    assert VoteRecord.objects.count() == 1


def test_a_closed_ballot_refuses_casts(en, world):
    ballot = time_passes(make(world))
    en.force_login(world.member)
    response = vote(en, ballot, choice="for")
    assert "This ballot is not open for voting." in response.content.decode()
    assert not VoteRecord.objects.exists()
    response = vote(en, closed(world, ballot), choice="for")
    assert "This ballot is not open for voting." in response.content.decode()


def test_an_unopened_ballot_refuses_casts(en, world):
    early = make(world, opens_at=timezone.now() + datetime.timedelta(hours=2))  # opened ahead of time
    en.force_login(world.member)
    assert "This ballot is not open for voting." in vote(en, early, choice="for").content.decode()
    assert en.get(url("cast", early)).status_code == 302
    assert "You can vote from" in en.get(url("detail", early)).content.decode()
    assert not VoteRecord.objects.exists()


def test_the_service_refuses_what_the_page_let_through(en, world, monkeypatch):
    """The service checks again under the lock: a ballot closed between the checks refuses."""
    ballot = make(world)
    en.force_login(world.member)
    monkeypatch.setattr("votes.views._refusal", lambda ballot, member: "")
    time_passes(ballot)
    assert "This ballot is not open for voting." in vote(en, ballot, choice="for").content.decode()
    assert not VoteRecord.objects.exists()


def test_a_non_elector_cannot_cast_by_posting(en, world):
    ballot = make(world)
    en.force_login(add_member(world, "预备党员", status=Member.Status.PROBATIONARY))
    assert "You are not on this ballot&#x27;s electorate." in vote(en, ballot, choice="for").content.decode()
    assert not VoteRecord.objects.exists()


def test_cast_hides_every_posted_field_from_error_reports(en, world):
    en.force_login(world.member)
    response = vote(en, make(world), choice="for")
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


# Officers: create, edit, open, close, publish


def ballot_data(**fields) -> dict:
    now = timezone.localtime()
    data = {
        "kind": "election", "title": "第二届支委会选举", "description": "",
        "opens_at": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "seats": "3", "extra_candidates_percent": "20", "max_choices": "1",
        "options": "张三\n李四\n王五\n赵六",
    }
    data.update(fields)
    return data


def test_create_page_for_a_secretary(en, world, django_assert_num_queries):
    create = reverse("votes:create", args=[world.branch.pk])
    en.force_login(world.secretary)
    # user, positions (scope), two-factor check, organization, member (navigation), unread
    with django_assert_num_queries(6):
        response = en.get(create)
    assert response.status_code == 200 and 'type="datetime-local"' in response.content.decode()
    response = en.post(create, ballot_data())
    ballot = Ballot.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", ballot)
    assert ballot.status == Status.DRAFT and ballot.seats == 3 and ballot.created_by == world.secretary
    assert [o.label for o in ballot.options.all()] == ["张三", "李四", "王五", "赵六"]
    assert timezone.localtime(ballot.opens_at).strftime("%Y-%m-%dT%H:%M") == ballot_data()["opens_at"]


def test_create_shows_service_errors_and_saves_nothing(en, world):
    en.force_login(world.secretary)
    data = ballot_data(options="张三\n李四\n王五")
    response = en.post(reverse("votes:create", args=[world.branch.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "An election needs more candidates than seats: at least 4 for 3 seats." in html
    assert not Ballot.objects.exists() and not Option.objects.exists()


def test_create_form_errors_in_chinese_by_default(client, world):
    client.force_login(world.secretary)
    response = client.post(reverse("votes:create", args=[world.branch.pk]), ballot_data(title=""))
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not Ballot.objects.exists()


def test_create_refuses_closing_before_opening(en, world):
    en.force_login(world.secretary)
    data = ballot_data(closes_at=ballot_data()["opens_at"])
    html = en.post(reverse("votes:create", args=[world.branch.pk]), data).content.decode()
    assert "Voting must close after it opens." in html and not Ballot.objects.exists()


def test_create_poll_and_resolution(en, world):
    en.force_login(world.secretary)
    create = reverse("votes:create", args=[world.branch.pk])
    en.post(create, ballot_data(kind="poll", title="活动时间",
                                options="甲\n乙\n丙", max_choices="2", seats=""))
    en.post(create, ballot_data(kind="resolution", title="接收预备党员", options="", seats=""))
    made = {b.kind: b for b in Ballot.objects.all()}
    assert made["poll"].max_choices == 2 and made["poll"].seats is None
    assert made["resolution"].options.count() == 0 and made["resolution"].max_choices == 1


def test_create_is_404_for_everyone_else(client, world):
    create = reverse("votes:create", args=[world.branch.pk])
    for user in (world.member, world.liaison, world.other_secretary, world.other_member):
        client.force_login(user)
        assert client.get(create).status_code == 404
        assert client.post(create, ballot_data()).status_code == 404
    assert not Ballot.objects.exists()


def test_officer_pages_need_two_factor(client, world):
    deputy = add_member(world, "副书记")
    factories.position(user=deputy, organization=world.branch, kind="deputy_secretary")
    draft = make(world, opened=False)
    client.force_login(deputy)  # manages the branch, has no authenticator app yet
    for response in (
        client.get(reverse("votes:create", args=[world.branch.pk])),
        client.get(url("edit", draft)),
        client.post(url("open", draft)),
    ):
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert reload(draft).status == Status.DRAFT


def test_edit_a_draft(en, world, django_assert_num_queries):
    draft = election(world, opened=False)
    en.force_login(world.secretary)
    # user, ballot, positions, two-factor check, member (scope), options (initial), unread
    with django_assert_num_queries(7):
        response = en.get(url("edit", draft))
    html = response.content.decode()
    assert response.status_code == 200 and "甲\n乙\n丙\n丁" in html and 'name="kind"' not in html
    data = ballot_data(title="改过的选举", options="甲\n乙\n丙\n丁\n戊", seats="2")
    assert en.post(url("edit", draft), data).status_code == 302
    draft = reload(draft)
    assert draft.title == "改过的选举" and draft.options.count() == 5 and draft.kind == "election"


def test_edit_shows_service_errors_and_keeps_the_draft(en, world):
    draft = election(world, opened=False)
    en.force_login(world.secretary)
    html = en.post(url("edit", draft), ballot_data(options="甲\n甲\n乙")).content.decode()
    assert "Each name may appear only once." in html
    assert [o.label for o in draft.options.all()] == ["甲", "乙", "丙", "丁"]


def test_edit_an_open_ballot_goes_back(en, world):
    ballot = make(world)
    en.force_login(world.secretary)
    response = en.get(url("edit", ballot))
    assert response.status_code == 302 and response["Location"] == url("detail", ballot)


def test_edit_is_404_for_everyone_else(client, world):
    draft = make(world, opened=False)
    for user in (world.member, world.liaison, world.other_secretary):
        client.force_login(user)
        assert client.get(url("edit", draft)).status_code == 404
        assert client.post(url("edit", draft), ballot_data(title="偷改")).status_code == 404
    assert reload(draft).title != "偷改"


def test_open_close_and_publish(en, world, django_assert_num_queries):
    draft = make(world, opened=False)
    en.force_login(world.secretary)
    response = en.post(url("open", draft))
    assert response.status_code == 302 and response["Location"] == url("detail", draft)
    ballot = reload(draft)
    assert ballot.status == Status.OPEN and ballot.electorate_size == 2  # 张三 and 李书记
    assert "2 members are on the electorate" in en.get(url("detail", ballot)).content.decode()
    en.post(url("close", ballot))  # too early: refused with the service's message
    assert reload(ballot).status == Status.OPEN
    assert "Voting is open until" in en.get(url("detail", ballot)).content.decode()
    time_passes(ballot)
    en.post(url("close", ballot))
    assert reload(ballot).status == Status.CLOSED
    en.post(url("publish", ballot))
    assert reload(ballot).status == Status.PUBLISHED


def test_actions_are_post_only(client, world):
    draft = make(world, opened=False)
    client.force_login(world.secretary)
    for name in ("open", "close", "publish"):
        assert client.get(url(name, draft)).status_code == 405
    assert reload(draft).status == Status.DRAFT


def test_actions_are_404_for_everyone_else(client, world):
    draft = make(world, opened=False)
    ready = time_passes(make(world))
    done = closed(world, make(world))
    for user in (world.member, world.liaison, world.other_secretary, world.other_member):
        client.force_login(user)
        assert client.post(url("open", draft)).status_code == 404
        assert client.post(url("close", ready)).status_code == 404
        assert client.post(url("publish", done)).status_code == 404
    assert reload(draft).status == Status.DRAFT
    assert reload(ready).status == Status.OPEN
    assert reload(done).status == Status.CLOSED


def test_county_officer_manages_the_branch_ballots(client, world):
    draft = make(world, opened=False)
    client.force_login(world.county_officer)
    client.post(url("open", draft))
    assert reload(draft).status == Status.OPEN


def test_the_navigation_and_home_link_to_ballots(en, world):
    en.force_login(world.member)
    assert LIST in en.get(reverse("home")).content.decode()
    en.force_login(world.liaison)
    assert LIST in en.get(reverse("home")).content.decode()
