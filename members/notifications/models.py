"""The inbox: one row per message to one account, delivered by email (and SMS if urgent) after."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one account: an inbox row first, delivered by email (and SMS if urgent) after."""

    class Delivery(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        DIGEST = "digest", _("waiting for the daily digest")
        SKIPPED = "skipped", _("not sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)
    sms_state = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.SKIPPED)
    sms_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_state", "created_at"]),
            models.Index(fields=["sms_state", "created_at"]),
        ]

    def __str__(self):
        return self.title
