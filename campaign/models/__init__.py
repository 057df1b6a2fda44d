"""What the committee decided and who acts for it: steering committees and their
members, user memberships, legal documents, the plan, its programmes, phases and
targets, and the registrations of candidate units."""

from campaign.models.committees import CommitteeMember, Membership, SteeringCommittee
from campaign.models.plans import (
    LegalDocument,
    Phase,
    Plan,
    Programme,
    Target,
    legal_document_upload_to,
)
from campaign.models.registrations import (
    Notification,
    Registration,
    RegistrationTransition,
    registration_document_upload_to,
)

__all__ = [
    "CommitteeMember",
    "LegalDocument",
    "Membership",
    "Notification",
    "Phase",
    "Plan",
    "Programme",
    "Registration",
    "RegistrationTransition",
    "SteeringCommittee",
    "Target",
    "legal_document_upload_to",
    "registration_document_upload_to",
]
