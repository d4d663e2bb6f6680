"""200 members voting at once: casts per second and the cast's latency, against gunicorn and PostgreSQL,
each figure also as a ratio against baselines measured in the same run by the same clients.

    DJANGO_DEBUG=1 .venv/bin/python bench/votes_load.py [--voters 200] [--workers 5] \
        [--database-url postgres://postgres@127.0.0.1:5432/ebranch_bench_votes_load]

The site runs as in production: `gunicorn ebranch.wsgi` (sync workers, `--workers`), DEBUG off, HTTPS
assumed behind a proxy (`BEHIND_PROXY=1`; the clients send `X-Forwarded-Proto: https`, so secure
cookies, HSTS and the CSRF origin check all apply), sessions and the re-authentication counters in
Redis when it answers at 127.0.0.1:6379 (database 11), static files collected with the manifest
storage. The keys (`DJANGO_SECRET_KEY`, `FIELD_ENCRYPTION_KEYS`, `FIELD_HASH_KEY`) are fixed throwaway
values of this bench, the same for preparing and serving. DJANGO_DEBUG=1 on the command line only
lets the harness start; the server and the preparation run with it off.

Prepared here (idempotently): the database (created when missing, migrated), an organization with a
secretary and `--voters` full members with accounts and one password. Every run opens a new
resolution ballot through `votes.services` (electorate frozen, blank papers laid out).

Then one thread per voter, each with its own cookies and its own loopback source address
(127.0.1.x: sign-in rate limits count per address, as for members on their own phones):

1. GETs allauth's login page (the CSRF token), waits at a barrier until every voter has it, then
   POSTs email + password (baseline 1, "sign-in": one Argon2 password check per request, the
   dominant cost of a cast's re-authentication);
2. waits at a barrier until every voter is signed in, then GETs the ballot's cast page (baseline 2,
   "paper GET": a cheap page, no password check; the form and its CSRF token come from it);
3. waits at a barrier until every voter has the form, then
4. POSTs the paper: a choice drawn per voter (seeded) and the password again (re-authentication),
   following a redirect if the view answers with one, until the page that shows the receipt.

Reported for each of the three phases: requests per second (voters ÷ time from the first request
sent to the last answered) and the p50/p90/p99/max latency (the cast's redirect included), then the
ratios cast ÷ sign-in (throughput, p50, p99) and cast ÷ paper GET (p50, p99). Checked
(the exit status is 1 otherwise): every voter got HTTP 200 with a receipt code on the page; the
receipts are distinct and are exactly the receipts of the ballot's filled papers; there are exactly
`--voters` vote records and filled papers; the papers' choices are exactly the choices sent; no
cast was refused. Results also go to bench/out/votes-load-<date>.json, the server's log to
bench/out/votes-load-gunicorn.log.
"""

import argparse
import base64
import datetime
import html.parser
import http.client
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import common
from votes_tally import database_create

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ebranch_bench_votes_load"
ORG_CODE = "BENCH-LOAD"
PASSWORD = "bench-votes-load-2026"
EMAIL = "voter{n:03d}@bench.ebranch.cn"
SECRETARY_EMAIL = "secretary@bench.ebranch.cn"
SEED = 20261126
RECEIPT = re.compile(r"(?<![A-Za-z0-9_-])[A-HJ-NP-Z2-9]{12}(?![A-Za-z0-9_-])")
CHOICES = ("for", "against", "abstain")
TIMEOUT = 300  # seconds a client waits for an answer
# The access log: method, path, status and the server's time in microseconds; no address, no time.
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"


def production_env(database_url: str, redis_url: str) -> dict:
    """The environment of a production server (.env.example), with throwaway keys of this bench."""
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "ebranch.settings",
        "DJANGO_SECRET_KEY": "bench-votes-load-throwaway-secret-key-not-for-any-site-0123456789",
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"bench-votes-load-throwaway-key!!").decode(),
        "FIELD_HASH_KEY": "bench-votes-load-throwaway-hash-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    return env


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# Preparing the data (in this process, with the server's settings)


def prepare(voters: int):
    """The organization, its secretary and `voters` full members with accounts; idempotent."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from branches.models import Organization
    from branches.services import organization_create
    from members.models import Member, Position, User
    from members.services import member_create, position_assign
    from members.validators import id_number_build

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with transaction.atomic():
        org = Organization.objects.filter(code=ORG_CODE).first() or organization_create(
            parent=None, name="负载测试支部", kind=Organization.Kind.BRANCH, code=ORG_CODE
        )
        secretary = User.objects.filter(email=SECRETARY_EMAIL).first()
        if secretary is None:
            secretary = User.objects.create_user(SECRETARY_EMAIL, PASSWORD, display_name="负载测试书记")
            position_assign(actor=None, user=secretary, organization=org, kind=Position.Kind.SECRETARY,
                            starts_on=datetime.date(2024, 1, 1))
        emails = [EMAIL.format(n=n) for n in range(1, voters + 1)]
        have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        missing = [email for email in emails if email not in have]
        if missing:
            password = make_password(PASSWORD)  # hashed once, with the site's hasher
            User.objects.bulk_create(User(email=email, display_name=email[:8], password=password)
                                     for email in missing)
        users = {u.email: u for u in User.objects.filter(email__in=emails)}
        linked = set(Member.objects.filter(user__in=users.values()).values_list("user__email", flat=True))
        for n, email in enumerate(emails, start=1):
            if email in linked:
                continue
            member_create(
                actor=None, organization=org, user=users[email], status=Member.Status.FULL,
                name=f"投票人{n:03d}", phone=f"137{n:08d}",
                id_number=id_number_build(area_code="350822", birth_date=datetime.date(1980, 1, 1)
                                          + datetime.timedelta(days=n // 400), sequence=n % 400, sex="male"),
                joined_party_on=datetime.date(2010, 6, 1), full_member_on=datetime.date(2011, 6, 1),
                member_since=datetime.date(2015, 1, 1),
            )
    return org, secretary, emails


def ballot_new(org, secretary):
    from django.utils import timezone

    from votes import services
    from votes.models import Ballot

    now = timezone.now()
    ballot = services.ballot_create(
        actor=secretary, organization=org, kind=Ballot.Kind.RESOLUTION,
        title=f"负载测试决议 {timezone.localtime(now):%Y-%m-%d %H:%M:%S}",
        opens_at=now - datetime.timedelta(minutes=1), closes_at=now + datetime.timedelta(hours=2),
    )
    return services.ballot_open(ballot=ballot, actor=secretary)


# The server


def gunicorn_start(env: dict, port: int, workers: int, log_path) -> subprocess.Popen:
    binary = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    access_log = str(log_path).replace(".log", "-access.log")
    if os.path.exists(access_log):
        os.remove(access_log)  # gunicorn appends; the figures are this run's only
    process = subprocess.Popen(
        [binary, "ebranch.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--backlog", "2048", "--access-logfile", access_log,
         "--access-logformat", ACCESS_FORMAT],
        cwd=common.ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"bench: gunicorn exited ({process.returncode}); see {log_path}")
        try:
            status = Session(port, "127.0.0.1").get("/accounts/login/")[0]
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    sys.exit(f"bench: gunicorn did not answer within 60 s; see {log_path}")


# The clients


class Session:
    """One phone: its own loopback address and cookies, HTTPS as seen behind the proxy."""

    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookies = port, address, {}
        self.origin = f"https://127.0.0.1:{port}"

    def request(self, method: str, path: str, fields: dict | None = None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=TIMEOUT, source_address=(self.address, 0)
        )
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "User-Agent": "bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers.update({
                "Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            })
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location"), text
        finally:
            connection.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, fields)

    def follow(self, status, location, text, limit=3):
        while status in (301, 302, 303) and location and limit:
            path = urllib.parse.urlsplit(location).path or "/"
            status, location, text = self.get(path)
            limit -= 1
        return status, location, text


class FormFields(html.parser.HTMLParser):
    """The inputs of the first form posting to `action`: {name: type}, radio values, the CSRF token."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields, self.radios, self.token = {}, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and (attrs.get("action") or self.action) == self.action:
            self.inside = True
        elif self.inside and tag in ("input", "textarea", "select") and attrs.get("name"):
            kind = attrs.get("type", tag)
            if attrs["name"] == "csrfmiddlewaretoken":
                self.token = attrs.get("value")
            elif kind == "radio":
                self.radios.setdefault(attrs["name"], []).append(attrs.get("value"))
            else:
                self.fields[attrs["name"]] = kind

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_of(text: str, action: str) -> FormFields:
    parser = FormFields(action)
    parser.feed(text)
    return parser


class Voter(threading.Thread):
    def __init__(self, n, email, port, ballot_pk, choice, barrier):
        super().__init__(daemon=True)
        self.session = Session(port, f"127.0.1.{n}" if n < 255 else f"127.0.{1 + n // 250}.{n % 250 + 1}")
        self.email, self.path, self.choice, self.barrier = email, f"/votes/{ballot_pk}/cast/", choice, barrier
        self.error, self.receipt, self.status = None, None, None
        self.times = {}  # phase: (started, ended), perf_counter seconds

    def run(self):
        try:
            self.vote()
        except Exception as error:  # reported per voter, never hidden
            self.error = f"{type(error).__name__}: {error}"
            try:
                self.barrier.abort()
            except threading.BrokenBarrierError:
                pass

    def vote(self):
        s = self.session
        status, _, text = s.get("/accounts/login/")
        login = form_of(text, "/accounts/login/")
        assert status == 200 and login.token, f"login page: {status}"
        self.barrier.wait(timeout=TIMEOUT)
        started = time.perf_counter()
        status, location, _ = s.post("/accounts/login/", {
            "csrfmiddlewaretoken": login.token, "login": self.email, "password": PASSWORD,
        })
        self.times["sign_in"] = (started, time.perf_counter())
        assert status == 302 and "sessionid" in s.cookies, f"sign-in: {status} {location}"
        self.barrier.wait(timeout=TIMEOUT)
        started = time.perf_counter()
        status, location, text = s.get(self.path)
        self.times["paper_get"] = (started, time.perf_counter())
        assert status == 200, f"cast page: {status} {location}"
        form = form_of(text, self.path)
        password = next((name for name, kind in form.fields.items() if kind == "password"), None)
        radio = next((name for name, values in form.radios.items() if self.choice in values), None)
        assert form.token and password and radio, f"cast form not understood: {form.fields} {form.radios}"
        fields = {"csrfmiddlewaretoken": form.token, radio: self.choice, password: PASSWORD}
        self.barrier.wait(timeout=TIMEOUT)
        started = time.perf_counter()
        status, location, text = s.follow(*s.post(self.path, fields))
        self.times["cast"] = (started, time.perf_counter())
        self.status = status
        found = RECEIPT.findall(text)
        assert status == 200 and found, f"no receipt: {status} {location}"
        assert len(set(found)) == 1, f"several receipt-like codes on the page: {sorted(set(found))}"
        self.receipt = found[0]


def server_times(access_log, method: str, path: str) -> list[float]:
    """Milliseconds the workers spent on each `method` `path` (from accepting it to the response)."""
    times = []
    for line in access_log.read_text().splitlines():
        logged, url, _, micros = line.split()
        if logged == method and url == path:
            times.append(int(micros) / 1000)
    return times


def phase(voters: list["Voter"], name: str, served: list[float]) -> dict:
    """Requests per second over the phase's window and the client's latency percentiles."""
    spans = [v.times[name] for v in voters if name in v.times]
    if not spans:
        return {}
    latencies = [(ended - started) * 1000 for started, ended in spans]
    window = max(ended for _, ended in spans) - min(started for started, _ in spans)
    return {
        "requests": len(spans), "per_second": round(len(spans) / window, 1) if window else None,
        "window_s": round(window, 2),
        "ms": {p: round(percentile(latencies, n), 1) for p, n in
               (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))},
        "server_ms": {p: round(percentile(served, n), 1) for p, n in (("p50", 50), ("p99", 99))}
        if served else {},
    }


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def check(ballot, voters: list[Voter]) -> list[str]:
    from collections import Counter

    from votes.models import BallotPaper, VoteRecord

    problems = []
    refused = [v for v in voters if v.error or v.receipt is None]
    if refused:
        problems.append(f"{len(refused)} voters got no receipt, e.g. {refused[0].email}: {refused[0].error}")
    receipts = [v.receipt for v in voters if v.receipt]
    if len(set(receipts)) != len(receipts):
        problems.append("two voters were shown the same receipt")
    records = VoteRecord.objects.filter(ballot=ballot).count()
    papers = BallotPaper.objects.filter(ballot=ballot)
    filled = list(papers.filter(receipt__isnull=False).values_list("receipt", "content"))
    blank = papers.filter(receipt__isnull=True).count()
    if records != len(voters):
        problems.append(f"{records} vote records for {len(voters)} voters")
    if len(filled) != len(voters) or blank != 0:
        problems.append(f"{len(filled)} filled and {blank} blank papers for {len(voters)} voters")
    if {r for r, _ in filled} != set(receipts):
        problems.append("the receipts shown are not the receipts of the ballot's papers")
    by_receipt = {r: c for r, c in filled}
    wrong = [v.email for v in voters if v.receipt and by_receipt.get(v.receipt) != {"choice": v.choice}]
    if wrong:
        problems.append(f"{len(wrong)} papers do not hold what their voter chose, e.g. {wrong[0]}")
    if Counter(c["choice"] for _, c in filled) != Counter(v.choice for v in voters):
        problems.append("the papers' choices differ from the choices sent")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn sync workers (default 2 × cores + 1)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_VOTES_LOAD_URL", DEFAULT_URL))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("this bench runs against PostgreSQL")
    database_create(args.database_url)
    redis_url = "redis://127.0.0.1:6379/11" if redis_answers() else ""
    env = production_env(args.database_url, redis_url)
    os.environ.update(env)
    common.setup(args.database_url)

    from django.db import connection

    print("bench: preparing (migrate, collectstatic, members)")
    org, secretary, emails = prepare(args.voters)
    emails = emails[: args.voters]
    ballot = ballot_new(org, secretary)
    connection.close()
    print(f"bench: ballot {ballot.pk} open, electorate {ballot.electorate_size}")

    out = common.ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    log_path = out / "votes-load-gunicorn.log"
    server = gunicorn_start(env, args.port, args.workers, log_path)
    try:
        rng = random.Random(SEED)
        barrier = threading.Barrier(len(emails))  # reused: before sign-in, paper GET and cast
        voters = [Voter(n, email, args.port, ballot.pk, rng.choice(CHOICES), barrier)
                  for n, email in enumerate(emails, start=1)]
        started = time.perf_counter()
        for voter in voters:
            voter.start()
        for voter in voters:
            voter.join(TIMEOUT * 3)
        total = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()

    problems = check(ballot, voters)
    access_log = out / "votes-load-gunicorn-access.log"
    cast_path = f"/votes/{ballot.pk}/cast/"
    phases = {
        "sign_in": phase(voters, "sign_in", server_times(access_log, "POST", "/accounts/login/")),
        "paper_get": phase(voters, "paper_get", server_times(access_log, "GET", cast_path)),
        "cast": phase(voters, "cast", server_times(access_log, "POST", cast_path)),
    }
    for name, figures in phases.items():
        if figures.get("requests") != len(voters):
            problems.append(f"{figures.get('requests', 0)} of {len(voters)} voters finished the {name} phase")
    cast, sign_in, paper = (phases[k] for k in ("cast", "sign_in", "paper_get"))
    ratios = {
        "cast_per_second_over_sign_in": ratio(cast.get("per_second"), sign_in.get("per_second")),
        **{f"cast_{p}_over_sign_in": ratio(cast.get("ms", {}).get(p), sign_in.get("ms", {}).get(p))
           for p in ("p50", "p99")},
        **{f"cast_{p}_over_paper_get": ratio(cast.get("ms", {}).get(p), paper.get("ms", {}).get(p))
           for p in ("p50", "p99")},
    }
    result = {
        "date": datetime.date.today().isoformat(), "python": platform.python_version(),
        "cpus": os.cpu_count(), "platform": platform.platform(), "gunicorn_workers": args.workers,
        "redis": bool(redis_url), "voters": len(voters), "receipts": sum(1 for v in voters if v.receipt),
        "phases": phases, "ratios": ratios, "total_s": round(total, 1), "problems": problems,
    }
    path = out / f"votes-load-{result['date']}.json"
    path.write_text(json.dumps(result, indent=2))

    def line(name, figures):
        if not figures:
            return f"  {name}: no figures"
        ms, server = figures["ms"], figures["server_ms"]
        return (f"  {name}: {figures['per_second']}/s over {figures['window_s']} s; "
                + ", ".join(f"{k} {v:.0f} ms" for k, v in ms.items())
                + f" (in the worker p50 {server.get('p50', 0):.0f} / p99 {server.get('p99', 0):.0f} ms)")

    print(f"bench votes load: {result['receipts']}/{len(voters)} receipts; "
          f"{args.workers} gunicorn workers, Redis {'on' if redis_url else 'off'}")
    for name in ("sign_in", "paper_get", "cast"):
        print(line(name, phases[name]))
    print("  ratios: " + ", ".join(f"{k} {v}" for k, v in ratios.items()))
    for problem in problems:
        print(f"  FAILED: {problem}")
    print(f"details: {os.path.relpath(path)}; server log: {os.path.relpath(log_path)}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
