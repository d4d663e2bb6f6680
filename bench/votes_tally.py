"""Tallying 1,000,000 cast papers, as a ratio to plain SQL over the same rows (PostgreSQL).

    DJANGO_DEBUG=1 .venv/bin/python bench/votes_tally.py [--papers 1000000] [--rounds 7] \
        [--database-url postgres://postgres@127.0.0.1:5432/ebranch_bench_votes]

The database (default `ebranch_bench_votes` on 127.0.0.1) is created when missing and migrated. It
gets one organization and two ballots, a resolution and a 5-candidate election for 3 seats, each
with `--papers` cast papers inserted by one `INSERT … SELECT … FROM generate_series` with random
choices made in SQL, the content JSON exactly as `votes/tally.py` documents it:

    resolution  {"choice": "for" | "against" | "abstain"}           (60 % for, 30 % against, 10 % abstain)
    election    {"marks": {"o<id>": "for" | "against" | "abstain", …}, "write_ins": […]}
                (each candidate for with a probability of 32–60 %, drawn per paper and candidate; 1 % of
                papers write in one of three names; a paper with more "for" than seats is invalid)

A second run finds both ballots with their papers and only measures (`--fresh` inserts them again).
Then, round by round and alternating so that machine load falls on both alike:

- `votes.tally.ballot_tally(ballot)` (the options query, the ORM's GROUP BY or aggregate, the
  write-ins query, the rules) against
- the plain SQL a person would write: `SELECT content->>'choice', count(*) … GROUP BY 1` for the
  resolution; one `count(*) FILTER (WHERE …)` per candidate and mark, plus the write-ins counted
  with `jsonb_array_elements_text … GROUP BY 1`, for the election.

It checks that both give the same counts and reports the medians and their ratio (aim: within 2×).
DEBUG is off. Results also go to bench/out/votes-tally-<date>.json.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from urllib.parse import urlparse

import common

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ebranch_bench_votes"
ORG_CODE = "BENCH-VOTES"
RESOLUTION_TITLE = "bench: resolution"
ELECTION_TITLE = "bench: election"
CANDIDATES = ("候选人甲", "候选人乙", "候选人丙", "候选人丁", "候选人戊")
SEATS = 3
WRITE_INS = ("另选甲", "另选乙", "另选丙")
MARKS = ("for", "against", "abstain")


def database_create(url: str) -> None:
    """CREATE DATABASE when missing (as `createdb` would), through the server's `postgres` database."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"bench: created database {name}")
    connection.close()


RESOLUTION_PAPERS = """
INSERT INTO votes_ballotpaper (id, ballot_id, cast_on, receipt, content, valid)
SELECT gen_random_uuid(), %(ballot)s, %(day)s, 'R' || %(ballot)s || '-' || g,
       jsonb_build_object(
           'choice', CASE WHEN r < 0.6 THEN 'for' WHEN r < 0.9 THEN 'against' ELSE 'abstain' END
       ),
       true
FROM (SELECT g, random() AS r FROM generate_series(1, %(papers)s) AS g) AS draws
"""

# Each candidate's mark drawn apart, per paper and candidate (for with probability 0.25 + 0.07 × position,
# 0.32–0.60; the rest against or abstain), 1 % of papers write in one name; a paper with more "for" than
# seats is invalid. The lateral draw names both the paper and the option, so that PostgreSQL evaluates it
# for each pair (a subquery naming neither is evaluated once).
ELECTION_PAPERS = """
INSERT INTO votes_ballotpaper (id, ballot_id, cast_on, receipt, content, valid)
SELECT gen_random_uuid(), %(ballot)s, %(day)s, 'E' || %(ballot)s || '-' || g,
       CASE WHEN write_in IS NULL THEN jsonb_build_object('marks', marks)
            ELSE jsonb_build_object('marks', marks, 'write_ins', jsonb_build_array(write_in)) END,
       (SELECT count(*) FROM jsonb_each_text(marks) AS m WHERE m.value = 'for')
           + (write_in IS NOT NULL)::int <= %(seats)s
FROM (
    SELECT g,
           (SELECT jsonb_object_agg(
                       'o' || o.id,
                       CASE WHEN r.x < 0.25 + 0.07 * o.position THEN 'for'
                            WHEN r.x < 0.85 THEN 'against' ELSE 'abstain' END)
              FROM votes_option AS o
              CROSS JOIN LATERAL (SELECT random() + 0 * o.id + 0 * g AS x) AS r
             WHERE o.ballot_id = %(ballot)s) AS marks,
           CASE WHEN random() < 0.01
                THEN (%(write_ins)s::text[])[1 + floor(random() * 3)::int] END AS write_in
    FROM generate_series(1, %(papers)s) AS g
) AS draws
"""


def prepare(papers: int, fresh: bool = False):
    """The organization and both ballots with their papers; idempotent unless `fresh`."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from branches.models import Organization
    from branches.services import organization_create
    from votes.models import Ballot, BallotPaper, Option

    call_command("migrate", interactive=False, verbosity=0)
    org = Organization.objects.filter(code=ORG_CODE).first() or organization_create(
        parent=None, name="基准测试支部", kind=Organization.Kind.BRANCH, code=ORG_CODE
    )
    opens = timezone.now() - datetime.timedelta(days=2)
    ballots = {}
    for kind, title in ((Ballot.Kind.RESOLUTION, RESOLUTION_TITLE), (Ballot.Kind.ELECTION, ELECTION_TITLE)):
        ballot = Ballot.objects.filter(organization=org, title=title).first()
        if not fresh and ballot is not None and BallotPaper.objects.filter(ballot=ballot).count() == papers:
            ballots[kind] = ballot
            continue
        with transaction.atomic():
            if ballot is not None:  # another size asked for, or --fresh: start again
                BallotPaper.objects.filter(ballot=ballot).delete()
                ballot.options.all().delete()
                ballot.delete()
            ballot = Ballot.objects.create(
                organization=org, kind=kind, title=title, status=Ballot.Status.OPEN, opens_at=opens,
                closes_at=opens + datetime.timedelta(days=1), opened_at=opens, electorate_size=papers,
                seats=SEATS if kind == Ballot.Kind.ELECTION else None,
            )
            if kind == Ballot.Kind.ELECTION:
                Option.objects.bulk_create(
                    Option(ballot=ballot, label=label, position=n) for n, label in enumerate(CANDIDATES, 1)
                )
            started = time.perf_counter()
            sql = RESOLUTION_PAPERS if kind == Ballot.Kind.RESOLUTION else ELECTION_PAPERS
            with connection.cursor() as cursor:
                cursor.execute(sql, {
                    "ballot": ballot.pk, "day": ballot.ballot_date, "papers": papers, "seats": SEATS,
                    "write_ins": list(WRITE_INS),
                })
            print(f"bench: {papers:,} {kind} papers inserted in {time.perf_counter() - started:.1f} s")
        ballots[kind] = ballot
    with connection.cursor() as cursor:  # fresh statistics and visibility map, outside a transaction
        cursor.execute("VACUUM ANALYZE votes_ballotpaper")
    return ballots


def plain_resolution(ballot) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content->>'choice', count(*) FROM votes_ballotpaper "
            "WHERE ballot_id = %s AND receipt IS NOT NULL GROUP BY 1",
            [ballot.pk],
        )
        return dict(cursor.fetchall())


def plain_election(ballot, keys: list[str]) -> dict:
    from django.db import connection

    columns = ["count(*)", "count(*) FILTER (WHERE NOT valid)"]
    params = []
    for key in keys:
        for mark in MARKS:
            columns.append("count(*) FILTER (WHERE valid AND content->'marks'->>%s = %s)")
            params += [key, mark]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM votes_ballotpaper "
            "WHERE ballot_id = %s AND receipt IS NOT NULL",
            [*params, ballot.pk],
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT name, count(*) "
            "FROM votes_ballotpaper, jsonb_array_elements_text(content->'write_ins') AS name "
            "WHERE ballot_id = %s AND receipt IS NOT NULL AND valid AND content ? 'write_ins' GROUP BY 1",
            [ballot.pk],
        )
        write_ins = dict(cursor.fetchall())
    marks, values = {}, iter(row[2:])
    for key in keys:
        for mark in MARKS:
            marks.setdefault(key, {})[mark] = next(values)
    return {"participants": row[0], "invalid": row[1], "marks": marks, "write_ins": write_ins}


def check_same(ballot, result: dict, plain: dict) -> None:
    if ballot.kind == "resolution":
        assert result["choices"] == {m: plain.get(m, 0) for m in MARKS}, (result, plain)
        return
    assert (result["participants"], result["invalid"]) == (plain["participants"], plain["invalid"])
    rows = {row["key"]: row for row in result["candidates"]}
    for key, marks in plain["marks"].items():
        assert {m: rows[key][m] for m in MARKS} == marks, (key, rows[key], marks)
    write_ins = {row["label"]: row["for"] for row in result["candidates"] if row.get("write_in")}
    assert write_ins == plain["write_ins"], (write_ins, plain["write_ins"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=1_000_000, help="cast papers per ballot")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="insert the papers again")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_VOTES_URL", DEFAULT_URL))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("this bench needs PostgreSQL (generate_series, jsonb)")
    database_create(args.database_url)
    common.setup(args.database_url)

    from django.conf import settings
    from django.db import connection

    from votes.tally import ballot_tally, option_key

    settings.DEBUG = False  # no query log, as in production
    ballots = prepare(args.papers, args.fresh)
    results = {}
    for kind, ballot in ballots.items():
        keys = [option_key(pk) for pk in ballot.options.values_list("pk", flat=True)]

        def plain(ballot=ballot, keys=keys):
            return plain_resolution(ballot) if ballot.kind == "resolution" else plain_election(ballot, keys)

        check_same(ballot, ballot_tally(ballot), plain())  # and a warm cache for both
        tally_times, plain_times = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            ballot_tally(ballot)
            tally_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            plain()
            plain_times.append(time.perf_counter() - started)
        tally, base = statistics.median(tally_times), statistics.median(plain_times)
        result = ballot_tally(ballot)
        results[kind] = {
            "papers": result["participants"],
            "tally_ms": [round(t * 1000, 1) for t in tally_times],
            "plain_sql_ms": [round(t * 1000, 1) for t in plain_times],
            "median_tally_ms": round(tally * 1000, 1),
            "median_plain_sql_ms": round(base * 1000, 1),
            "ratio": round(tally / base, 3),
            "result": result,
        }
        print(
            f"bench votes tally, {kind}: {result['participants']:,} papers; "
            f"ballot_tally {tally * 1000:.0f} ms, "
            f"plain SQL {base * 1000:.0f} ms, ratio {tally / base:.2f}× (median of {args.rounds})"
        )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    out = common.ROOT / "bench" / "out" / f"votes-tally-{datetime.date.today():%Y-%m-%d}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "date": datetime.date.today().isoformat(), "postgresql": server, "python": platform.python_version(),
        "cpus": os.cpu_count(), "rounds": args.rounds, **results,
    }, indent=2, ensure_ascii=False, default=str))
    print(f"details: {os.path.relpath(out)}")


if __name__ == "__main__":
    main()
