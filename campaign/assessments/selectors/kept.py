"""Figures kept between requests while the data they were counted on have not
changed: the *stamp* of the data, and a rendered text kept under it.

The stamp is one query reading, for each table the campaign's figures are
made of, its newest row (its id and when it was written) — registrations and
their workflow steps, assessments and theirs, recognitions, targets,
committees, and the audit trail, which every service writes when it changes
or deletes a record (an answer saved, a criterion verified). The dashboard
(``reporting.dashboard_cache``) keeps its parts under the same stamp.

A kept text is used while the stamp is the same and it is younger than
``DASHBOARD_CACHE_SECONDS`` (300 s by default; 0 turns the keeping off), so a
change the stamp cannot see (areas reloaded) shows within that time. It is
shared by everyone who asks with the same ``parts``: only keep what does not
depend on who asks, or name their scope in the parts.
"""

from __future__ import annotations

from collections.abc import Callable

from campaign.assessments.models import Assessment, AssessmentTransition, Recognition
from campaign.committees import kept
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.planning.models import Target
from campaign.registrations.models import Registration, RegistrationTransition

# (model, the field that says when its newest row was written)
STAMPED = (
    (Registration, "updated_at"),
    (RegistrationTransition, "at"),
    (Assessment, "updated_at"),
    (AssessmentTransition, "at"),
    (Recognition, "created_at"),
    (Target, None),
    (SteeringCommittee, None),
    (AuditEntry, "at"),
)

kept_seconds = kept.kept_seconds


def data_stamp() -> str:
    """The newest row of each table the campaign's figures are made of, in
    one query (each an index lookup on the primary key)."""
    return kept.data_stamp(STAMPED)


def kept_text(parts: tuple, make: Callable[[], str]) -> str:
    """``make()``, or the text it made before for the same ``parts`` (and
    language) on data with today's stamp, less than ``kept_seconds()`` ago."""
    return kept.kept_value(parts, make, stamped=STAMPED)
