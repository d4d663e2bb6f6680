"""Query counts and server time of the member home page and the officer roster page, at 1,278 and
at 100,000 members.

    DJANGO_DEBUG=1 .venv/bin/python bench/pages.py [--iterations 300] [--members 100000]

For each database (a small one with seed_demo's 1,278 members and a large one topped up by
make_members.py; both prepared here, idempotently) a worker process logs in as the demo member
and the demo secretary and, for each page:

- counts the queries of one request (they must be the same on both databases);
- times the full request through the Django test client: the time spent in its WSGI handler
  (middleware, session, authentication, view, queries, template), i.e. the server's side;
- times rendering the same template with the same context objects the view produced, already
  fetched, so with no database access (checked), interleaved with the requests in the same run;

and reports the median request time as a ratio to the median render time. Results go to
bench/out/pages-<date>-<database>.json; the exit status is 1 when a page's query count grows with
the data.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from copy import copy

import common

PAGES = [  # (label, demo account, URL name, query string; "middle" = the middle page of the roster)
    ("home", "member", "home", {}),
    ("roster, page 1", "secretary", "branches:roster", {}),
    ("roster, middle page", "secretary", "branches:roster", {"page": "middle"}),
    ("roster, search", "secretary", "branches:roster", {"q": "林"}),
]
WARM_UP = 10


def _timed(handler, times: list[int]):
    """The client's WSGI handler, timed: the server's side of a request, without the client's."""

    def timed_handler(environ):
        started = time.perf_counter_ns()
        response = handler(environ)
        times.append(time.perf_counter_ns() - started)
        return response

    return timed_handler


def _capture_render(client, url, data):
    """One request with templates instrumented: its response, first template and context (flat)."""
    from django.template import Template
    from django.test.signals import template_rendered
    from django.test.utils import instrumented_test_render

    rendered = []

    def capture(sender, context, **kwargs):
        rendered.append((sender.name, copy(context)))

    template_rendered.connect(capture)
    original, Template._render = Template._render, instrumented_test_render
    try:
        response = client.get(url, data)
    finally:
        Template._render = original
        template_rendered.disconnect(capture)
    name, context = rendered[0]
    return response, name, context.flatten()


def _measure(client, server_times, label, url, data, iterations) -> dict:
    from django.db import connection
    from django.template import loader
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        assert client.get(url, data).status_code == 200, (label, url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, data)
    sql = [q["sql"] for q in captured.captured_queries]  # read now: each request clears the log

    response, template_name, context = _capture_render(client, url, data)
    template, request = loader.get_template(template_name), response.wsgi_request
    with CaptureQueriesContext(connection) as captured:
        assert len(template.render(context, request)) > 1000, label
    render_queries = len(captured)

    server_times.clear()
    render_times = []
    for _ in range(iterations):
        client.get(url, data)
        started = time.perf_counter_ns()
        template.render(context, request)
        render_times.append(time.perf_counter_ns() - started)
    request_ms = statistics.median(server_times) / 1e6
    render_ms = statistics.median(render_times) / 1e6
    query = "&".join(f"{k}={v}" for k, v in data.items())
    return {
        "page": label,
        "url": f"{url}?{query}" if query else url,
        "template": template_name,
        "queries": len(sql),
        "sql": sql,
        "render_queries": render_queries,
        "request_ms": round(request_ms, 3),
        "render_ms": round(render_ms, 3),
        "ratio": round(request_ms / render_ms, 2),
    }


def worker(iterations: int) -> dict:
    """Measure every page on the database in $DATABASE_URL; runs in its own process."""
    common.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from branches import demo_data
    from branches.models import Organization
    from members.models import Member, User

    # As in production: DEBUG off, so no query log in the timed requests (and no static files
    # collected, which WhiteNoise would warn about).
    warnings.filterwarnings("ignore", message="No directory at")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    branch = Organization.objects.get(code=demo_data.DEMO_BRANCH_CODE)
    roster_size = Member.objects.filter(organization__path__startswith=branch.path).count()
    middle = max(1, ((roster_size + 24) // 25 + 1) // 2)
    clients, server_times = {}, []
    for role in {account for _, account, _, _ in PAGES}:
        client = clients[role] = Client()
        client.force_login(User.objects.get(email=f"{role}@demo.ebranch.cn"))
        client.handler = _timed(client.handler, server_times)

    results = []
    for label, role, url_name, params in PAGES:
        url = reverse(url_name, args=[branch.pk] if url_name == "branches:roster" else [])
        data = {k: str(middle) if v == "middle" else v for k, v in params.items()}
        results.append(_measure(clients[role], server_times, label, url, data, iterations))
    return {
        "database": connection.vendor,
        "name": str(settings.DATABASES["default"]["NAME"]),
        "members": Member.objects.count(),
        "roster_size": roster_size,
        "middle_page": middle,
        "iterations": iterations,
        "pages": results,
    }


def _run(url: str, *args: str, capture: bool = False) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=common.ROOT, check=True, text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def _report(small: dict, large: dict) -> list[tuple[dict, dict]]:
    print()
    print(f"{'':<22}{'queries':>16}  {'request / render, median ms':<32}")
    print(f"{'page':<22}{small['members']:>8,}{large['members']:>8,}  "
          f"{small['members']:>7,} members{large['members']:>20,} members")
    grew = []
    for a, b in zip(small["pages"], large["pages"], strict=True):
        if a["queries"] != b["queries"]:
            grew.append((a, b))
        mark = "" if a["queries"] == b["queries"] else " !"
        print(
            f"{a['page']:<22}{a['queries']:>8}{b['queries']:>8}{mark}  "
            f"{a['ratio']:>5.2f}× ({a['request_ms']:>5.1f} / {a['render_ms']:>4.1f})  "
            f"{b['ratio']:>8.2f}× ({b['request_ms']:>5.1f} / {b['render_ms']:>4.1f})"
        )
        for measured in (a, b):
            if measured["render_queries"]:
                print(f"  warning: the render of {measured['page']} ran {measured['render_queries']} queries")
    print(f"demo branch roster: {small['roster_size']:,} and {large['roster_size']:,} members, "
          f"middle page {small['middle_page']} and {large['middle_page']}")
    for a, b in grew:
        print(f"\nThe query count of {a['page']} grows with the data:")
        for label, measured in (("small", a), ("large", b)):
            print(f"  {label}:", *measured["sql"], sep="\n    ")
    return grew


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000, help="members in the large database")
    parser.add_argument("--iterations", type=int, default=300, help="timed requests per page")
    parser.add_argument("--small-url", default=common.sqlite_url("bench-1278.sqlite3"))
    parser.add_argument("--large-url", help="default: sqlite:///var/bench-<members>.sqlite3")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.iterations)))
        return
    large_url = args.large_url or common.sqlite_url(f"bench-{args.members}.sqlite3")
    here = os.path.relpath(__file__, common.ROOT)
    maker = os.path.join(os.path.dirname(here), "make_members.py")

    runs = {}
    for size, url in [("small", args.small_url), ("large", large_url)]:
        print(f"bench: preparing the {size} database")
        _run(url, maker, "--members", str(1278 if size == "small" else args.members))
        print(f"bench: measuring ({args.iterations} requests a page)")
        output = _run(url, here, "--worker", "--iterations", str(args.iterations), capture=True)
        runs[size] = json.loads(output)

    grew = _report(runs["small"], runs["large"])
    out = common.ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    path = out / f"pages-{datetime.date.today():%Y-%m-%d}-{runs['large']['database']}.json"
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    path.write_text(json.dumps({"machine": machine, **runs}, indent=2, ensure_ascii=False))
    print(f"details and SQL: {os.path.relpath(path)}")
    sys.exit(1 if grew else 0)


if __name__ == "__main__":
    main()
