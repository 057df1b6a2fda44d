"""Celery tasks: each takes ids only and calls one service."""

from celery import shared_task

from reporting import services


@shared_task(name="reporting.tasks.report_render", ignore_result=True)
def report_render(job_id: int) -> None:
    services.report_job_run(job_id=job_id)


@shared_task(name="reporting.tasks.report_jobs_reconcile", ignore_result=True)
def report_jobs_reconcile() -> None:
    services.report_jobs_reconcile()
