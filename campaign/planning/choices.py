from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    PLAN = "KH", _("Plan (Kế hoạch)")
    OFFICIAL_LETTER = "CV", _("Official letter (Công văn)")
    RESOLUTION = "NQ", _("Resolution (Nghị quyết)")
    DECISION = "QD", _("Decision (Quyết định)")
    SCHEME = "DA", _("Scheme (Đề án)")
    GUIDANCE = "HD", _("Guidance (Hướng dẫn)")
    REPORT = "BC", _("Report (Báo cáo)")
    DIRECTIVE = "CT", _("Directive (Chỉ thị)")


class ProgrammeKind(models.TextChoices):
    EXEMPLARY_UNITS = "exemplary_units", _("Exemplary units of the movement")
    MODEL_WARD_POLICE = "model_ward_police", _("Model ward police")


class UnitKind(models.TextChoices):
    """Kinds of unit that can become exemplary (loại đơn vị điển hình)."""

    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    AGENCY = "agency", _("Agency")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    SPECIAL_ZONE = "special_zone", _("Special zone")


class TargetKind(models.TextChoices):
    QUOTA = "quota", _("Number of units in a year")
    MIN_SHARE = "min_share", _("Minimum share by a year")
    YEARLY_INCREMENT = "yearly_increment", _("At least N more each year")


class TargetGrouping(models.TextChoices):
    PROVINCE = "province", _("The whole province")
    EACH_CITY_TOWN = "each_city_town", _("Each city and town")


class RoundingRule(models.TextChoices):
    UP = "up", _("Round up")
    DOWN = "down", _("Round down")
    NEAREST = "nearest", _("Round to nearest")
