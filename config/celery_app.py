"""The Celery application: ``celery -A config worker`` / ``celery -A config beat``."""

import os

from celery import Celery
from celery.signals import worker_process_init

# Connects the signals that end a stopped worker's soft shutdown as soon as its
# running tasks are done (not after the whole CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT).
from config import worker_shutdown  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_pdf_renderer(**kwargs) -> None:
    """Import WeasyPrint when a pool process starts, so the first report a
    process renders does not pay for the import (about half a second)."""
    import reporting.pdf  # noqa: F401
