"""`python manage.py rotate_field_keys`: re-encrypt every encrypted value with the first key.

Procedure (README, "Keys for personal data"): put a new key first in FIELD_ENCRYPTION_KEYS and keep
the old ones after it, restart, run this command, and only when it reports no unreadable values
remove the old keys. The columns are those of `crypto.ENCRYPTED_FIELDS` and the tokens inside the
JSON columns of `crypto.ENCRYPTED_JSON_KEYS` (two-factor secrets). Values already under the first
key are left alone, so a second run changes nothing. The keyed hashes (`*_digest`, from
FIELD_HASH_KEY) are not touched.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from ebranch.lib import crypto

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        columns = [(label, None) for label in crypto.ENCRYPTED_FIELDS]
        columns += list(crypto.ENCRYPTED_JSON_KEYS.items())
        unreadable_total = 0
        for label, json_keys in columns:
            app_model, field = label.rsplit(".", 1)
            column = Column(apps.get_model(app_model), field, json_keys)
            column.rotate(batch_size=batch_size)
            unreadable_total += column.unreadable
            counts = {"label": label, "rows": column.rows, "rotated": column.rotated}
            line = _("%(label)s: %(rows)d values, %(rotated)d re-encrypted") % counts
            if column.unreadable:
                line += _(", %(count)d unreadable") % {"count": column.unreadable}
            self.stdout.write(line)
        if unreadable_total:
            raise CommandError(
                _("%(count)d values could not be decrypted with any key: keep every old key until they are "
                  "dealt with.") % {"count": unreadable_total}
            )


class Column:
    """One encrypted column: a token per row, or (`json_keys`) tokens under those keys of a JSON object."""

    def __init__(self, model, field: str, json_keys: tuple[str, ...] | None = None):
        self.model, self.field, self.json_keys = model, field, json_keys
        self.rows = self.rotated = self.unreadable = 0

    def rotate(self, *, batch_size: int) -> None:
        """Walk the column by primary key in batches; each batch is locked, rewritten and committed."""
        manager = self.model._base_manager
        rows = manager.exclude(**{self.field: ""}) if self.json_keys is None else manager.all()
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    rows.select_for_update().filter(pk__gt=last_pk).order_by("pk")
                    .values_list("pk", self.field)[:batch_size]
                )
                if not batch:
                    return
                changed = []
                for pk, value in batch:
                    new = self.rotate_token(value) if self.json_keys is None else self.rotate_json(value)
                    if new != value:
                        changed.append(self.model(pk=pk, **{self.field: new}))
                # bulk_update sends no signals: re-encryption is not a change of the value to audit.
                manager.bulk_update(changed, [self.field])
            self.rows += len(batch)
            self.rotated += len(changed)
            last_pk = batch[-1][0]

    def rotate_token(self, token: str) -> str:
        if crypto.is_current(token):
            return token
        try:
            return crypto.rotate(token)
        except InvalidToken:
            self.unreadable += 1
            return token

    def rotate_json(self, data):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in self.json_keys:
            value = data.get(key)
            if isinstance(value, str) and value:
                data[key] = self.rotate_token(value)
            elif isinstance(value, list):
                data[key] = [self.rotate_token(item) if isinstance(item, str) else item for item in value]
        return data
