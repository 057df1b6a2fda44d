"""Writes for reports: the job lifecycle (``jobs``) and the texts staff write
for the phase reports (``texts``)."""

from reporting.services.jobs import (  # noqa: F401
    LeaseLost,
    ReconcileResult,
    params_key,
    report_build_pdf,
    report_delete,
    report_job_run,
    report_jobs_reconcile,
    report_request,
)
from reporting.services.texts import report_texts_save  # noqa: F401
