"""Reads for reports, always scoped to the user asking."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from reporting.models import ReportJob


def report_job_list_for_user(*, user: AbstractBaseUser) -> QuerySet[ReportJob]:
    """The jobs a user may see: the ones they requested."""
    return ReportJob.objects.filter(requested_by=user).order_by("-created_at", "-pk")


def report_job_get_for_user(
    *, user: AbstractBaseUser, public_id: uuid.UUID
) -> ReportJob:
    """One job of the user's; anyone else's is a 404, as if it did not exist."""
    try:
        return report_job_list_for_user(user=user).get(public_id=public_id)
    except ReportJob.DoesNotExist:
        raise Http404("No such report.") from None
