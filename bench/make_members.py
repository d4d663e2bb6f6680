"""Generate a large roster for the benchmark, on top of seed_demo's tree and 1,278 members.

    DJANGO_DEBUG=1 .venv/bin/python bench/make_members.py --members 100000

Migrates the database, runs seed_demo, then adds deterministic members (set-based, bulk inserts)
until there are --members in all, and refreshes the planner statistics ([VACUUM] ANALYZE).
Re-running with the same number adds nothing. The database is $DATABASE_URL, or
var/bench.sqlite3 when it is unset; never the demo database.
"""

import argparse
import io
import time

import common

BENCH_SEED = 100_000
BATCH = 5_000


def top_up(target: int) -> int:
    from django.db import transaction

    from branches import demo_data
    from branches.models import Township, WorkPlace
    from branches.services import branch_suggest
    from members.demo import PeopleMaker
    from members.models import Member, digest_id_number

    existing = set(Member.objects.values_list("id_number_digest", flat=True))
    missing = target - len(existing)
    if missing <= 0:
        return 0
    townships = {t.name: t for t in Township.objects.all()}
    places = {p.name: p for p in WorkPlace.objects.all()}
    maker = PeopleMaker(
        BENCH_SEED, township_weights=demo_data.TOWNSHIP_WEIGHTS,
        work_place_weights={place.name: place.branch_count for place in demo_data.PLACES},
    )
    branches = {}
    created = 0
    batch: list[Member] = []
    with transaction.atomic():
        while created < missing:
            person = maker.person()
            digest = digest_id_number(person.id_number)
            if digest in existing:  # already there from an earlier run, or a demo member
                continue
            existing.add(digest)
            key = (person.work_place, person.home_township)
            if key not in branches:
                branches[key] = branch_suggest(work_place=places[key[0]], home_township=townships[key[1]])
            member = Member(
                name=person.name, sex=person.sex, ethnicity=person.ethnicity, birth_date=person.birth_date,
                education=person.education, university=person.university,
                graduation_year=person.graduation_year, home_township=townships[person.home_township],
                work_place=places[person.work_place], employer=person.employer,
                joined_party_on=person.joined_party_on, full_member_on=person.full_member_on,
                status=person.status, organization=branches[key], member_since=person.member_since,
            )
            member.set_id_number(person.id_number)
            member.set_phone(person.phone)
            batch.append(member)
            created += 1
            if len(batch) == BATCH or created == missing:
                Member.objects.bulk_create(batch)
                batch = []
                print(f"  {created:,} / {missing:,} members added", end="\r", flush=True)
    print()
    return created


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000, help="members in all (default 100000)")
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else sqlite:///var/bench.sqlite3")
    args = parser.parse_args()
    common.setup(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from members.models import Member

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    added = top_up(args.members)
    with connection.cursor() as cursor:
        # Fresh planner statistics (and on PostgreSQL a visibility map for index-only scans), as
        # after any bulk load; autovacuum would do it in time, SQLite never does. Without them
        # SQLite scans the whole member table for a roster.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    elapsed = time.perf_counter() - started
    print(
        f"bench: {Member.objects.count():,} members in {connection.settings_dict['NAME']} "
        f"({added:,} added, {elapsed:.1f} s)"
    )


if __name__ == "__main__":
    main()
