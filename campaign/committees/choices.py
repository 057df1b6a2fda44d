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
