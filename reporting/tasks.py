"""Celery tasks: each takes ids (and plain values) only and calls one
service, or the dashboard's page builder.

The tasks hold no state of their own: the ReportJob row is the source of
truth, so a message delivered twice, lost or cut short by a dead worker is
handled by ``report_job_run`` (claim, lease, heartbeat) and the reconciler.
A soft time limit (``CELERY_TASK_SOFT_TIME_LIMIT``) raises inside the render
and is recorded on the job as "timed out"; the hard limit kills the process,
and the job's lease then runs out like any other lost worker's.
"""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import translation

from reporting import services


@shared_task(name="reporting.tasks.report_render", ignore_result=True)
def report_render(job_id: int) -> None:
    services.report_job_run(job_id=job_id)


@shared_task(name="reporting.tasks.report_jobs_reconcile", ignore_result=True)
def report_jobs_reconcile() -> None:
    services.report_jobs_reconcile()


@shared_task(name="reporting.tasks.dashboard_refresh", ignore_result=True)
def dashboard_refresh(user_id: int, language: str, params: dict[str, str]) -> None:
    """Count the dashboard's figures again for this user and choice, as the
    user (their scope), in their language; a user gone or deactivated since
    is skipped (their claim runs out)."""
    from reporting.dashboard_page import dashboard_refresh as refresh

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(language):
        refresh(user=user, params=params)
