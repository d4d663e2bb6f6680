"""Make receipts again in bulk: all, or for a year and/or an organization's subtree."""

from django.core.management.base import BaseCommand

from branches.models import Organization
from dues.models import Payment
from dues.receipts import receipt_generate


class Command(BaseCommand):
    help = "Regenerate dues receipts (all, or by --year and/or --organization code, with its subtree)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--organization", help="organization code; includes its subtree")
        parser.add_argument("--missing", action="store_true", help="only payments without a receipt")
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args, year=None, organization=None, missing=False, batch=200, **options):
        payments = Payment.objects.order_by("pk")
        if year:
            payments = payments.filter(paid_at__year=year)
        if organization:
            org = Organization.objects.get(code=organization)
            payments = payments.filter(organization__path__startswith=org.path)
        if missing:
            payments = payments.filter(receipt_generated_at__isnull=True)
        made = failed = 0
        last_pk = 0
        while True:
            ids = list(payments.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch])
            if not ids:
                break
            for pk in ids:
                try:
                    made += receipt_generate(pk, regenerate=not missing)
                except Exception as error:  # one bad receipt must not stop the batch
                    failed += 1
                    self.stderr.write(f"payment {pk}: {error}")
            last_pk = ids[-1]
            self.stdout.write(f"… {made} made so far")
        self.stdout.write(self.style.SUCCESS(f"Receipts made: {made}; failed: {failed}."))
