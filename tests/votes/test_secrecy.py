"""The secret ballot (DOMAIN.md, issue 7): after twelve members cast their papers through the pages,
in a known order, nothing stored, logged, audited, queued, cached or kept in a session ties a voter
to a choice, and no order or row version of the papers follows the order of casting.

Every voter writes in a different person, so each paper's content is as recognisable as its
receipt code; a voter is recognised by their member or account id in a column that refers to
members or accounts, their name, e-mail address, phone number or its keyed digest. SQL logging is
on for the whole run (every statement with its parameters) and Celery's sending is watched.
Runs on SQLite and on PostgreSQL, where the system column `xmin` is checked as well.
"""

import io
import json
import logging
import pickle
import random

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from ebranch.lib import crypto
from ebranch.lib.logging import DropBallotPaperSQL, MaskPersonalData
from members.models import Member
from members.notifications.models import Notification
from tests import factories
from tests.votes.test_services import create
from votes import services
from votes.models import Ballot, BallotPaper, VoteRecord

VOTERS = 12
LOGGED = "django.db.backends"


def text_of(value) -> str:
    """A column's value as text; JSON kept as text (SQLite escapes non-ASCII as \\u…) also decoded."""
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value[:1] in ("{", "[", '"'):
        try:
            return f"{value} {json.dumps(json.loads(value), ensure_ascii=False)}"
        except ValueError:
            pass
    return str(value)


class Voter:
    def __init__(self, n: int, member: Member):
        self.n, self.member, self.user = n, member, member.user
        self.write_in = f"另选{n:02d}号"  # on this voter's paper only
        self.texts = [member.name, self.user.display_name, self.user.email, member.phone,
                      crypto.digest(member.phone), member.phone_digest, member.id_number_digest]
        assert all(self.texts)
        self.receipt = None


@pytest.fixture
def voters(world) -> list[Voter]:
    people = [Voter(0, world.member.member)]
    for n in range(1, VOTERS):
        user = factories.user(name=f"投票人{n:02d}", email=f"voter{n:02d}@example.com")
        member = factories.member(organization=world.branch, user=user, name=f"投票人{n:02d}",
                                  phone=f"1380597{n:04d}")
        people.append(Voter(n, member))
    random.Random(VOTERS).shuffle(people)  # the order of casting: not the order of ids
    return people


@pytest.fixture
def sql_logged(caplog):
    """Every record of every logger at DEBUG, SQL with its parameters included, both as a test capture
    and through the handler settings.LOGGING configures."""
    console = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, MaskPersonalData) for f in h.filters)
    )
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger=LOGGED)
    connection.force_debug_cursor = True
    try:
        yield caplog, buffer
    finally:
        connection.force_debug_cursor = False
        console.setStream(previous)


@pytest.fixture
def sent(monkeypatch) -> list:
    """Every Celery task sent and every message published, whatever the broker."""
    calls = []
    monkeypatch.setattr("celery.app.task.Task.apply_async", lambda *a, **k: calls.append(("task", a, k)))
    monkeypatch.setattr("kombu.Producer.publish", lambda *a, **k: calls.append(("publish", a, k)))
    return calls


def marks_of(ballot, n: int) -> dict:
    """One candidate for (which one varies), the others against or abstaining: valid with a write-in."""
    keys = [f"o{pk}" for pk in ballot.options.values_list("pk", flat=True)]
    return {
        key: "for" if i == n % 3 else ("against" if (n + i) % 2 else "abstain") for i, key in enumerate(keys)
    }


def cast_through_the_page(client, ballot, voter: Voter) -> str:
    client.force_login(voter.user)
    data = {f"mark-{key}": mark for key, mark in marks_of(ballot, voter.n).items()}
    data.update(write_in_1=voter.write_in, write_in_2="", password=factories.TEST_PASSWORD)
    known = set(BallotPaper.objects.filter(receipt__isnull=False).values_list("receipt", flat=True))
    response = client.post(reverse("votes:cast", args=[ballot.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    receipts = [r for r in BallotPaper.objects.filter(ballot=ballot).values_list("receipt", flat=True)
                if r and r not in known]
    assert len(receipts) == 1 and receipts[0] in html  # shown to the voter, once
    voter_session = client.session
    assert not [m for m in (receipts[0], voter.write_in) if m in text_of(dict(voter_session.items()))]
    return receipts[0]


def papers_xmin(ballot) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text, receipt FROM votes_ballotpaper WHERE ballot_id = %s", [ballot.pk])
        return {xmin for xmin, _receipt in cursor.fetchall()}


def records_xmin(ballot) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text, member_id FROM votes_voterecord WHERE ballot_id = %s", [ballot.pk])
        return {xmin for xmin, _member in cursor.fetchall()}


def who_voted_order(ballot) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ballot_id, member_id FROM votes_voterecord")  # no index covers it
        return [m for _id, b, m in cursor.fetchall() if b == ballot.pk]


def member_and_user_columns(cursor, table) -> dict[str, str]:
    """Columns that refer to a member or an account: {column: "member" | "user"}."""
    tables = {Member._meta.db_table: "member", settings.AUTH_USER_MODEL.lower().replace(".", "_"): "user"}
    columns = {
        column: tables[target]
        for column, (_field, target) in connection.introspection.get_relations(cursor, table).items()
        if target in tables
    }
    if table in tables:
        columns["id"] = tables[table]
    return columns


def rows_linking(voters: list[Voter], markers: list[str]) -> list[str]:
    """Every row of every table that names a voter and also holds a receipt or a paper's content."""
    members = {v.member.pk for v in voters}
    users = {v.user.pk for v in voters}
    texts = [t for v in voters for t in v.texts]
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            refers = member_and_user_columns(cursor, table)
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the schema)
            for row in cursor.fetchall():
                values = dict(zip(columns, row, strict=True))
                text = " ".join(text_of(v) for v in row if v is not None)
                names_voter = any(t in text for t in texts) or any(
                    values[c] in (members if kind == "member" else users) for c, kind in refers.items()
                )
                if names_voter and any(m in text for m in markers):
                    hits.append(f"{table}: {values}")
    return hits


def natural_order(ballot) -> tuple[list[str], list[str]]:
    """The cast papers' receipts as the database returns them unordered, and in the order of their ids."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ballot_id, receipt FROM votes_ballotpaper")  # no index covers it
        unordered = [r for _id, b, r in cursor.fetchall() if b == ballot.pk and r]
        cursor.execute("SELECT ballot_id, receipt FROM votes_ballotpaper ORDER BY id")
        by_id = [r for b, r in cursor.fetchall() if b == ballot.pk and r]
    return unordered, by_id


@pytest.mark.django_db(transaction=True)

def _text_of_stored(value) -> str:
    if isinstance(value, bytes):
        try:
            return text_of(pickle.loads(value))
        except Exception:
            return value.decode("utf-8", "replace")
    return text_of(value)


def cache_entries() -> list[str]:
    """Every key and value in the default cache: the local-memory cache of the tests, or Redis (every
    key of its database, Celery's queues included) when REDIS_URL is set, as on CI."""
    cache = caches["default"]._cache
    if hasattr(cache, "get_client"):
        client = cache.get_client()
        entries = []
        for key in client.keys("*"):
            kind = client.type(key)
            if kind == b"string":
                values = [client.get(key)]
            elif kind == b"list":
                values = client.lrange(key, 0, -1)
            elif kind == b"hash":
                values = list(client.hgetall(key).values())
            elif kind in (b"set", b"zset"):
                values = list(client.smembers(key)) if kind == b"set" else client.zrange(key, 0, -1)
            else:
                values = []
            entries += [key.decode("utf-8", "replace"), *map(_text_of_stored, values)]
        return entries
    return [*map(str, cache), *map(_text_of_stored, cache.values())]


def test_nothing_ties_a_voter_to_their_paper(client, world, voters, sql_logged, sent):
    caplog, buffer = sql_logged
    ballot = create(world, Ballot.Kind.ELECTION, seats=2, options=["候选甲", "候选乙", "候选丙"])
    ballot = services.ballot_open(ballot=ballot, actor=world.secretary)
    opening_order = list(BallotPaper.objects.filter(ballot=ballot).values_list("pk", flat=True))
    notifications = Notification.objects.count()
    caplog.clear()
    sent.clear()

    xmins, slots, voted_slots = [], [], []
    for voter in voters:
        voter.receipt = cast_through_the_page(client, ballot, voter)
        unordered = natural_order(ballot)[0]
        slots.append((unordered.index(voter.receipt), len(unordered)))  # where the newest paper lies
        voted = who_voted_order(ballot)
        voted_slots.append((voted.index(voter.member.pk), len(voted)))  # and the newest who-voted row
        if connection.vendor == "postgresql":
            # One row version for every paper and who-voted row of the ballot: xmin singles out neither
            # the paper written nor the member who voted last.
            assert len(papers_xmin(ballot)) == 1 and records_xmin(ballot) == papers_xmin(ballot)
            xmins.append(papers_xmin(ballot).pop())
    receipts = [v.receipt for v in voters]
    markers = receipts + [v.write_in for v in voters]

    # The papers are really there, with their contents, and the voters are recorded as having voted.
    cast = BallotPaper.objects.filter(ballot=ballot, receipt__isnull=False)
    papers = dict(cast.values_list("receipt", "content"))
    assert set(papers) == set(receipts)
    assert all(papers[v.receipt]["write_ins"] == [v.write_in] for v in voters)
    assert set(VoteRecord.objects.filter(ballot=ballot).values_list("member", flat=True)) == {
        v.member.pk for v in voters
    }

    # Every table, every row.
    assert rows_linking(voters, markers) == []
    with connection.cursor() as cursor:
        describe = connection.introspection.get_table_description
        assert {c.name for c in describe(cursor, "votes_voterecord")} == {"id", "ballot_id", "member_id"}
        assert {c.name for c in describe(cursor, "votes_ballotpaper")} == {
            "id", "ballot_id", "cast_on", "receipt", "content", "valid",
        }
        assert member_and_user_columns(cursor, "votes_ballotpaper") == {}
    dates = set(BallotPaper.objects.filter(ballot=ballot).values_list("cast_on", flat=True))
    assert dates == {ballot.ballot_date}

    # No order follows the order of casting: not the papers' ids, not the order the database returns
    # them in. After each cast the newest paper lies anywhere among the cast ones, not always first or
    # last (in place, PostgreSQL moved a paper being filled behind the blank ones that stayed put).
    unordered, by_id = natural_order(ballot)
    assert sorted(unordered) == sorted(by_id) == sorted(receipts)
    assert unordered != receipts and unordered != receipts[::-1]
    assert by_id != receipts and by_id != receipts[::-1]
    for later in (slots[1:], voted_slots[1:]):
        assert not all(slot == n - 1 for slot, n in later) and not all(slot == 0 for slot, _n in later)
    assert who_voted_order(ballot) != [v.member.pk for v in voters]
    assert list(BallotPaper.objects.filter(ballot=ballot).values_list("pk", flat=True)) != opening_order
    if connection.vendor == "postgresql":
        assert len(set(xmins)) == VOTERS  # each cast rewrote every paper

    # Logs: SQL was logged, but never a statement about papers, and no receipt or content at all.
    records = caplog.records
    logged = [
        " ".join([r.getMessage(), text_of(r.args), text_of(getattr(r, "sql", "")),
                  text_of(getattr(r, "params", ""))])
        for r in records
    ]
    assert any('INSERT INTO "votes_voterecord"' in line for line in logged)
    assert not [line for line in logged if "votes_ballotpaper" in line]
    assert not [line for line in logged if any(m in line for m in markers)]
    console = buffer.getvalue()
    assert 'INSERT INTO "votes_voterecord"' in console and "votes_ballotpaper" not in console
    assert not [m for m in markers if m in console]

    # No audit entry, notification, queued task, session or cache entry.
    assert not LogEntry.objects.filter(content_type__app_label="votes").exists()
    assert not [m for m in apps.get_app_config("votes").get_models() if auditlog.contains(m)]
    assert Notification.objects.count() == notifications
    assert sent == []
    sessions = [text_of(dict(s.get_decoded())) for s in Session.objects.all()]
    assert sessions and not [m for m in markers if any(m in data for data in sessions)]
    blob = " ".join(cache_entries())
    assert "django.contrib.sessions" in blob  # the scan reads the cache: sessions are cached there
    assert not [m for m in markers if m in blob]
    assert not [m for m in markers if m in str(client.cookies)]

    # The scan finds a link where there is one: a message to a voter quoting their receipt, and a
    # member's id written beside a paper's content.
    Notification.objects.create(recipient=voters[1].user, kind="test", title="回执", body=voters[1].receipt)
    BallotPaper.objects.filter(receipt=voters[2].receipt).update(
        content={"write_ins": [voters[2].write_in], "by": voters[2].member.name}
    )
    assert [hit.split(":")[0] for hit in rows_linking(voters, markers)] == [
        "notifications_notification", "votes_ballotpaper",
    ]


# The logging filter


def record(name: str, sql: str, *, msg="(%.3f) %s; args=%s; alias=%s") -> logging.LogRecord:
    made = logging.LogRecord(name, logging.DEBUG, __file__, 1, msg, (0.001, sql, ("X",), "default"), None)
    made.sql, made.params = sql, ("X",)
    return made


@pytest.mark.parametrize(("name", "sql", "kept"), [
    (LOGGED, 'UPDATE "votes_ballotpaper" SET "receipt" = CASE WHEN ("id" = %s) THEN %s', False),
    (LOGGED, 'SELECT "votes_ballotpaper"."id" FROM "votes_ballotpaper" ORDER BY RANDOM()', False),
    (LOGGED, "select id from VOTES_BALLOTPAPER", False),
    (f"{LOGGED}.schema", 'CREATE TABLE "votes_ballotpaper" ("id" uuid NOT NULL PRIMARY KEY)', False),
    (LOGGED, 'INSERT INTO "votes_voterecord" ("id", "ballot_id", "member_id") VALUES (%s, %s, %s)', True),
    (LOGGED, 'SELECT "votes_ballot"."id" FROM "votes_ballot" FOR UPDATE', True),
    ("votes", "votes_ballotpaper", True),  # only SQL records are dropped
])
def test_the_filter_drops_sql_about_ballot_papers(name, sql, kept):
    assert DropBallotPaperSQL().filter(record(name, sql)) is kept


def test_the_filter_judges_a_record_without_sql_attributes_by_its_message():
    sql = 'DELETE FROM "votes_ballotpaper"'
    bare = logging.LogRecord(LOGGED, logging.DEBUG, __file__, 1, "%s", (sql,), None)
    assert DropBallotPaperSQL().filter(bare) is False
    broken = logging.LogRecord(LOGGED, logging.DEBUG, __file__, 1, "%s %s", ("votes_ballotpaper",), None)
    assert DropBallotPaperSQL().filter(broken) is False


def test_the_filter_is_on_the_sql_logger_and_every_handler():
    assert "drop_ballot_paper_sql" in settings.LOGGING["loggers"][LOGGED]["filters"]
    for name, handler in settings.LOGGING["handlers"].items():
        assert "drop_ballot_paper_sql" in handler.get("filters", []), name
    assert any(isinstance(f, DropBallotPaperSQL) for f in logging.getLogger(LOGGED).filters)
    handlers = logging.getLogger().handlers
    configured = [h for h in handlers if any(isinstance(f, MaskPersonalData) for f in h.filters)]
    assert configured and all(any(isinstance(f, DropBallotPaperSQL) for f in h.filters) for h in configured)


def test_with_the_filter_a_cast_logs_its_who_voted_row_but_not_its_paper(world, caplog):
    ballot = services.ballot_open(ballot=create(world), actor=world.secretary)
    caplog.set_level(logging.DEBUG, logger=LOGGED)
    connection.force_debug_cursor = True
    try:
        receipt = services.ballot_cast(ballot=ballot, member=world.member.member, data={"choice": "against"})
    finally:
        connection.force_debug_cursor = False
    sql = [getattr(r, "sql", "") for r in caplog.records if r.name == LOGGED]
    assert any("votes_voterecord" in s for s in sql)
    assert not [s for s in sql if "votes_ballotpaper" in s]
    assert not [r for r in caplog.records if receipt in r.getMessage() or "against" in text_of(r.args)]
    # …and without it, the paper's UPDATE (receipt and content) would have been logged.
    logging.getLogger(LOGGED).removeFilter(next(
        f for f in logging.getLogger(LOGGED).filters if isinstance(f, DropBallotPaperSQL)
    ))
    try:
        caplog.clear()
        connection.force_debug_cursor = True
        other = services.ballot_cast(ballot=ballot, member=world.secretary.member, data={"choice": "for"})
    finally:
        connection.force_debug_cursor = False
        logging.getLogger(LOGGED).addFilter(DropBallotPaperSQL())
    assert any(other in text_of(r.args) for r in caplog.records)
