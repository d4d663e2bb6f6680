"""Generating a month's dues bills for 100,000 members, as a ratio to one plain SQL statement.

    DJANGO_DEBUG=1 .venv/bin/python bench/bills.py [--rounds 7] [--database-url URL]

Uses make_members.py's large database: by default a copy of var/bench-100000.sqlite3 made into
var/bench-bills-100000.sqlite3 (created with make_members.py first if missing), so the pages
bench's database is never changed. Every member gets an approved yearly base for the year (bases
spread over all brackets and categories, 1% with a mid-year change, 1% owing from a later month),
written set-based once.

Each round, for the same month: the month's bills are deleted (not timed), `bills_generate` runs
(timed: building the statement from the ORM, executing it, committing), the bills are deleted
again, and one hand-written `INSERT … SELECT … ON CONFLICT DO NOTHING` doing the same work runs in
its own transaction (timed). The two alternate so machine load falls on both alike; the figure is
the ratio of the medians. The script checks that both make the same bills, and times a second
`bills_generate` over a month already billed (it must make none).
Results also go to bench/out/bills-<date>-<vendor>.json.
"""

import argparse
import datetime
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from decimal import Decimal

import common

YEAR = 2026
PERIOD = datetime.date(YEAR, 6, 1)
LARGE = common.VAR / "bench-100000.sqlite3"
COPY = common.VAR / "bench-bills-100000.sqlite3"

PLAIN = """
INSERT INTO dues_bill (member_id, organization_id, period, amount, status, created_at)
SELECT yb.member_id, m.organization_id, %s,
       COALESCE((SELECT bc.new_amount FROM dues_basechange bc
                 WHERE bc.yearly_base_id = yb.id AND bc.from_month <= %s
                 ORDER BY bc.from_month DESC, bc.changed_at DESC, bc.id DESC LIMIT 1),
                yb.monthly_amount),
       'unpaid', %s
FROM dues_yearlybase yb JOIN members_member m ON m.id = yb.member_id
WHERE yb.year = %s AND yb.status = 'approved' AND (yb.owes_from IS NULL OR yb.owes_from <= %s)
ON CONFLICT (member_id, period) DO NOTHING
"""


def prepare_sqlite() -> str:
    if not LARGE.exists():
        subprocess.run(
            [sys.executable, str(common.ROOT / "bench/make_members.py"), "--members", "100000",
             "--database-url", common.sqlite_url(LARGE.name)], check=True,
        )
    if not COPY.exists():
        shutil.copyfile(LARGE, COPY)
    return common.sqlite_url(COPY.name)


def bases_prepare() -> int:
    """An approved base for every member, set-based; idempotent."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from dues import rules
    from dues.models import BaseChange, YearlyBase
    from members.models import User

    call_command("migrate", interactive=False, verbosity=0)
    if YearlyBase.objects.filter(year=YEAR).exists():
        return YearlyBase.objects.filter(year=YEAR).count()
    on = datetime.date(YEAR, 1, 1)
    # 40 kinds of base, across every bracket and category: (category, base, fixed amount)
    kinds = [("employed", Decimal(500 + 350 * k), None) for k in range(32)]
    kinds += [("retired", Decimal(2000 + 1000 * k), None) for k in range(5)]
    kinds += [("farmer", Decimal(0), Decimal("0.50")), ("farmer", Decimal(0), None)]
    kinds += [("reduced", Decimal(0), None)]
    rows = [(c, b, rules.monthly_amount(category=c, base=b, on=on, fixed_amount=f)) for c, b, f in kinds]
    n = len(rows)
    case = " ".join(f"WHEN {k} THEN %s" for k in range(n))
    now = datetime.datetime.now(datetime.UTC)
    params = [r[0] for r in rows] + [r[1] for r in rows] + [now] + [r[1] for r in rows] + [r[2] for r in rows]
    params += [datetime.date(YEAR, 9, 1), on, now]
    sql = f"""
        INSERT INTO dues_yearlybase (member_id, year, category, declared_base, declared_at, base,
                                     monthly_amount, status, owes_from, approved_at)
        SELECT m.id, {YEAR}, CASE m.id %% {n} {case} END, CASE m.id %% {n} {case} END, %s,
               CASE m.id %% {n} {case} END, CASE m.id %% {n} {case} END, 'approved',
               CASE WHEN m.id %% 100 = 7 THEN %s ELSE %s END, %s
        FROM members_member m
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        officer = User.objects.filter(is_superuser=True).first() or User.objects.first()
        changes = [
            BaseChange(yearly_base_id=pk, old_amount=amount, new_amount=Decimal("1.00"),
                       from_month=datetime.date(YEAR, 4, 1), reason="bench", changed_by=officer)
            for pk, amount in YearlyBase.objects.filter(year=YEAR).values_list("pk", "monthly_amount")
            if pk % 100 == 3
        ]
        BaseChange.objects.bulk_create(changes)
    with connection.cursor() as cursor:  # fresh planner statistics, outside the transaction (VACUUM)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return YearlyBase.objects.filter(year=YEAR).count()


def clear() -> None:
    from dues.models import Bill

    Bill.objects.filter(period=PERIOD)._raw_delete(Bill.objects.db)


def plain() -> int:
    from django.db import connection, transaction

    now = datetime.datetime.now(datetime.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PLAIN, [PERIOD, PERIOD, now, YEAR, PERIOD])
        return cursor.rowcount


def snapshot() -> list:
    from dues.models import Bill

    return list(Bill.objects.filter(period=PERIOD).order_by("member_id")
                .values_list("member_id", "organization_id", "amount", "status"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database-url", help="default: a copy of var/bench-100000.sqlite3")
    args = parser.parse_args()
    common.setup(args.database_url or prepare_sqlite())

    from django.conf import settings
    from django.db import connection

    from dues.services import bills_generate

    settings.DEBUG = False  # no query log, as in production
    from members.models import Member

    members = Member.objects.count()
    bases = bases_prepare()
    clear()
    made = bills_generate(period=PERIOD)
    ours = snapshot()
    clear()
    assert plain() == made, "the plain statement made a different number of bills"
    assert snapshot() == ours, "the plain statement made different bills"
    orm_times, plain_times = [], []
    for _ in range(args.rounds):
        clear()
        started = time.perf_counter()
        bills_generate(period=PERIOD)
        orm_times.append(time.perf_counter() - started)
        clear()
        started = time.perf_counter()
        plain()
        plain_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    again = bills_generate(period=PERIOD)
    rerun = time.perf_counter() - started
    assert again == 0, "a second run made bills"
    clear()
    orm, base = statistics.median(orm_times), statistics.median(plain_times)
    result = {
        "date": datetime.date.today().isoformat(), "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]), "python": platform.python_version(),
        "members": members, "bases": bases, "bills": made, "rounds": args.rounds,
        "bills_generate_ms": [round(t * 1000, 1) for t in orm_times],
        "plain_sql_ms": [round(t * 1000, 1) for t in plain_times],
        "median_bills_generate_ms": round(orm * 1000, 1), "median_plain_sql_ms": round(base * 1000, 1),
        "ratio": round(orm / base, 3), "second_run_ms": round(rerun * 1000, 1),
    }
    out = common.ROOT / "bench" / "out" / f"bills-{result['date']}-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(
        f"bench bills ({connection.vendor}): {made:,} bills for {members:,} members; "
        f"bills_generate {orm * 1000:.1f} ms, plain SQL {base * 1000:.1f} ms, "
        f"ratio {orm / base:.2f}×; second run {rerun * 1000:.1f} ms (0 bills)"
    )


if __name__ == "__main__":
    main()
