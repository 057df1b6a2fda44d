from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from reporting.choices import ReportKind, ReportStatus
from reporting.models import ReportJob
from tests.factories import UserFactory


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    kind = ReportKind.AREA_CATALOGUE
    params = factory.LazyFunction(lambda: {"as_of": "2023-06-30", "language": "vi"})
    requested_by = factory.SubFactory(UserFactory)


def finished_job(user, content: bytes = b"%PDF-1.7 fake") -> ReportJob:
    """A report of ``user``'s that is ready, with its file in storage."""
    job = ReportJobFactory(requested_by=user, status=ReportStatus.PENDING)
    job.file.save(f"{job.public_id}.pdf", ContentFile(content), save=False)
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportStatus.DONE,
        file=job.file.name,
        file_size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        attempts=1,
        progress=100,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
