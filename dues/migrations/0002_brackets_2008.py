"""The 2008 Central Organization Department dues table, in force from 2008-04-01."""

import datetime
from decimal import Decimal as D

from django.db import migrations

FROM = datetime.date(2008, 4, 1)
# (category, lower exclusive, upper inclusive, rate, fixed amount)
TABLE = [
    ("employed", None, D("3000"), D("0.005"), None),
    ("employed", D("3000"), D("5000"), D("0.01"), None),
    ("employed", D("5000"), D("10000"), D("0.015"), None),
    ("employed", D("10000"), None, D("0.02"), None),
    ("retired", None, D("5000"), D("0.005"), None),
    ("retired", D("5000"), None, D("0.01"), None),
    ("reduced", None, None, None, D("0.20")),
    # Farmers pay a fixed amount per member (0.20–1.00); this row is the default.
    ("farmer", None, None, None, D("0.20")),
]


def forwards(apps, schema_editor):
    RateBracket = apps.get_model("dues", "RateBracket")
    for category, lower, upper, rate, fixed in TABLE:
        RateBracket.objects.get_or_create(
            category=category, effective_from=FROM, lower=lower,
            defaults={"upper": upper, "rate": rate, "fixed_amount": fixed},
        )


def backwards(apps, schema_editor):
    apps.get_model("dues", "RateBracket").objects.filter(effective_from=FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
