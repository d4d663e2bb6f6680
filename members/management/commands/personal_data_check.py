"""`python manage.py personal_data_check`: stored ID and mobile numbers that are not in their normal form.

Every write stores the normal form (ASCII digits, upper-case X: `members/validators.py`), but a row written
before that rule, or behind its back, may hold full-width digits (３５０８…): such a number misses the
roster match and the check that one identity verifies one account. The command decrypts the ID and phone
columns of `crypto.ENCRYPTED_FIELDS` in batches and names each such row by model, primary key and field,
never by its value. It exits non-zero when it finds one (or a value no key decrypts). It only reads: a
member's number is corrected through the roster admin, where a clash with another record shows.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ebranch.lib import crypto
from members.validators import normalize_id_number, normalize_phone

BATCH_SIZE = 500
NORMALIZERS = {"id_number_encrypted": normalize_id_number, "phone_encrypted": normalize_phone}
UNREADABLE = "unreadable"


def problem(token: str, digest: str, normalize) -> tuple[str, str]:
    """What is wrong with a stored number ("" if nothing), and the look-up hash of its normal form."""
    try:
        value = crypto.decrypt(token)
    except InvalidToken:
        return UNREADABLE, ""
    normal = crypto.digest(normalize(value))
    if not value.isascii():
        return _("not ASCII (full-width or other digits)"), normal
    if normalize(value) != value:
        return _("not in its normal form"), normal
    if digest != crypto.digest(value):
        return _("its look-up hash does not match it"), normal
    return "", normal


class Command(BaseCommand):
    help = "Report stored ID and mobile numbers that are not plain ASCII in their normal form."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        self.found = self.unreadable = 0
        for label in crypto.ENCRYPTED_FIELDS:
            app_model, field = label.rsplit(".", 1)
            if field in NORMALIZERS:
                count = self.check_column(label, apps.get_model(app_model), field, batch_size=batch_size)
                self.stdout.write(_("%(label)s: %(count)d values checked") % {"label": label, "count": count})
        if self.found or self.unreadable:
            raise CommandError(
                _("%(found)d stored numbers are not plain ASCII in their normal form; %(unreadable)d cannot "
                  "be decrypted.") % {"found": self.found, "unreadable": self.unreadable}
            )
        self.stdout.write(_("Every stored ID and mobile number is plain ASCII in its normal form."))

    def check_column(self, label: str, model, field: str, *, batch_size: int) -> int:
        """Walk the column by primary key in batches; write a line for each row with a problem."""
        normalize, digest_field = NORMALIZERS[field], field.removesuffix("_encrypted") + "_digest"
        rows = model._base_manager.exclude(**{field: ""}).order_by("pk")
        count, last_pk = 0, 0
        while batch := list(rows.filter(pk__gt=last_pk).values_list("pk", field, digest_field)[:batch_size]):
            for pk, token, digest in batch:
                reason, normal = problem(token, digest, normalize)
                if reason == UNREADABLE:
                    self.unreadable += 1
                    reason = _("no key decrypts it")
                elif reason:
                    self.found += 1
                    same = model._base_manager.filter(**{digest_field: normal}).exclude(pk=pk)
                    same = ", ".join(f"#{other}" for other in same.values_list("pk", flat=True))
                    if same:
                        reason += _("; the same number as %(rows)s") % {"rows": same}
                if reason:
                    line = _("%(label)s #%(pk)s: %(reason)s")
                    self.stdout.write(line % {"label": label, "pk": pk, "reason": reason})
            count += len(batch)
            last_pk = batch[-1][0]
        return count
