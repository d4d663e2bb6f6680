"""Payment tasks: reconciling orders left pending (beat), and the sandbox's callbacks."""

from celery import shared_task
from django.conf import settings

from dues.gateways.sandbox import sandbox_callback_send  # noqa: F401 (registers the task with workers)

from . import payments


@shared_task
def orders_reconcile() -> dict:
    """Query the gateway about orders pending longer than DUES_RECONCILE_MINUTES, and book the answers."""
    return payments.orders_reconcile(older_than_minutes=getattr(settings, "DUES_RECONCILE_MINUTES", 15))
