import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from .seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo officers (seed_demo's authenticator secret)."

    def handle(self, *args, **options):
        now = int(time.time())
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // 30))
        self.stdout.write(
            _("Demo two-factor code: %(code)s (valid for %(seconds)s more seconds; secret %(secret)s)")
            % {"code": code, "seconds": 30 - now % 30, "secret": DEMO_TOTP_SECRET}
        )
