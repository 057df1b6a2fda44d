from django.db import models
from django.utils.translation import gettext_lazy as _


class CriteriaSubject(models.TextChoices):
    """What a criteria set (bộ tiêu chí) is for."""

    COMMUNE_LEVEL = "commune_level", _("Communes, wards, townships and special zones")
    ORGANISATION = "organisation", _("Agencies, enterprises and schools")
    WARD_POLICE = "ward_police", _("Model ward police")


class AssessmentStatus(models.TextChoices):
    """Where a yearly assessment (đánh giá) stands."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for verification")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Verified and accepted")


class CommendationForm(models.TextChoices):
    """Forms of praise and reward (hình thức khen thưởng), from the least."""

    PRAISE = "praise", _("Public praise (biểu dương)")
    CERTIFICATE = "certificate", _("Certificate of merit (giấy khen)")
    MERIT = "merit", _("Letter of merit (bằng khen)")
    FLAG = "flag", _("Emulation flag (cờ thi đua)")
    MEDAL = "medal", _("Commemorative medal (kỷ niệm chương)")


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", _("A collective")
    INDIVIDUAL = "individual", _("An individual")


class ReviewKind(models.TextChoices):
    INTERIM = "interim", _("Interim review (sơ kết)")
    FINAL = "final", _("Final review (tổng kết)")


class Classification(models.TextChoices):
    """How a review grades a model (xếp loại mô hình)."""

    EXCELLENT = "excellent", _("Excellent (xuất sắc)")
    GOOD = "good", _("Good (khá)")
    AVERAGE = "average", _("Average (trung bình)")
    WEAK = "weak", _("Weak (yếu)")
