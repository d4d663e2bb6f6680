"""`manage.py ballot_recount`: a board downloaded from a published ballot recounts to the same result;
a board with one paper changed does not, and the command exits non-zero."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.votes.test_result_views import make_tied_election
from tests.votes.test_tally import cast_all, closed, electorate_of, label_marks, open_ballot
from votes import services
from votes.models import Ballot

Kind = Ballot.Kind


def download(client, world, ballot, tmp_path):
    """The board as a member downloads it from the site."""
    client.force_login(world.member)
    response = client.get(reverse("votes:board_json", args=[ballot.pk]))
    assert response.status_code == 200
    path = tmp_path / f"ballot-{ballot.pk}-board.json"
    path.write_bytes(response.content)
    return path


def recount(path, capsys, *extra):
    """Run the command; return (exit code, stdout, stderr)."""
    try:
        call_command("ballot_recount", str(path), "--language", "en", *extra)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def election(world):
    members = electorate_of(world, 5)
    ballot = open_ballot(world, Kind.ELECTION, options=["甲", "乙", "丙"], seats=2, title="支委会选举")
    papers = [
        {**label_marks(ballot, {"甲": "for"}), "write_ins": ["王某"]},
        {**label_marks(ballot, {"甲": "for"}), "write_ins": ["王某"]},
        label_marks(ballot, {"甲": "for", "乙": "for"}),
        label_marks(ballot, {"乙": "for", "丙": "against"}),
        label_marks(ballot, {"甲": "for", "乙": "for", "丙": "for"}),  # over-voted
    ]
    cast_all(ballot, members, papers)
    return services.ballot_publish(ballot=closed(ballot), actor=world.secretary)


@pytest.fixture
def resolution(world):
    members = electorate_of(world, 7)
    ballot = open_ballot(world, title="关于接收预备党员的决议")
    cast_all(ballot, members, [{"choice": "for"}] * 4 + [{"choice": "against"}] * 2)
    return services.ballot_publish(ballot=closed(ballot), actor=world.secretary)


def test_a_published_election_recounts_to_the_same_result(client, world, election, tmp_path, capsys):
    code, out, err = recount(download(client, world, election, tmp_path), capsys)
    assert code == 0, err
    assert "The recount matches the published result." in out
    assert "Entitled to vote: 5 · took part: 5" in out and "Invalid papers: 1" in out
    assert "The election is valid." in out and "Elected: 甲" in out
    assert "甲: for 3 · against 0 · abstain 1" in out
    assert err == ""


def test_a_resolution_recounts_in_chinese_by_default(client, world, resolution, tmp_path, capsys):
    path = download(client, world, resolution, tmp_path)
    call_command("ballot_recount", str(path))
    out = capsys.readouterr().out
    assert "关于接收预备党员的决议" in out and ": 4" in out


def test_one_changed_paper_is_a_mismatch(client, world, resolution, tmp_path, capsys):
    path = download(client, world, resolution, tmp_path)
    board = json.loads(path.read_text(encoding="utf-8"))
    paper = next(p for p in board["papers"] if p["content"]["choice"] == "against")
    paper["content"]["choice"] = "for"
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")

    code, out, err = recount(path, capsys)
    assert code == 1
    assert "The recount does NOT match the published result." in err
    assert "choices" in err and "passed" not in err  # 5 of 7 for instead of 4: passed all the same
    assert "The recount matches" not in out


def test_a_paper_moved_between_candidates_is_a_mismatch(client, world, election, tmp_path, capsys):
    path = download(client, world, election, tmp_path)
    board = json.loads(path.read_text(encoding="utf-8"))
    first = next(p for p in board["papers"] if p["valid"] and "write_ins" in p["content"])
    first["content"]["write_ins"] = ["赵某"]
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")

    code, _out, err = recount(path, capsys)
    assert code == 1 and "candidates" in err


def test_a_paper_flagged_valid_wrongly_is_reported(client, world, election, tmp_path, capsys):
    path = download(client, world, election, tmp_path)
    board = json.loads(path.read_text(encoding="utf-8"))
    invalid = next(p for p in board["papers"] if not p["valid"])
    invalid["valid"] = True  # the recount decides validity from the content itself
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")

    code, out, err = recount(path, capsys)
    assert code == 1
    assert f"Paper {invalid['receipt']} is marked valid but is invalid." in err
    assert "The recount matches" not in out


def test_a_removed_paper_is_a_mismatch(client, world, resolution, tmp_path, capsys):
    path = download(client, world, resolution, tmp_path)
    board = json.loads(path.read_text(encoding="utf-8"))
    board["papers"].pop()
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    code, _out, err = recount(path, capsys)
    assert code == 1 and "took part but lists 5 papers" in err


def test_an_unreadable_board_is_an_error(tmp_path):
    path = tmp_path / "board.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("ballot_recount", str(path))
    with pytest.raises(CommandError):
        call_command("ballot_recount", str(tmp_path / "missing.json"))


def test_a_tied_election_recounts_with_its_run_off(client, world, tmp_path, capsys):
    tied = services.ballot_publish(ballot=make_tied_election(world), actor=world.secretary)
    code, out, err = recount(download(client, world, tied, tmp_path), capsys)
    assert code == 0, err
    assert "Elected: 甲" in out and "A run-off is needed between 丙, 乙 for the last seat." in out
    assert "Invalid papers: 1" in out
