"""What a sign-in costs with each password hasher, and how long the whole general branch (1,278
members) signing in at once takes on 2 cores.

    DJANGO_DEBUG=1 .venv/bin/python bench/passwords.py [--rounds 15] [--members 1278] [--workers 2]

Hashers: MD5 (the baseline: its hash costs microseconds, so a sign-in with it is the request's own
cost), PBKDF2-SHA256 with Django 5.2's 1,000,000 iterations, scrypt with Django's parameters,
Argon2id with Django's parameters, and Argon2id with this site's (members/hashers.py).

1. `check_password`: CPU time (time.process_time, every thread of the process) and wall time of
   one verification; the median of --rounds, hashers interleaved round by round so that load from
   other work on the machine falls on all of them alike.
2. A full sign-in: a POST of phone number and password to allauth's login page through the Django
   test client (form, authentication, login stages, session, the user-session row), timed inside
   the client's WSGI handler; CPU and wall medians of --rounds, interleaved likewise. The figure
   that matters is the ratio to the MD5 sign-in measured in the same run.
3. Everyone at once: --members verifications split over --workers processes, wall time from the
   first to the last. Each verification runs the same hash: the work does not depend on the salt.
   For whole sign-in requests the script estimates members × sign-in CPU time ÷ workers.

Rate limits are off during the run (a hundred sign-ins from one address would trip them). The
accounts live in var/bench-passwords.sqlite3 (migrated here). Results also go to
bench/out/passwords-<date>.json.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time

import common

PASSWORD = "a long enough passphrase"
HASHERS = [  # (label, hasher class path)
    ("MD5 (baseline)", "django.contrib.auth.hashers.MD5PasswordHasher"),
    ("PBKDF2, Django 5.2", "django.contrib.auth.hashers.PBKDF2PasswordHasher"),
    ("scrypt, Django", "django.contrib.auth.hashers.ScryptPasswordHasher"),
    ("Argon2id, Django", "django.contrib.auth.hashers.Argon2PasswordHasher"),
    ("Argon2id, ebranch", "members.hashers.Argon2PasswordHasher"),
]


def hasher(path: str):
    from django.utils.module_loading import import_string

    return import_string(path)()


def parameters(path: str) -> str:
    h = hasher(path)
    if hasattr(h, "memory_cost"):
        return f"t={h.time_cost}, m={h.memory_cost // 1024} MiB, p={h.parallelism}"
    if hasattr(h, "work_factor"):
        return f"n=2^{h.work_factor.bit_length() - 1}, r={h.block_size}, p={h.parallelism}"
    if hasattr(h, "iterations"):
        return f"{h.iterations:,} iterations"
    return "—"


def memory_mib(path: str) -> float:
    """Memory one verification needs: Argon2's memory_cost; scrypt's 128·r·n bytes."""
    h = hasher(path)
    if hasattr(h, "memory_cost"):
        return h.memory_cost / 1024
    if hasattr(h, "work_factor"):
        return 128 * h.block_size * h.work_factor / 2**20
    return 0.0


def encoded_for(path: str) -> str:
    h = hasher(path)
    return h.encode(PASSWORD, h.salt())


# 1. check_password


def preferring(path: str):
    """Settings with `path` as the preferred hasher, the others known, so nothing is rehashed."""
    from django.test import override_settings

    return override_settings(PASSWORD_HASHERS=[path, *(p for _, p in HASHERS if p != path)])


def time_verification(path: str, encoded: str) -> tuple[int, int]:
    from django.contrib.auth.hashers import check_password

    with preferring(path):
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        assert check_password(PASSWORD, encoded)
        return time.process_time_ns() - cpu, time.perf_counter_ns() - wall


# 2. A full sign-in


def prepare_accounts() -> dict[str, str]:
    """One account per hasher, its password hashed by that hasher; returns hasher path → phone."""
    from django.core.management import call_command

    from members.models import User

    call_command("migrate", verbosity=0)
    phones = {}
    for n, (_, path) in enumerate(HASHERS):
        phone = f"1390000{n:04d}"
        user = User.objects.filter(phone_digest=_digest(phone)).first()
        if user is None:
            user = User.objects.create_user(None, None, phone=phone, display_name=f"bench {n}")
        user.password = encoded_for(path)
        user.save(update_fields=["password"])
        phones[path] = phone
    return phones


def _digest(phone: str) -> str:
    from members.models import digest_phone

    return digest_phone(phone)


def timed_client(cpu_times: list, wall_times: list):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    handler = client.handler

    def timed(environ):
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        response = handler(environ)
        cpu_times.append(time.process_time_ns() - cpu)
        wall_times.append(time.perf_counter_ns() - wall)
        return response

    client.handler = timed
    return client


def time_sign_in(path: str, phone: str) -> tuple[int, int]:
    """One sign-in in a fresh client; the account's hasher is the preferred one, so nothing is rehashed."""
    from django.urls import reverse

    cpu_times, wall_times = [], []
    with preferring(path):
        client = timed_client(cpu_times, wall_times)
        response = client.post(reverse("account_login"), {"login": phone, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/", response.status_code
    return cpu_times[0], wall_times[0]


# 3. Everyone at once


def _worker_setup():
    common.setup(os.environ["DATABASE_URL"])


def _verify_many(job: tuple[str, str, int]) -> int:
    path, encoded, count = job
    h = hasher(path)
    for _ in range(count):
        assert h.verify(PASSWORD, encoded)
    return count


def everyone_at_once(path: str, encoded: str, members: int, workers: int, pool) -> float:
    chunks = [members // workers + (1 if i < members % workers else 0) for i in range(workers)]
    started = time.perf_counter()
    done = sum(pool.map(_verify_many, [(path, encoded, n) for n in chunks], chunksize=1))
    assert done == members
    return time.perf_counter() - started


def median_ms(values: list[int]) -> float:
    return statistics.median(values) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--members", type=int, default=1278)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    common.setup(common.sqlite_url("bench-passwords.sqlite3"))
    from django.conf import settings
    from django.test import override_settings

    override_settings(ACCOUNT_RATE_LIMITS=False).enable()
    settings.DEBUG = False  # no query log
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    phones = prepare_accounts()
    encoded = {path: encoded_for(path) for _, path in HASHERS}
    verify = {path: ([], []) for _, path in HASHERS}
    sign_in = {path: ([], []) for _, path in HASHERS}
    for _, path in HASHERS:  # warm-up: imports, first queries, templates
        time_verification(path, encoded[path])
        time_sign_in(path, phones[path])
    for _ in range(args.rounds):
        for _, path in HASHERS:
            for store, (cpu, wall) in (
                (verify[path], time_verification(path, encoded[path])),
                (sign_in[path], time_sign_in(path, phones[path])),
            ):
                store[0].append(cpu)
                store[1].append(wall)

    baseline_path = HASHERS[0][1]
    baseline_cpu = median_ms(sign_in[baseline_path][0])
    rows = []
    with multiprocessing.get_context("fork").Pool(args.workers, initializer=_worker_setup) as pool:
        pool.map(_verify_many, [(baseline_path, encoded[baseline_path], 1)] * args.workers)  # start-up
        for label, path in HASHERS:
            rows.append({
                "hasher": label,
                "path": path,
                "parameters": parameters(path),
                "memory_mib": memory_mib(path),
                "verify_cpu_ms": median_ms(verify[path][0]),
                "verify_wall_ms": median_ms(verify[path][1]),
                "sign_in_cpu_ms": median_ms(sign_in[path][0]),
                "sign_in_wall_ms": median_ms(sign_in[path][1]),
                "sign_in_ratio": median_ms(sign_in[path][0]) / baseline_cpu,
                "everyone_s": everyone_at_once(path, encoded[path], args.members, args.workers, pool),
                # Whole sign-in requests, from their CPU time, with every core busy.
                "everyone_sign_ins_s": median_ms(sign_in[path][0]) / 1000 * args.members / args.workers,
            })
            print(f"  {label}: done", file=sys.stderr)

    print(f"\n{args.rounds} rounds; {args.members} verifications over {args.workers} processes "
          f"({os.cpu_count()} cores)\n")
    print("| hasher | parameters | memory | check_password CPU (wall) | sign-in CPU (wall) | sign-in ÷ MD5 "
          f"sign-in | {args.members} verifications at once | {args.members} sign-ins (estimate) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['hasher']} | {r['parameters']} | {r['memory_mib']:.0f} MiB | "
            f"{r['verify_cpu_ms']:.1f} ms ({r['verify_wall_ms']:.1f}) | "
            f"{r['sign_in_cpu_ms']:.1f} ms ({r['sign_in_wall_ms']:.1f}) | {r['sign_in_ratio']:.1f}× | "
            f"{r['everyone_s']:.1f} s | {r['everyone_sign_ins_s']:.0f} s |"
        )

    out = common.ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    path = out / f"passwords-{datetime.date.today().isoformat()}.json"
    path.write_text(json.dumps({
        "rounds": args.rounds, "members": args.members, "workers": args.workers, "cores": os.cpu_count(),
        "python": platform.python_version(), "load_average": os.getloadavg(), "rows": rows,
    }, indent=2, ensure_ascii=False))
    print(f"\nDetails: {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
