"""Reads for criteria sets. Criteria are the campaign's public rules: every
signed-in user with a role may read every version."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from campaign.assessments.choices import CriteriaSubject
from campaign.assessments.models import CriteriaSet, Criterion, CriterionGroup
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.choices import UnitKind

User = access.Reader

# Which set a registered unit is assessed against, by its kind.
SUBJECT_OF_UNIT_KIND: dict[str, CriteriaSubject] = {
    UnitKind.COMMUNE: CriteriaSubject.COMMUNE_LEVEL,
    UnitKind.WARD: CriteriaSubject.COMMUNE_LEVEL,
    UnitKind.TOWNSHIP: CriteriaSubject.COMMUNE_LEVEL,
    UnitKind.SPECIAL_ZONE: CriteriaSubject.COMMUNE_LEVEL,
    UnitKind.AGENCY: CriteriaSubject.ORGANISATION,
    UnitKind.ENTERPRISE: CriteriaSubject.ORGANISATION,
    UnitKind.SCHOOL: CriteriaSubject.ORGANISATION,
}


def criteria_set_list(*, user: User) -> QuerySet[CriteriaSet]:
    """Every version of every set, newest first per subject, with its number of
    criteria and of assessments made against it (one query)."""
    if not access.can(user, Capability.VIEW):
        return CriteriaSet.objects.none()
    return (
        CriteriaSet.objects.select_related("basis", "published_by")
        .annotate(
            criteria_count=Count("groups__criteria", distinct=True),
            assessment_count=Count("assessments", distinct=True),
        )
        .order_by("subject", "-version")
    )


def criteria_set_get(*, user: User, pk: int) -> CriteriaSet:
    """One set with its groups and criteria (three queries)."""
    if not access.can(user, Capability.VIEW):
        raise Http404("No such criteria set.")
    try:
        return (
            CriteriaSet.objects.select_related("basis", "published_by")
            .prefetch_related(
                Prefetch(
                    "groups",
                    queryset=CriterionGroup.objects.order_by(
                        "position"
                    ).prefetch_related(
                        Prefetch(
                            "criteria", queryset=Criterion.objects.order_by("position")
                        )
                    ),
                )
            )
            .get(pk=pk)
        )
    except CriteriaSet.DoesNotExist:
        raise Http404("No such criteria set.") from None


def criteria_set_current(subject: str) -> CriteriaSet | None:
    """The latest published version for ``subject``: new assessments are made
    against it; older assessments keep theirs."""
    return CriteriaSet.objects.filter(subject=subject).order_by("-version").first()
