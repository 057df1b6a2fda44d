"""Celery tasks: each takes ids only and calls one service.

The tasks hold no state of their own: the ReportJob row is the source of
truth, so a message delivered twice, lost or cut short by a dead worker is
handled by ``report_job_run`` (claim, lease, heartbeat) and the reconciler.
A soft time limit (``CELERY_TASK_SOFT_TIME_LIMIT``) raises inside the render
and is recorded on the job as "timed out"; the hard limit kills the process,
and the job's lease then runs out like any other lost worker's.
"""

from celery import shared_task

from reporting import services


@shared_task(name="reporting.tasks.report_render", ignore_result=True)
def report_render(job_id: int) -> None:
    services.report_job_run(job_id=job_id)


@shared_task(name="reporting.tasks.report_jobs_reconcile", ignore_result=True)
def report_jobs_reconcile() -> None:
    services.report_jobs_reconcile()
