"""A ballot's results page and its PDF record: who sees them when, what they say, their query counts."""

import io

import pypdf
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.votes.test_tally import cast_all, closed, electorate_of, label_marks, open_ballot
from votes import services
from votes.models import Ballot
from votes.records import ballot_record_render

Kind = Ballot.Kind


def url(name, ballot):
    return reverse(f"votes:{name}", args=[ballot.pk])


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.fixture
def resolution(world):
    """吸收新党员: 6 of 10 for, 3 against, 1 abstains; closed, not yet published."""
    members = electorate_of(world, 10)
    ballot = open_ballot(world, title="关于接收张某某为预备党员的决议")
    cast_all(ballot, members, [{"choice": "for"}] * 6 + [{"choice": "against"}] * 3 + [{"choice": "abstain"}])
    return closed(ballot)


@pytest.fixture
def tied_election(world):
    return make_tied_election(world)


def make_tied_election(world) -> Ballot:
    """Of 9 who took part (one over-voted paper) for 2 seats: 甲 6, 乙 5, 丙 5: 甲 is elected, a run-off
    between 乙 and 丙 for the last seat."""
    members = electorate_of(world, 9)
    ballot = open_ballot(
        world, Kind.ELECTION, options=["甲", "乙", "丙", "丁"], seats=2, title="支部委员会选举"
    )
    papers = (
        [label_marks(ballot, {"甲": "for", "乙": "for"})] * 3
        + [label_marks(ballot, {"甲": "for", "丙": "for", "丁": "against"})] * 3
        + [label_marks(ballot, {"乙": "for", "丙": "for"})] * 2
        + [label_marks(ballot, {"甲": "for", "乙": "for", "丙": "for"})]  # over-voted
    )
    cast_all(ballot, members, papers)
    return closed(ballot)


def published(ballot, world) -> Ballot:
    return services.ballot_publish(ballot=ballot, actor=world.secretary)


# Who sees the results


@pytest.mark.parametrize("persona", ["secretary", "liaison", "county_officer"])
def test_roster_readers_see_closed_results_before_they_are_published(client, world, resolution, persona):
    client.force_login(getattr(world, persona))
    response = client.get(url("results", resolution))
    assert response.status_code == 200
    assert resolution.title in response.content.decode()


@pytest.mark.parametrize("persona", ["member", "other_member", "other_secretary"])
def test_members_and_outsiders_do_not_see_unpublished_results(client, world, resolution, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("results", resolution)).status_code == 404


@pytest.mark.parametrize("persona", ["member", "secretary", "liaison", "county_officer"])
def test_published_results_are_seen_by_members_and_officers(client, world, resolution, persona):
    published(resolution, world)
    client.force_login(getattr(world, persona))
    assert client.get(url("results", resolution)).status_code == 200


@pytest.mark.parametrize("persona", ["other_member", "other_secretary"])
def test_published_results_are_404_for_outsiders(client, world, resolution, persona):
    published(resolution, world)
    client.force_login(getattr(world, persona))
    for name in ("results", "results_pdf", "board", "board_json"):
        assert client.get(url(name, resolution)).status_code == 404


def test_results_of_an_open_ballot_are_404_even_for_officers(client, world):
    electorate_of(world, 3)
    ballot = open_ballot(world)
    client.force_login(world.secretary)
    assert client.get(url("results", ballot)).status_code == 404
    assert client.get(reverse("votes:results", args=[999999])).status_code == 404


def test_anonymous_goes_to_login(client, world, resolution):
    published(resolution, world)
    for name in ("results", "results_pdf", "board", "board_json"):
        assert is_login_redirect(client.get(url(name, resolution)))


# What the results say


def test_a_passed_resolution_in_words(en, world, resolution, django_assert_num_queries):
    published(resolution, world)
    en.force_login(world.member)
    # user (session), member (scope: own organization), the ballot with its organization, positions
    # (navigation and roster check), unread notifications
    with django_assert_num_queries(5):
        response = en.get(url("results", resolution))
    html = response.content.decode()
    assert "The resolution passed." in html
    assert "at least 6 votes" in html  # more than half of 10
    assert "100.0%" in html  # 10 of 10 took part
    assert url("results_pdf", resolution) in html and url("board", resolution) in html


def test_exactly_half_for_is_reported_as_not_passed(en, world):
    members = electorate_of(world, 4)
    ballot = open_ballot(world)
    cast_all(ballot, members, [{"choice": "for"}] * 2)
    closed(ballot)
    en.force_login(world.secretary)
    html = en.get(url("results", ballot)).content.decode()
    assert "The resolution did not pass." in html
    assert "not published yet" in html
    assert url("board", ballot) not in html  # the board comes with publication


def test_an_election_with_a_tie_names_the_elected_and_links_the_run_off(en, world, tied_election):
    runoff = Ballot.objects.get(runoff_of=tied_election)
    en.force_login(world.secretary)
    html = en.get(url("results", tied_election)).content.decode()
    assert "The election is valid." in html
    assert "Elected:" in html and "<li>甲</li>" in html
    assert "A run-off is needed between" in html and "for the last seat." in html
    assert reverse("votes:detail", args=[runoff.pk]) in html
    assert "1 invalid paper" in html
    assert "100.0%" in html


def test_an_election_without_enough_turnout_is_not_valid(en, world):
    members = electorate_of(world, 5)
    ballot = open_ballot(world, Kind.ELECTION, options=["甲", "乙", "丙"], seats=1)
    cast_all(ballot, members, [label_marks(ballot, {"甲": "for"})] * 4)  # exactly 4/5
    closed(ballot)
    en.force_login(world.secretary)
    html = en.get(url("results", ballot)).content.decode()
    assert "The election is not valid" in html and "at least 5" in html
    assert "<li>甲</li>" not in html


def test_results_query_count_for_an_officer(en, world, tied_election, django_assert_num_queries):
    published(tied_election, world)
    en.force_login(world.secretary)
    # user (session), positions (officer middleware, shared with the scope), the ballot with its
    # organization, the run-off ballot, member (navigation), unread notifications
    with django_assert_num_queries(6):
        response = en.get(url("results", tied_election))
    assert response.status_code == 200


def test_a_poll_lists_its_options_by_votes(en, world):
    members = electorate_of(world, 3)
    ballot = open_ballot(world, Kind.POLL, options=["周六上午", "周日下午"])
    keys = {o.label: f"o{o.pk}" for o in ballot.options.all()}
    cast_all(ballot, members, [{"choices": [keys["周日下午"]]}] * 2 + [{"choices": [keys["周六上午"]]}])
    published(closed(ballot), world)
    en.force_login(world.member)
    html = en.get(url("results", ballot)).content.decode()
    assert "Most chosen: 周日下午 (2 votes)." in html
    assert html.index("周日下午") < html.index("周六上午")


# The PDF record


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def in_chinese(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def test_the_pdf_is_only_for_published_ballots(client, world, resolution):
    client.force_login(world.secretary)
    assert client.get(url("results_pdf", resolution)).status_code == 404
    assert client.get(url("board", resolution)).status_code == 404
    assert client.get(url("board_json", resolution)).status_code == 404


def test_the_pdf_is_made_on_demand_and_says_the_outcome(
    client, world, tied_election, django_assert_num_queries
):
    published(tied_election, world)
    client.force_login(world.member)
    response = client.get(url("results_pdf", tied_election))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert f'filename="ballot-{tied_election.pk}-result.pdf"' in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "支部委员会选举" in text and world.branch.name in text
    assert in_chinese("Ballot result record") in text
    assert in_chinese("The election is valid.") in text
    assert "甲" in text and "乙" in text and "丙" in text
    for count in ("6", "5", "9", "100.0%"):  # 甲, 乙 and 丙, who took part, turnout
        assert count in text
    tied_election.refresh_from_db()
    assert tied_election.record_pdf.name == f"ballots/ballot-{tied_election.pk}-result.pdf"

    # the second download serves the stored file: user, member, ballot, positions; no render
    client.force_login(world.member)
    with django_assert_num_queries(4):
        again = client.get(url("results_pdf", tied_election))
    assert b"".join(again.streaming_content).startswith(b"%PDF")


def test_the_pdf_of_a_resolution_has_its_counts(world, resolution):
    assert ballot_record_render(resolution.pk) is True
    resolution.refresh_from_db()
    with resolution.record_pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "关于接收张某某为预备党员的决议" in text
    assert in_chinese("The resolution passed.") in text
    for count in ("6", "3", "1", "10", "100.0%"):
        assert count in text


def test_the_record_is_made_once_and_a_failed_render_releases_the_claim(world, resolution, monkeypatch):
    def broken(_ballot):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("votes.records.record_pdf_bytes", broken)
    with pytest.raises(RuntimeError):
        ballot_record_render(resolution.pk)
    resolution.refresh_from_db()
    assert not resolution.record_pdf

    monkeypatch.undo()
    assert ballot_record_render(resolution.pk) is True
    resolution.refresh_from_db()
    first = resolution.record_pdf.name
    assert ballot_record_render(resolution.pk) is False
    resolution.refresh_from_db()
    assert resolution.record_pdf.name == first and resolution.record_pdf.storage.exists(first)


def test_the_record_is_private(world, resolution, settings):
    ballot_record_render(resolution.pk)
    resolution.refresh_from_db()
    assert resolution.record_pdf.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))


def test_no_record_for_a_ballot_not_yet_closed(world):
    electorate_of(world, 3)
    ballot = open_ballot(world)
    assert ballot_record_render(ballot.pk) is False
    ballot.refresh_from_db()
    assert not ballot.record_pdf
