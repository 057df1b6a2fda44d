from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteeLevel(models.TextChoices):
    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")


class CommitteeRole(models.TextChoices):
    """A member's role in a steering committee (chức danh trong Ban Chỉ đạo)."""

    HEAD = "head", _("Head")
    STANDING_DEPUTY = "standing_deputy", _("Standing deputy head")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")


class MembershipRole(models.TextChoices):
    """What a user may do for the committee they act for."""

    PROVINCIAL_STAFF = "provincial_staff", _("Provincial staff")
    LOCAL_OFFICER = "local_officer", _("Local officer")
    LEADER = "leader", _("Leader")
    VIEWER = "viewer", _("Viewer")


class AuditAction(models.TextChoices):
    """What an entry of the audit trail records. Each room records its own
    actions; the vocabulary is kept in one place so the history page can name
    and filter them."""

    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
    ACCOUNT_REACTIVATED = "account_reactivated", _("Account reactivated")
    PASSWORD_RESET = "password_reset", _("Password set by staff")
    PASSWORD_CHANGED = "password_changed", _("Password changed by its owner")
    PROFILE_UPDATED = "profile_updated", _("Own details changed")
    MEMBERSHIP_GRANTED = "membership_granted", _("Role granted")
    MEMBERSHIP_REMOVED = "membership_removed", _("Role removed")
    # Two-step verification (issue 10): set up, turned off, reset by staff.
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-step verification set up")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-step verification turned off")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-step verification reset by staff")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes made")
    COMMITTEE_CREATED = "committee_created", _("Committee created")
    COMMITTEE_UPDATED = "committee_updated", _("Committee changed")
    MEMBER_ADDED = "member_added", _("Committee member added")
    MEMBER_UPDATED = "member_updated", _("Committee member changed")
    MEMBER_REMOVED = "member_removed", _("Committee member removed")
    DOCUMENT_CREATED = "document_created", _("Document registered")
    DOCUMENT_UPDATED = "document_updated", _("Document changed")
    PLAN_CREATED = "plan_created", _("Plan created")
    TARGET_CREATED = "target_created", _("Target added")
    TARGET_UPDATED = "target_updated", _("Target changed")
    TARGET_DELETED = "target_deleted", _("Target deleted")
    REFERENCE_DATA_LOADED = "reference_data_loaded", _("Reference data loaded")
    REGISTRATION_CREATED = "registration_created", _("Registration created")
    REGISTRATION_UPDATED = "registration_updated", _("Registration changed")
    REGISTRATION_SUBMITTED = "registration_submitted", _("Registration submitted")
    REGISTRATION_RESUBMITTED = "registration_resubmitted", _("Registration resubmitted")
    REGISTRATION_RETURNED = "registration_returned", _("Registration returned")
    REGISTRATION_APPROVED = "registration_approved", _("Registration approved")
    REGISTRATION_WITHDRAWN = "registration_withdrawn", _("Registration withdrawn")
    CRITERIA_SET_PUBLISHED = "criteria_set_published", _("Criteria set published")
    ASSESSMENT_CREATED = "assessment_created", _("Assessment started")
    ASSESSMENT_UPDATED = "assessment_updated", _("Assessment answers changed")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    EVIDENCE_REMOVED = "evidence_removed", _("Evidence removed")
    ASSESSMENT_SUBMITTED = "assessment_submitted", _("Assessment submitted")
    ASSESSMENT_VERIFIED = "assessment_verified", _("Criteria verified")
    ASSESSMENT_RETURNED = "assessment_returned", _("Assessment returned")
    ASSESSMENT_ACCEPTED = "assessment_accepted", _("Assessment accepted")
    RECOGNITION_RECORDED = "recognition_recorded", _("Recognition recorded")
    COMMENDATION_RECORDED = "commendation_recorded", _("Commendation recorded")
    PLEDGE_RECORDED = "pledge_recorded", _("Emulation pledge recorded")
    PLEDGE_RESULT_RECORDED = "pledge_result_recorded", _("Pledge result recorded")
    REVIEW_RECORDED = "review_recorded", _("Review recorded")
    REPORT_TEXTS_SAVED = "report_texts_saved", _("Texts of a report saved")
    REPORT_DELETED = "report_deleted", _("Report deleted")


# Groups of actions, for the history page's filter.
AUDIT_GROUPS: dict[str, tuple[str, tuple[AuditAction, ...]]] = {
    "accounts": (
        _("Accounts and roles"),
        (
            AuditAction.ACCOUNT_CREATED,
            AuditAction.ACCOUNT_DEACTIVATED,
            AuditAction.ACCOUNT_REACTIVATED,
            AuditAction.PASSWORD_RESET,
            AuditAction.PASSWORD_CHANGED,
            AuditAction.PROFILE_UPDATED,
            AuditAction.MEMBERSHIP_GRANTED,
            AuditAction.MEMBERSHIP_REMOVED,
            AuditAction.TWO_FACTOR_ENABLED,
            AuditAction.TWO_FACTOR_DISABLED,
            AuditAction.TWO_FACTOR_RESET,
            AuditAction.RECOVERY_CODES_RENEWED,
        ),
    ),
    "committees": (
        _("Committees and members"),
        (
            AuditAction.COMMITTEE_CREATED,
            AuditAction.COMMITTEE_UPDATED,
            AuditAction.MEMBER_ADDED,
            AuditAction.MEMBER_UPDATED,
            AuditAction.MEMBER_REMOVED,
        ),
    ),
    "planning": (
        _("Plan, targets and documents"),
        (
            AuditAction.DOCUMENT_CREATED,
            AuditAction.DOCUMENT_UPDATED,
            AuditAction.PLAN_CREATED,
            AuditAction.TARGET_CREATED,
            AuditAction.TARGET_UPDATED,
            AuditAction.TARGET_DELETED,
            AuditAction.REFERENCE_DATA_LOADED,
        ),
    ),
    "registrations": (
        _("Registrations"),
        (
            AuditAction.REGISTRATION_CREATED,
            AuditAction.REGISTRATION_UPDATED,
            AuditAction.REGISTRATION_SUBMITTED,
            AuditAction.REGISTRATION_RESUBMITTED,
            AuditAction.REGISTRATION_RETURNED,
            AuditAction.REGISTRATION_APPROVED,
            AuditAction.REGISTRATION_WITHDRAWN,
        ),
    ),
    "assessments": (
        _("Criteria and assessments"),
        (
            AuditAction.CRITERIA_SET_PUBLISHED,
            AuditAction.ASSESSMENT_CREATED,
            AuditAction.ASSESSMENT_UPDATED,
            AuditAction.EVIDENCE_ADDED,
            AuditAction.EVIDENCE_REMOVED,
            AuditAction.ASSESSMENT_SUBMITTED,
            AuditAction.ASSESSMENT_VERIFIED,
            AuditAction.ASSESSMENT_RETURNED,
            AuditAction.ASSESSMENT_ACCEPTED,
        ),
    ),
    "awards": (
        _("Recognitions, commendations, pledges and reviews"),
        (
            AuditAction.RECOGNITION_RECORDED,
            AuditAction.COMMENDATION_RECORDED,
            AuditAction.PLEDGE_RECORDED,
            AuditAction.PLEDGE_RESULT_RECORDED,
            AuditAction.REVIEW_RECORDED,
        ),
    ),
    "reports": (
        _("Reports"),
        (AuditAction.REPORT_TEXTS_SAVED, AuditAction.REPORT_DELETED),
    ),
}
