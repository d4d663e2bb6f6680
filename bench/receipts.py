"""Milliseconds and kilobytes per receipt PDF, against rendering the same HTML without the PDF step.

    DJANGO_DEBUG=1 .venv/bin/python bench/receipts.py [--receipts 60]

Each of --receipts payments (1–3 months and sometimes a voluntary part, names with a rare character
now and then) is rendered twice, interleaved: (a) the receipt template to HTML only (context with
the QR code, template), (b) the full PDF as the Celery task makes it (dues.receipts.receipt_pdf),
and (c) WeasyPrint's floor: a one-line document, to tell the machine's speed from the template's.
The first PDF (font loading) is reported apart and left out of the medians. The issue's targets:
median under 100 ms and under 100 KB per receipt. Data in var/bench-receipts.sqlite3; results also
in bench/out/receipts-<date>.json.
"""

import argparse
import datetime
import json
import statistics
import time

import common

NAMES = ["张伟", "王秀英", "李娜", "刘䶮", "陈静", "杨洋", "赵敏", "黄磊", "周杰", "吴婷"]


def make_payments(count: int) -> list:
    from decimal import Decimal

    from branches.models import Organization
    from dues.models import Bill, Payment
    from members.models import Member
    from members.services import member_create
    from members.validators import id_number_build

    org = Organization.objects.filter(code="BENCH-R").first() or Organization.objects.add_root(
        name="中共永定区委土楼e支部党总支厦门第一支部", kind=Organization.Kind.BRANCH, code="BENCH-R"
    )
    payments = []
    for i in range(count):
        number = f"BENCH{i:06d}"
        payment = Payment.objects.filter(receipt_number=number).first()
        if payment is None:
            member = member_create(
                actor=None, organization=org, name=NAMES[i % len(NAMES)], status=Member.Status.FULL,
                id_number=id_number_build(
                    area_code="350822", birth_date=datetime.date(1980, 1, 1) + datetime.timedelta(i),
                    sequence=i % 500, sex="male",
                ),
                phone=f"139{i:08d}", joined_party_on=datetime.date(2010, 1, 1),
                full_member_on=datetime.date(2011, 1, 1),
            )
            months = 1 + i % 3
            voluntary = Decimal("50.00") if i % 4 == 0 else Decimal("0")
            amount = Decimal("25.00") * months + voluntary
            payment = Payment.objects.create(
                member=member, organization=org, amount=amount, voluntary_amount=voluntary,
                method=Payment.Method.ONLINE, receipt_number=number, receipt_check=f"c{i:08d}",
            )
            for m in range(months):
                Bill.objects.create(
                    member=member, organization=org, period=datetime.date(2026, 1 + m, 1),
                    amount=Decimal("25.00"), status=Bill.Status.PAID, payment=payment,
                )
        payments.append(payment)
    return payments


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--receipts", type=int, default=60)
    args = parser.parse_args()
    common.setup(common.sqlite_url("bench-receipts.sqlite3"))

    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from django.utils import translation

    from dues.models import Payment
    from dues.receipts import TEMPLATE, receipt_context, receipt_pdf

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    call_command("migrate", interactive=False, verbosity=0)
    payments = make_payments(max(args.receipts, 50))
    payments = list(Payment.objects.select_related("member", "organization").filter(
        pk__in=[p.pk for p in payments]))

    started = time.perf_counter()
    receipt_pdf(payments[0])
    first_ms = (time.perf_counter() - started) * 1000

    from weasyprint import HTML

    from ebranch.lib.pdf import font_config

    html_ms, pdf_ms, html_kb, pdf_kb, floor_ms = [], [], [], [], []
    for payment in payments:
        started = time.perf_counter()
        HTML(string="<p>党费 dues</p>").write_pdf(font_config=font_config())
        floor_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with translation.override(settings.LANGUAGE_CODE):
            html = render_to_string(TEMPLATE, receipt_context(payment))
        html_ms.append((time.perf_counter() - started) * 1000)
        html_kb.append(len(html.encode()) / 1024)
        started = time.perf_counter()
        pdf = receipt_pdf(payment)
        pdf_ms.append((time.perf_counter() - started) * 1000)
        pdf_kb.append(len(pdf) / 1024)

    result = {
        "receipts": len(payments),
        "first_pdf_ms": round(first_ms, 1),
        "html_median_ms": round(statistics.median(html_ms), 2),
        "pdf_median_ms": round(statistics.median(pdf_ms), 1),
        "pdf_p90_ms": round(sorted(pdf_ms)[int(len(pdf_ms) * 0.9)], 1),
        "weasyprint_floor_ms": round(statistics.median(floor_ms), 1),
        "ratio_pdf_to_floor": round(statistics.median(pdf_ms) / statistics.median(floor_ms), 2),
        "ratio_pdf_to_html": round(statistics.median(pdf_ms) / statistics.median(html_ms), 1),
        "html_median_kb": round(statistics.median(html_kb), 1),
        "pdf_median_kb": round(statistics.median(pdf_kb), 1),
        "pdf_max_kb": round(max(pdf_kb), 1),
        "targets_met": statistics.median(pdf_ms) < 100 and statistics.median(pdf_kb) < 100,
    }
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    out = common.ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"receipts-{datetime.date.today()}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
