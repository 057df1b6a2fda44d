from django.core.management.base import BaseCommand

from reporting.services import report_jobs_reconcile


class Command(BaseCommand):
    help = (
        "Re-send pending report jobs and jobs whose worker was lost (lease run "
        "out); fail jobs that used up their attempts. Celery beat runs the same "
        "every REPORT_RECONCILE_INTERVAL_SECONDS."
    )

    def handle(self, *args, **options) -> None:
        result = report_jobs_reconcile()
        self.stdout.write(f"{result.resent} re-sent, {result.failed} failed.")
