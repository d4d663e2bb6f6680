"""Demo ballots (found by `seed_demo`), in the demo member's branch (member@demo.ebranch.cn):

- an open resolution on admitting a probationary member, open until a week from today;
- an open election of the branch committee, 3 seats, 4 candidates from the branch's full members;
- a published election held weeks ago, in which all electors but the demo member and one other voted
  (turnout above 4/5, so the election is valid), with one over-marked (invalid) paper and a write-in.

Everything goes through `votes.services` acting as the branch's secretary: papers are cast with
`ballot_cast`, the past election is closed with `ballot_close(now=…)` and published; then its times
are moved back to its days with `update()`, as the transfer demo does. Some members have voted in the
open ballots already; the demo member has not voted in any, so they can try voting (and a receipt is
only ever known to the voter, so they have none for the published one either).

Deterministic for a given day: times count from today, voters and marks come from the roster in
primary-key order and a seeded random generator. Ballots are found by organization and title; one that
exists is left alone, so a second run creates nothing.
"""

import datetime
import random

from django.utils import timezone
from django.utils.translation import gettext_noop

from members.models import Member, Position

from . import services
from .models import Ballot, Elector
from .tally import option_key

SEED = 20261201
DEMO_MEMBER_EMAIL = "member@demo.ebranch.cn"
RESOLUTION = "关于接收林晓东同志为中共预备党员的决议"
RESOLUTION_TEXT = (
    "林晓东同志于2025年3月递交入党申请书，经支部培养考察一年以上，政治审查合格，"
    "入党介绍人为本支部两名正式党员。支委会研究同意接收其为中共预备党员，提请支部党员大会表决。"
)
COMMITTEE = "支部委员会换届选举"
COMMITTEE_TEXT = "选举产生新一届支部委员会，应选委员3名，候选人4名（差额选举）。"
DELEGATES = "推选出席土楼e支部党员代表会议代表"
DELEGATES_TEXT = "应选代表2名，候选人3名（差额选举）。"
WRITE_IN = "黄秀英"
CAST_SHARE = {RESOLUTION: 0.5, COMMITTEE: 0.3}  # electors who have voted already in the open ballots


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def seed(created: dict) -> None:
    created[gettext_noop("ballots")] = 0
    created[gettext_noop("ballot papers cast")] = 0
    demo = Member.objects.filter(user__email=DEMO_MEMBER_EMAIL).select_related("organization").first()
    if demo is None:
        return
    branch = demo.organization
    secretary = (
        Position.objects.active().filter(organization=branch, kind=Position.Kind.SECRETARY)
        .select_related("user").order_by("pk").first()
    )
    if secretary is None:
        return
    actor = secretary.user
    existing = set(Ballot.objects.filter(organization=branch).values_list("title", flat=True))
    full = list(Member.objects.filter(organization=branch, status=Member.Status.FULL).order_by("pk"))
    others = [m for m in full if m.pk != demo.pk and m.user_id != actor.pk]
    if len(others) < 5:
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    ballots = papers = 0

    if RESOLUTION not in existing:
        ballot = services.ballot_create(
            actor=actor, organization=branch, kind=Ballot.Kind.RESOLUTION, title=RESOLUTION,
            description=RESOLUTION_TEXT, opens_at=min(_at(today, 8), now),
            closes_at=_at(today + datetime.timedelta(days=7), 20),
        )
        ballot = services.ballot_open(ballot=ballot, actor=actor)
        papers += _cast_some(ballot, demo, rng, CAST_SHARE[RESOLUTION])
        ballots += 1

    if COMMITTEE not in existing:
        candidates = [m.name for m in _distinct_names(others)[:4]]
        ballot = services.ballot_create(
            actor=actor, organization=branch, kind=Ballot.Kind.ELECTION, title=COMMITTEE,
            description=COMMITTEE_TEXT, seats=3, options=candidates, opens_at=min(_at(today, 8), now),
            closes_at=_at(today + datetime.timedelta(days=5), 20),
        )
        ballot = services.ballot_open(ballot=ballot, actor=actor)
        papers += _cast_some(ballot, demo, rng, CAST_SHARE[COMMITTEE])
        ballots += 1

    if DELEGATES not in existing:
        papers += _published_election(branch, actor, demo, others, rng, today, now)
        ballots += 1

    created[gettext_noop("ballots")] = ballots
    created[gettext_noop("ballot papers cast")] = papers


def _distinct_names(members: list[Member]) -> list[Member]:
    seen, result = set(), []
    for member in members:
        if member.name not in seen:
            seen.add(member.name)
            result.append(member)
    return result


def _voters(ballot: Ballot, demo: Member) -> list[Member]:
    """The electors but the demo member, in primary-key order."""
    electors = Elector.objects.filter(ballot=ballot).exclude(member=demo).values("member_id")
    return list(Member.records.filter(pk__in=electors).order_by("pk"))


def _paper(ballot: Ballot, rng: random.Random) -> dict:
    """A plausible paper: most for; in an election the first candidates do best."""
    if ballot.kind == Ballot.Kind.RESOLUTION:
        draw = rng.random()
        return {"choice": "for" if draw < 0.85 else "abstain" if draw < 0.95 else "against"}
    options = list(ballot.options.all())
    marks, votes_for = {}, 0
    for position, option in enumerate(options):
        chance = 0.9 - 0.12 * position
        wants = rng.random() < chance
        mark = "for" if wants and votes_for < ballot.seats else rng.choice(("against", "abstain"))
        votes_for += mark == "for"
        marks[option_key(option.pk)] = mark
    return {"marks": marks}


def _cast_some(ballot: Ballot, demo: Member, rng: random.Random, share: float) -> int:
    voters = _voters(ballot, demo)
    chosen = voters[: int(len(voters) * share)]
    for member in chosen:
        services.ballot_cast(ballot=ballot, member=member, data=_paper(ballot, rng))
    return len(chosen)


def _published_election(branch, actor, demo, others, rng, today, now) -> int:
    """Held weeks ago: opened, cast, closed after its closing time, published the next morning."""
    opens_at = _at(today - datetime.timedelta(days=40), 9)
    closes_at = _at(today - datetime.timedelta(days=38), 20)
    candidates = [m.name for m in _distinct_names(others)[4:7]] or [m.name for m in others[:3]]
    ballot = services.ballot_create(
        actor=actor, organization=branch, kind=Ballot.Kind.ELECTION, title=DELEGATES,
        description=DELEGATES_TEXT, seats=2, options=candidates, opens_at=opens_at,
        closes_at=now + datetime.timedelta(hours=1),  # moved back to its day once the papers are in
    )
    ballot = services.ballot_open(ballot=ballot, actor=actor)
    voters = _voters(ballot, demo)
    # Everyone but the demo member and, when the turnout stays above 4/5 without them, one more.
    electorate = ballot.electorate_size
    if 5 * (len(voters) - 1) > 4 * electorate:
        voters = voters[:-1]
    keys = [option_key(o.pk) for o in ballot.options.all()]
    for index, member in enumerate(voters):
        if index == 0:  # one paper marks more candidates than seats: cast, counted as invalid
            data = {"marks": dict.fromkeys(keys, "for")}
        elif index == 1 and WRITE_IN not in candidates:  # one voter writes in another person
            data = {"marks": {keys[0]: "for", **dict.fromkeys(keys[1:], "against")}, "write_ins": [WRITE_IN]}
        else:
            data = _paper(ballot, rng)
        services.ballot_cast(ballot=ballot, member=member, data=data)
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=closes_at, opened_at=opens_at)
    ballot = services.ballot_close(ballot=ballot, actor=actor, now=closes_at)
    ballot = services.ballot_publish(ballot=ballot, actor=actor)
    Ballot.objects.filter(pk=ballot.pk).update(published_at=closes_at + datetime.timedelta(hours=14))
    return len(voters)
