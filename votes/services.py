"""Every write to ballots: create, edit, open, cast, close, publish.

Casting keeps who voted and what was voted apart (see votes/models.py). Nothing here logs, audits,
notifies or queues anything about a cast paper.
"""

import datetime
import random
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from members.models import Member, User
from members.scope import Scope

from .electorate import eligible_members
from .models import Ballot, BallotPaper, Elector, Option, VoteRecord
from .tally import MARKS, ballot_tally, option_key

Status = Ballot.Status
Kind = Ballot.Kind
RECEIPT_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12
PAPER_BATCH = 500
TITLE_LENGTH = Ballot._meta.get_field("title").max_length
WRITE_IN_LENGTH = Option._meta.get_field("label").max_length


def _require_manager(actor: User, organization: Organization) -> None:
    if not Scope(actor).can_manage(organization):
        raise ValidationError(_("Only the organization's officers manage its ballots."))


def _locked(ballot: Ballot, *statuses, actor: User | None = None) -> Ballot:
    """The ballot's row, locked; an actor who does not manage its organization learns nothing more."""
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if actor is not None:
        _require_manager(actor, ballot.organization)
    if ballot.status not in statuses:
        raise ValidationError(_("This ballot is %(status)s.") % {"status": ballot.get_status_display()})
    return ballot


def _clean_options(kind: str, labels: list[str]) -> list[str]:
    labels = [label.strip() for label in labels if label and label.strip()]
    if kind == Kind.RESOLUTION:
        return []
    if len(set(labels)) != len(labels):
        raise ValidationError({"options": _("Each name may appear only once.")})
    if len(labels) < 2:
        raise ValidationError({"options": _("Give at least two options.")})
    return labels


def _check_ballot(ballot: Ballot, labels: list[str]) -> None:
    if ballot.kind == Kind.ELECTION:
        seats = ballot.seats or 0
        if seats < 1:
            raise ValidationError({"seats": _("An election needs at least one seat.")})
        needed = -(-seats * (100 + ballot.extra_candidates_percent) // 100)  # ceil, in integers
        if ballot.runoff_of_id is None and len(labels) < max(needed, seats + 1):
            raise ValidationError(
                {
                    "options": _(
                        "An election needs more candidates than seats: "
                        "at least %(needed)s for %(seats)s seats."
                    )
                    % {"needed": max(needed, seats + 1), "seats": seats}
                }
            )
    else:
        ballot.seats = None
    if ballot.kind == Kind.POLL and ballot.max_choices > len(labels):
        raise ValidationError({"max_choices": _("A voter cannot choose more options than there are.")})
    if ballot.kind != Kind.POLL:
        ballot.max_choices = 1
    ballot.full_clean()


def _set_options(ballot: Ballot, labels: list[str], members: dict | None = None) -> None:
    ballot.options.all().delete()
    Option.objects.bulk_create(
        Option(ballot=ballot, label=label, position=n, member=(members or {}).get(label))
        for n, label in enumerate(labels, start=1)
    )


@transaction.atomic
def ballot_create(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    description: str = "",
    options: list[str] = (),
    seats: int | None = None,
    max_choices: int = 1,
    extra_candidates_percent: int = 20,
) -> Ballot:
    _require_manager(actor, organization)
    labels = _clean_options(kind, list(options))
    ballot = Ballot(
        organization=organization,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        seats=seats,
        max_choices=max_choices or 1,
        extra_candidates_percent=extra_candidates_percent,
        created_by=actor,
    )
    _check_ballot(ballot, labels)
    ballot.save()
    _set_options(ballot, labels)
    return ballot


@transaction.atomic
def ballot_update(*, ballot: Ballot, actor: User, options: list[str] | None = None, **fields) -> Ballot:
    """Edit a draft: its fields and, if given, its options."""
    ballot = _locked(ballot, Status.DRAFT, actor=actor)
    allowed = {
        "title",
        "description",
        "opens_at",
        "closes_at",
        "seats",
        "max_choices",
        "extra_candidates_percent",
    }
    if set(fields) - allowed:
        raise TypeError(f"unknown ballot fields: {sorted(set(fields) - allowed)}")
    for name, value in fields.items():
        setattr(ballot, name, value.strip() if isinstance(value, str) else value)
    labels = (
        _clean_options(ballot.kind, options)
        if options is not None
        else [o.label for o in ballot.options.all()]
    )
    _check_ballot(ballot, labels)
    ballot.save()
    if options is not None:
        _set_options(ballot, labels)
    return ballot


@transaction.atomic
def ballot_open(*, ballot: Ballot, actor: User) -> Ballot:
    """Freeze the electorate and lay out one blank paper per elector, in random order."""
    ballot = _locked(ballot, Status.DRAFT, actor=actor)
    now = timezone.now()
    if ballot.closes_at <= now:
        raise ValidationError({"closes_at": _("The closing time has passed; set a later one first.")})
    labels = [o.label for o in ballot.options.all()]
    _check_ballot(ballot, labels)
    members = list(eligible_members(ballot).values_list("pk", flat=True))
    if not members:
        raise ValidationError(_("Nobody is entitled to vote in this organization."))
    Elector.objects.bulk_create(Elector(ballot=ballot, member_id=pk) for pk in members)
    papers = [BallotPaper(ballot=ballot, cast_on=ballot.ballot_date) for _ in members]
    random.SystemRandom().shuffle(papers)
    BallotPaper.objects.bulk_create(papers, batch_size=PAPER_BATCH)
    ballot.status, ballot.opened_at, ballot.electorate_size = Status.OPEN, now, len(members)
    ballot.save(update_fields=["status", "opened_at", "electorate_size"])
    return ballot


# Casting


def paper_content(ballot: Ballot, options: list[Option], data: dict) -> tuple[dict, bool]:
    """Check a voter's choices and write them as paper content; return (content, valid).

    Raises ValidationError for a paper that cannot be cast at all (an unknown choice, a mark left
    out). An election paper with more candidates marked for than seats is cast but invalid."""
    keys = [option_key(o.pk) for o in options]
    if ballot.kind == Kind.RESOLUTION:
        choice = data.get("choice")
        if not isinstance(choice, str) or choice not in MARKS:
            raise ValidationError(_("Choose for, against or abstain."))
        return {"choice": choice}, True
    if ballot.kind == Kind.POLL:
        given = data.get("choices", [])
        if not isinstance(given, (list, tuple)) or not all(isinstance(key, str) for key in given):
            given = []
        chosen = [key for key in given if key in keys]
        if len(chosen) != len(set(given)) or not chosen:
            raise ValidationError(_("Choose at least one of the options."))
        if len(chosen) > ballot.max_choices:
            raise ValidationError(_("Choose at most %(n)s options.") % {"n": ballot.max_choices})
        return {"choices": {key: True for key in chosen}}, True
    marks = data.get("marks", {})
    if (
        not isinstance(marks, dict)
        or set(marks) != set(keys)
        or any(not isinstance(mark, str) or mark not in MARKS for mark in marks.values())
    ):
        raise ValidationError(_("Mark every candidate: for, against or abstain."))
    names = data.get("write_ins", [])
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) for name in names):
        raise ValidationError(_("Write in names only."))
    write_ins = sorted(name.strip() for name in names if name.strip())  # no order to mark a paper by
    labels = {o.label for o in options}
    if any(name in labels for name in write_ins) or len(set(write_ins)) != len(write_ins):
        raise ValidationError(_("Write in only people who are not on the list, each once."))
    if len(write_ins) > ballot.seats + len(keys) or any(len(name) > WRITE_IN_LENGTH for name in write_ins):
        raise ValidationError(
            _("Write in at most %(n)s names of at most %(length)s characters.")
            % {"n": ballot.seats + len(keys), "length": WRITE_IN_LENGTH}
        )
    content = {"marks": {key: marks[key] for key in keys}}
    if write_ins:
        content["write_ins"] = write_ins
    votes_for = sum(1 for mark in marks.values() if mark == "for") + len(write_ins)
    return content, votes_for <= ballot.seats


def _receipt() -> str:
    return "".join(secrets.choice(RECEIPT_LETTERS) for _ in range(RECEIPT_LENGTH))


def ballot_cast(*, ballot: Ballot, member: Member, data: dict) -> str:
    """Cast the member's paper and return its receipt code, which is shown to the voter once and
    kept nowhere on the voter's side.

    In one transaction: the ballot row is locked (casts of one ballot queue, and a closing ballot
    cannot race them), the who-voted row is inserted (its unique key refuses a second vote), and one
    blank paper picked at random is filled while every paper of the ballot is written anew, so no
    row version, id or position tells which paper this voter wrote. The papers are deleted and put
    back in a fresh random order rather than updated in place: PostgreSQL places an updated row by
    the free space on its page, and a filled paper, larger than a blank one, would move where the
    blank ones stay, so the physical order would drift with the order of casting. The who-voted rows
    are rewritten the same way, so neither side keeps the order in which members voted (on
    PostgreSQL every row of both sides carries the same `xmin`, that of the latest cast)."""
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if not ballot.is_accepting:
            raise ValidationError(_("This ballot is not open for voting."))
        if not Elector.objects.filter(ballot=ballot, member=member).exists():
            raise ValidationError(_("You are not on this ballot's electorate."))
        content, valid = paper_content(ballot, list(ballot.options.all()), data)
        try:
            with transaction.atomic():
                VoteRecord.objects.create(ballot=ballot, member=member)
        except IntegrityError:
            raise ValidationError(_("You have already voted in this ballot.")) from None
        shuffle = random.SystemRandom()
        # Who voted is written anew as well, so its rows' order and versions do not tell who voted when.
        records = list(VoteRecord.objects.filter(ballot=ballot))
        shuffle.shuffle(records)
        VoteRecord.objects.filter(ballot=ballot)._raw_delete(VoteRecord.objects.db)
        VoteRecord.objects.bulk_create(records, batch_size=PAPER_BATCH)
        papers = list(BallotPaper.objects.filter(ballot=ballot))
        blanks = [paper for paper in papers if paper.receipt is None]
        if not blanks:  # cannot happen: one paper per elector, one vote per elector
            raise ValidationError(_("This ballot has no blank paper left."))
        paper = shuffle.choice(blanks)
        paper.receipt, paper.content, paper.valid = _receipt(), content, valid
        shuffle.shuffle(papers)
        BallotPaper.objects.filter(ballot=ballot)._raw_delete(BallotPaper.objects.db)  # one DELETE, no fetch
        BallotPaper.objects.bulk_create(papers, batch_size=PAPER_BATCH)
    return paper.receipt


def has_voted(ballot: Ballot, member: Member | None) -> bool:
    return member is not None and VoteRecord.objects.filter(ballot=ballot, member=member).exists()


# Closing and publishing


@transaction.atomic
def ballot_close(
    *, ballot: Ballot, actor: User | None = None, now: datetime.datetime | None = None
) -> Ballot:
    """Close a ballot whose voting time is over, count it, and for an election whose last seat is
    tied, draft the run-off. `actor=None` is the periodic task."""
    ballot = _locked(ballot, Status.OPEN, actor=actor)
    now = now or timezone.now()
    if now < ballot.closes_at:
        raise ValidationError(
            _("Voting is open until %(time)s.")
            % {"time": timezone.localtime(ballot.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    ballot.result = ballot_tally(ballot)
    ballot.participants = ballot.result["participants"]
    ballot.status, ballot.closed_at = Status.CLOSED, now
    ballot.save(update_fields=["result", "participants", "status", "closed_at"])
    if ballot.kind == Kind.ELECTION and ballot.result["runoff"]:
        _runoff_draft(ballot, actor)
    return ballot


def _runoff_draft(ballot: Ballot, actor: User | None) -> Ballot:
    labels = {row["key"]: row["label"] for row in ballot.result["candidates"]}
    options = {o.label: o.member for o in ballot.options.all()}
    tied = [labels[key] for key in ballot.result["runoff"]]
    runoff = Ballot(
        organization=ballot.organization,
        kind=Kind.ELECTION,
        runoff_of=ballot,
        title=(_("Run-off: %(title)s") % {"title": ballot.title})[:TITLE_LENGTH],
        description=ballot.description,
        opens_at=ballot.closes_at + datetime.timedelta(days=1),
        closes_at=ballot.closes_at + datetime.timedelta(days=2),
        seats=ballot.result["runoff_seats"],
        created_by=actor,
    )
    runoff.full_clean()
    runoff.save()
    _set_options(runoff, tied, options)
    return runoff


@transaction.atomic
def ballot_publish(*, ballot: Ballot, actor: User) -> Ballot:
    """Publish the results and the bulletin board to the organization."""
    ballot = _locked(ballot, Status.CLOSED, actor=actor)
    ballot.status, ballot.published_at = Status.PUBLISHED, timezone.now()
    ballot.save(update_fields=["status", "published_at"])
    return ballot


def ballots_close_due(*, now: datetime.datetime) -> int:
    """The periodic task: close every open ballot whose time is over. Returns how many."""
    closed = 0
    for pk in Ballot.objects.filter(status=Status.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        try:
            ballot_close(ballot=Ballot(pk=pk), now=now)
        except ValidationError:
            continue  # closed meanwhile
        closed += 1
    return closed
