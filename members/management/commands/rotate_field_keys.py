"""`python manage.py rotate_field_keys`: re-encrypt every encrypted column with the first key.

Procedure (README, "Keys for personal data"): put a new key first in FIELD_ENCRYPTION_KEYS and keep
the old ones after it, restart, run this command, and only when it reports no unreadable values
remove the old keys. Values already under the first key are left alone, so a second run changes
nothing. The keyed hashes (`*_digest`, from FIELD_HASH_KEY) are not touched.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ebranch.lib import crypto

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        unreadable_total = 0
        for label in crypto.ENCRYPTED_FIELDS:
            app_model, field = label.rsplit(".", 1)
            model = apps.get_model(app_model)
            rows, rotated, unreadable = rotate_column(model, field, batch_size=batch_size)
            unreadable_total += unreadable
            line = f"{label}: {rows} values, {rotated} re-encrypted"
            self.stdout.write(line + (f", {unreadable} unreadable" if unreadable else ""))
        if unreadable_total:
            raise CommandError(
                f"{unreadable_total} values could not be decrypted with any key: keep every old key "
                "until they are dealt with."
            )


def rotate_column(model, field: str, *, batch_size: int) -> tuple[int, int, int]:
    """Walk the column by primary key in batches; each batch is locked, rewritten and committed."""
    rows = rotated = unreadable = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                model._base_manager.select_for_update()
                .filter(pk__gt=last_pk).exclude(**{field: ""})
                .order_by("pk").values_list("pk", field)[:batch_size]
            )
            if not batch:
                return rows, rotated, unreadable
            changed = []
            for pk, token in batch:
                if crypto.is_current(token):
                    continue
                try:
                    changed.append(model(pk=pk, **{field: crypto.rotate(token)}))
                except InvalidToken:
                    unreadable += 1
            # bulk_update sends no signals: re-encryption is not a change of the value to audit.
            model._base_manager.bulk_update(changed, [field])
        rows += len(batch)
        rotated += len(changed)
        last_pk = batch[-1][0]
