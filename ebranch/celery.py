"""The Celery application. Without REDIS_URL, settings make tasks run eagerly in-process.

Worker and beat: `celery -A ebranch worker -l info` and `celery -A ebranch beat -l info` (README).
Configuration is in settings (CELERY_*), the periodic tasks in settings.CELERY_BEAT_SCHEDULE.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebranch.settings")

app = Celery("ebranch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # <app>/tasks.py
app.autodiscover_tasks(related_name="tasks_article9")
app.autodiscover_tasks(related_name="tasks_arrears")
app.autodiscover_tasks(related_name="tasks_payments")
app.autodiscover_tasks(related_name="transfer_tasks")
